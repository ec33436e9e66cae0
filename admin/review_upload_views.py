"""判定済みログの一括取り込み: the exported log, judged in Excel, uploaded; what would change is shown;
a second POST applies it (`review apply`'s rules: analytics.review). The plan waits on the server
between the two, and is refused if a planned row was judged differently in the meantime."""
from __future__ import annotations

import json
import secrets
import time
from dataclasses import asdict
from pathlib import Path

from flask import current_app, flash, redirect, render_template, session, url_for
from flask_login import current_user
from sqlalchemy import select

from admin.blueprint import bp
from admin.audit_views import note
from admin.auth import role_required
from admin.forms import JudgedLogForm
from analytics.logcsv import LogError
from analytics.models import Message
from analytics.outcomes import OUTCOME_LABELS, REVIEW_LABELS
from analytics.review import REQUIRED, Change, ReviewPlan, apply_plan, plan_reviews
from faq.csvio import ENCODING_NAMES, CsvError
from faq.entries import EntryError
from faq.spreadsheet import read_spreadsheet
from web import db_session

MAX_BYTES = 10 * 1024 * 1024  # a month's log is ~0.2 MB, a year's ~2 MB
SHOWN = 300  # changed rows listed in the preview (all are counted and applied)
STASH_SECONDS = 24 * 3600  # an unconfirmed preview is dropped after this; so is its plan
_SESSION_KEY = "review_upload"


@bp.route("/review/upload", methods=["GET", "POST"])
@role_required("editor")
def review_upload():
    form = JudgedLogForm()
    plan = None
    filename = ""
    if form.validate_on_submit():
        _stash_path(session.pop(_SESSION_KEY, None)).unlink(missing_ok=True)  # an earlier preview's
        filename = Path(form.file.data.filename or "").name[:100]
        data = form.file.data.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            flash(f"ファイルが大きすぎます（{MAX_BYTES // (1024 * 1024)} MB まで）。何も変更していません。"
                  "月ごとに分けて取り込んでください。", "error")
        else:
            try:
                plan = plan_reviews(db_session(), read_spreadsheet(data, REQUIRED))
            except CsvError as exc:
                flash(f"ファイルを読み込めませんでした（何も変更していません）。{exc}", "error")
    if plan is not None and plan.changes and not plan.problems:
        session[_SESSION_KEY] = _stash(plan, filename)
    shown = plan.changes[:SHOWN] if plan else []
    messages = {m.id: m for m in db_session().scalars(
        select(Message).where(Message.id.in_([c.message_id for c in shown])))} if shown else {}
    return render_template("admin/review_upload.html", form=form, plan=plan, filename=filename, shown=shown,
                           messages=messages, labels=REVIEW_LABELS, outcomes=OUTCOME_LABELS,
                           encodings=ENCODING_NAMES, max_bytes=MAX_BYTES)


@bp.route("/review/upload/apply", methods=["POST"])
@role_required("editor")
def review_upload_apply():
    path = _stash_path(session.pop(_SESSION_KEY, None))
    stashed = _read(path) if path.exists() and time.time() - path.stat().st_mtime <= STASH_SECONDS else None
    if stashed is None or stashed.get("user") != current_user.username:
        flash("反映する内容が見つかりません（確認から時間が経ったか、別の画面で取り込みました）。"
              "もう一度アップロードしてください。", "error")
        return redirect(url_for("admin.review_upload"))
    plan = ReviewPlan(changes=[Change(**c) for c in stashed["changes"]], problems=[],
                      unchanged=stashed["unchanged"], encoding=stashed["encoding"])
    s = db_session()
    try:
        summary = apply_plan(s, plan, current_user.username)
        note("review_apply", stashed["filename"] or "判定済みログ", f"管理画面から: {summary.describe()}")
        s.commit()
    except (LogError, EntryError) as exc:
        s.rollback()
        flash(f"反映しませんでした。{exc}\nログを書き出し直して判定し、もう一度アップロードしてください。", "error")
        return redirect(url_for("admin.review_upload"))
    finally:
        path.unlink(missing_ok=True)
    flash(summary.describe() + (" 再学習した言い換えはボットに数秒で反映されます。" if summary.relearned else ""),
          "success")
    return redirect(url_for("admin.review_queue"))


def _stash(plan: ReviewPlan, filename: str) -> str:
    """Keep the plan (not the file) between the preview and the confirmation: what was shown is
    exactly what is applied."""
    token = secrets.token_hex(16)
    path = _stash_path(token)
    path.parent.mkdir(parents=True, exist_ok=True)
    for old in path.parent.glob("review-*.json"):  # previews nobody confirmed
        if time.time() - old.stat().st_mtime > STASH_SECONDS:
            old.unlink(missing_ok=True)
    path.write_text(json.dumps({"user": current_user.username, "filename": filename,
                                "unchanged": plan.unchanged, "encoding": plan.encoding,
                                "changes": [asdict(c) for c in plan.changes]}, ensure_ascii=False))
    return token


def _stash_path(token: object) -> Path:
    if not (isinstance(token, str) and len(token) == 32 and token.isalnum()):
        token = "none"
    return Path(current_app.instance_path) / "uploads" / f"review-{token}.json"


def _read(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None
