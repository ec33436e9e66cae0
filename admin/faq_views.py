"""FAQ editor: list and search, create, edit with a LINE preview, unpublish, history and restore,
CSV import (with a preview) and export."""
from __future__ import annotations

import io
import secrets
from pathlib import Path

from flask import (Response, abort, current_app, flash, redirect, render_template, request, session,
                   url_for)
from flask_login import current_user

from admin.blueprint import bp
from admin.audit_views import note
from admin.auth import require_department, role_required
from admin.forms import EntryForm, ImportForm
from admin.preview import LinePreview, line_preview, translated_previews
from analytics.models import Message
from analytics.review import implied_review, judge
from faq import easy_japanese
from faq import services as faq
from faq.csvio import CsvError
from faq.entries import EASY, FIELD_LABELS, EntryError, EntryRow, differences
from faq.exporter import export_faq
from faq.freshness import mark_reviewed
from faq.importer import departments_touched, import_faq, parse_faq_csv, preview_import
from faq.live import EntryView
from faq.models import FaqEntry, FaqRevision
from web import db_session, services

STATUS_LABELS = {"published": "公開中", "unpublished": "非公開", "empty_answer": "回答未入力"}
ACTION_LABELS = {"create": "作成", "update": "編集", "unpublish": "非公開化", "publish": "公開",
                 "restore": "復元", "import": "CSV取込", "relearn": "再学習", "delete": "削除"}
SEARCH_LIMIT = 30


@bp.route("/faq")
@role_required("editor")
def faq_list():
    s = db_session()
    q = request.args.get("q", "").strip()
    filters = {name: request.args.get(name, "") for name in ("category", "department", "status")}
    if filters["status"] not in ("", *STATUS_LABELS):
        filters["status"] = ""
    entries = faq.list_entries(s, **filters)
    scores: dict[str, float] = {}
    if q:
        entries, scores = _ranked(entries, q)
    return render_template(
        "admin/faq_list.html", entries=entries, scores=scores, q=q, filters=filters,
        categories=faq.categories(s), departments=faq.departments(s), statuses=STATUS_LABELS,
        total=faq.entry_count(s))


def _ranked(entries: list[FaqEntry], q: str) -> tuple[list[FaqEntry], dict[str, float]]:
    """Order as the bot would rank them for `q`, then plain text matches (ids, unpublished ones)."""
    hits = services().live_index.search(q, k=SEARCH_LIMIT)
    scores = {hit.faq_id: hit.score for hit in hits}
    by_id = {entry.faq_id: entry for entry in entries}
    ranked = [by_id[hit.faq_id] for hit in hits if hit.faq_id in by_id]
    text_matches = {e.faq_id for e in faq.list_entries(db_session(), text=q)}
    ranked += [e for e in entries if e.faq_id in text_matches and e.faq_id not in scores]
    return ranked, scores


@bp.route("/faq/new", methods=["GET", "POST"])
@role_required("editor")
def faq_new():
    form = EntryForm(data=_prefill())
    # The form posts back to its own URL, whose query string carries the ids the hidden fields
    # carry too: once each, in the order the queue gave them.
    message_ids = list(dict.fromkeys(int(i) for i in request.values.getlist("message") if i.isdigit()))
    _easy_draft(form)
    saving = request.method == "POST" and request.form.get("action") not in _NOT_SAVING
    valid = form.validate_on_submit()
    refused = saving and _refuse_department(form)
    if valid and saving and not refused:
        s = db_session()
        try:
            entry = faq.create_entry(s, form.row(), author=current_user.username)
            marked = _mark_handled(s, message_ids, entry)
            note("faq_create", f"FAQ {entry.faq_id}", f"作成（未回答の質問 {marked} 件から）" if marked else "作成")
            s.commit()
        except EntryError as exc:
            s.rollback()
            flash(str(exc), "error")
        else:
            flash(f"FAQ「{entry.faq_id}」を作成しました。ボットには数秒で反映されます。", "success")
            return redirect(url_for("admin.faq_edit", faq_id=entry.faq_id))
    return render_template("admin/faq_edit.html", form=form, entry=None, message_ids=message_ids,
                           preview=_preview(form), easy_marks=_easy_marks(form),
                           language_previews=translated_previews(_view(form))), 403 if refused else 200


def _mark_handled(s, message_ids: list[int], entry: FaqEntry) -> int:
    """Questions a new entry was made from (a 表題なし group) now point at it: only those whose words
    staff kept as its question or an alternate. A phrasing deleted in the form stays out of the
    entry (it is not relearned back in) and its question stays in the queue. Returns how many."""
    kept = {entry.question.strip(), *(alt.text.strip() for alt in entry.alternates)}
    marked = 0
    for message_id in message_ids:
        message = s.get(Message, message_id)
        if message is not None and message.text.strip() in kept:
            judge(s, message, implied_review(message, entry.faq_id), current_user.username, entry.faq_id,
                  relearn=False)  # its words are in the entry already, as staff left them
            marked += 1
    return marked


def _prefill() -> dict:
    """A new entry started from the review queue arrives with its questions in the query string."""
    questions = [text for text in request.args.getlist("question") if text.strip()]
    if not questions:
        return {}
    return {"question": questions[0], "alternates": "\n".join(questions[1:])}


@bp.route("/faq/<faq_id>/edit", methods=["GET", "POST"])
@role_required("editor")
def faq_edit(faq_id: str):
    s = db_session()
    entry = faq.get_entry(s, faq_id) or abort(404)
    form = EntryForm(data=_form_data(entry))
    form.faq_id.data = entry.faq_id  # the id never changes
    if request.method == "POST":
        require_department(entry.department)
    saving = request.method == "POST" and request.form.get("action") not in _NOT_SAVING
    _easy_draft(form)
    valid = form.validate_on_submit()
    refused = saving and _refuse_department(form)  # moving it to a department not hers
    if valid and saving and not refused:
        try:
            faq.update_entry(s, form.row(), author=current_user.username)
            note("faq_update", f"FAQ {faq_id}", "内容を編集")
            s.commit()
        except EntryError as exc:
            s.rollback()
            flash(str(exc), "error")
        else:
            flash("保存しました。ボットには数秒で反映されます。間違えたときは「履歴」から元に戻せます。", "success")
            return redirect(url_for("admin.faq_edit", faq_id=faq_id))
    return render_template("admin/faq_edit.html", form=form, entry=entry, preview=_preview(form),
                           easy_marks=_easy_marks(form), language_previews=translated_previews(_view(form))
                           ), 403 if refused else 200


def _refuse_department(form: EntryForm) -> bool:
    """A department typed that this editor may not save entries in: 403 with the form as typed
    (nothing saved, nothing lost), the reason beside the field."""
    department = (form.department.data or "").strip()
    if current_user.may_edit(department):
        return False
    message = (f"「{department or '担当課なし'}」はあなたの担当課（{'、'.join(sorted(current_user.departments))}）"
               "ではないため保存できません。何も変更していません。")
    form.department.errors = [*form.department.errors, message]
    flash(message, "error")
    return True


# Buttons of the editor that show something without saving.
_NOT_SAVING = ("preview", "easy_draft")


def _easy_draft(form: EntryForm) -> None:
    """「下書きを作る」: the Japanese answer with Sudachi's readings, into an empty やさしい日本語 field."""
    if request.method != "POST" or request.form.get("action") != "easy_draft":
        return
    if (form[EASY].data or "").strip():
        flash("「やさしい日本語」の欄が空のときだけ下書きを作ります（書いたものは上書きしません）。", "error")
    elif not (form.answer.data or "").strip():
        flash("回答が空なので下書きを作れません。", "error")
    else:
        form[EASY].data = easy_japanese.draft(form.answer.data)


def _easy_marks(form: EntryForm) -> list | None:
    text = (form[EASY].data or "").strip()
    return easy_japanese.check(text) if text else None


def _view(form: EntryForm) -> EntryView:
    return EntryView(form.faq_id.data or "", form.category.data or "", form.question.data or "",
                     form.answer.data or "", form.url.data or "", form.department.data or "",
                     {k: v.strip() for k, v in form.row().translations.items() if v.strip()})


def _preview(form: EntryForm) -> LinePreview:
    return line_preview(_view(form), services().settings.contact_text)


def _form_data(entry: FaqEntry) -> dict:
    return {"faq_id": entry.faq_id, "category": entry.category, "question": entry.question,
            "alternates": "\n".join(alt.text for alt in entry.alternates), "answer": entry.answer,
            "url": entry.url, "department": entry.department, **(entry.translations or {})}


@bp.route("/faq/<faq_id>/publish", methods=["POST"])
@role_required("editor")
def faq_publish(faq_id: str):
    published = request.form.get("published") == "1"
    s = db_session()
    require_department(_department_of(faq_id))
    try:
        faq.set_published(s, faq_id, published, author=current_user.username)
        note("faq_publish", f"FAQ {faq_id}", "公開" if published else "非公開")
        s.commit()
    except EntryError as exc:
        s.rollback()
        flash(str(exc), "error")
    else:
        flash("公開しました。" if published else "非公開にしました。ボットはこの項目で答えなくなります。", "success")
    return redirect(url_for("admin.faq_edit", faq_id=faq_id))


@bp.route("/faq/<faq_id>/history")
@role_required("editor")
def faq_history(faq_id: str):
    revisions = faq.history(db_session(), faq_id)
    if not revisions:
        abort(404)
    changes = [_revision_changes(rev.snapshot, older.snapshot if older else None)
               for rev, older in zip(revisions, revisions[1:] + [None])]
    return render_template("admin/faq_history.html", faq_id=faq_id, revisions=revisions, changes=changes,
                           actions=ACTION_LABELS, entry=faq.get_entry(db_session(), faq_id))


def _revision_changes(new: dict, old: dict | None) -> list[tuple[str, str, str]]:
    """(label, before, after) for each field this revision changed."""
    def row(snap: dict) -> EntryRow:
        empty = {"alternates": [], "translations": {}}
        return EntryRow(**{k: snap.get(k, empty.get(k, "")) for k in (
            "faq_id", "category", "question", "alternates", "answer", "url", "department", "translations")})

    def text(value) -> str:
        if isinstance(value, dict):
            return "\n".join(f"{k}: {v}" for k, v in sorted(value.items()))
        return "\n".join(value) if isinstance(value, list) else str(value)

    before = row(old) if old else EntryRow(faq_id=new["faq_id"])
    names = differences(before, row(new))
    out = [(FIELD_LABELS[n], text(getattr(before, n)), text(new.get(n, ""))) for n in names]
    if old and old.get("published") != new.get("published"):
        out.append((FIELD_LABELS["published"], _published(old), _published(new)))
    return out


def _published(snap: dict) -> str:
    return "公開" if snap.get("published", True) else "非公開"


@bp.route("/faq/revisions/<id:revision_id>/restore", methods=["POST"])
@role_required("editor")
def faq_restore(revision_id: int):
    s = db_session()
    revision = s.get(FaqRevision, revision_id)
    if revision is not None:  # what it was then, and what it is now (a deleted entry has no now)
        current = faq.get_entry(s, revision.faq_id)
        require_department(str(revision.snapshot.get("department", "")), *([current.department] if current else []))
    try:
        entry = faq.restore_revision(s, revision_id, author=current_user.username)
        note("faq_restore", f"FAQ {entry.faq_id}", f"履歴 #{revision_id} の内容に戻した")
        s.commit()
    except EntryError as exc:
        s.rollback()
        flash(str(exc), "error")
        # Back to that entry's history, never to the Referer (a header anyone can set: open redirect)
        revision = s.get(FaqRevision, revision_id)
        return redirect(url_for("admin.faq_history", faq_id=revision.faq_id) if revision
                        else url_for("admin.faq_list"))
    flash(f"FAQ「{entry.faq_id}」をこの時点の内容に戻しました。", "success")
    return redirect(url_for("admin.faq_edit", faq_id=entry.faq_id))


@bp.route("/faq/export.csv")
@role_required("viewer")
def faq_export():
    s = db_session()
    buffer = io.StringIO()
    count = export_faq(s, buffer)
    note("faq_download", "FAQ", f"CSV {count}件")
    s.commit()
    return Response(buffer.getvalue().encode("utf-8"), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=faq.csv"})


@bp.route("/faq/import", methods=["GET", "POST"])
@role_required("editor")
def faq_import():
    form = ImportForm()
    changes = parsed = None
    if form.validate_on_submit():
        data = form.file.data.read()
        try:
            parsed = parse_faq_csv(data)
        except CsvError as exc:
            flash(f"CSV を読み込めませんでした。{exc}", "error")
        else:
            changes = preview_import(db_session(), parsed, replace=form.replace.data)
            forbidden = sorted(d or "担当課なし" for d in departments_touched(db_session(), parsed, form.replace.data)
                               if not current_user.may_edit(d))
            if forbidden:  # shown, but not offered for applying
                flash(f"あなたの担当課ではない FAQ（{'、'.join(forbidden)}）を変更する行があるため、"
                      "このファイルは取り込めません。自分の担当課の行だけにしてください。", "error")
                changes = None
                session.pop("faq_import", None)  # an earlier preview is not applied by mistake
            else:
                session["faq_import"] = {"token": _stash(data), "replace": bool(form.replace.data)}
    return render_template("admin/faq_import.html", form=form, changes=changes, parsed=parsed)


@bp.route("/faq/import/apply", methods=["POST"])
@role_required("editor")
def faq_import_apply():
    pending = session.pop("faq_import", None)
    path = _stash_path(pending["token"]) if pending else None
    if path is None or not path.exists():
        flash("取り込むファイルが見つかりません。もう一度アップロードしてください。", "error")
        return redirect(url_for("admin.faq_import"))
    s = db_session()
    try:
        parsed = parse_faq_csv(path.read_bytes())
        require_department(*sorted(departments_touched(s, parsed, pending["replace"])))
        summary = import_faq(s, parsed, replace=pending["replace"], author=current_user.username)
        note("faq_import", "FAQ", f"管理画面から（{summary.describe()}）")
        s.commit()
    except (CsvError, EntryError) as exc:
        s.rollback()
        flash(f"取り込めませんでした（何も変更していません）。{exc}", "error")
        return redirect(url_for("admin.faq_import"))
    finally:
        path.unlink(missing_ok=True)
    flash(f"CSV を取り込みました（{summary.encoding}）：{summary.describe()}。", "success")
    return redirect(url_for("admin.faq_list"))


@bp.route("/faq/<faq_id>/reviewed", methods=["POST"])
@role_required("editor")
def faq_reviewed(faq_id: str):
    """「内容を確認した」: the entry is right as it is."""
    s = db_session()
    require_department(_department_of(faq_id))
    mark_reviewed(s, faq_id)
    note("faq_review", f"FAQ {faq_id}", "内容を確認（変更なし）")
    s.commit()
    flash(f"FAQ「{faq_id}」を確認済みにしました。", "success")
    if request.form.get("back") == "stale":  # a fixed choice, never a URL from the form
        return redirect(url_for("admin.faq_stale"))
    return redirect(url_for("admin.faq_edit", faq_id=faq_id))


def _department_of(faq_id: str) -> str:
    """The entry's department; 404 for an entry that does not exist."""
    entry = faq.get_entry(db_session(), faq_id) or abort(404)
    return entry.department


def _stash(data: bytes) -> str:
    """Keep the uploaded file between the preview and the confirmation."""
    token = secrets.token_hex(16)
    path = _stash_path(token)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return token


def _stash_path(token: str) -> Path | None:
    if not (isinstance(token, str) and len(token) == 32 and token.isalnum()):
        return None
    return Path(current_app.instance_path) / "uploads" / f"faq-{token}.csv"
