"""操作履歴 (管理者 only): the audit trail with filters and paging, and its CSV for Excel.
note() is how every admin view records what the logged-in staff member did."""
from __future__ import annotations

import io
from datetime import date

from flask import Response, render_template, request
from flask_login import current_user

from admin.blueprint import bp
from admin.auth import role_required
from audit import trail
from web import db_session

PAGE_SIZE = 50


def client_address() -> str:
    return request.remote_addr or ""


def note(action: str, target: str = "", detail: str = "") -> None:
    """Record what the logged-in staff member just did; the view's own commit writes it."""
    actor = trail.Actor(current_user.id, current_user.username, client_address())
    trail.record(db_session(), actor, action, target, detail)


def _filters() -> tuple[trail.Filters, list[str]]:
    """The filters asked for; a date that is not one is dropped and said so (never a 500)."""
    errors = []

    def day(name: str, label: str) -> date | None:
        text = request.args.get(name, "").strip()
        if not text:
            return None
        try:
            return date.fromisoformat(text)
        except ValueError:
            errors.append(f"{label}「{text}」は日付ではないので無視しました（例: 2026-04-01）。")
            return None

    action = request.args.get("action", "")
    return trail.Filters(start=day("start", "開始日"), end=day("end", "終了日"), actor=request.args.get("actor", ""),
                         action=action if action in trail.ACTIONS else ""), errors


@bp.route("/audit")
@role_required("admin")
def audit():
    filters, errors = _filters()
    s = db_session()
    total = trail.count(s, filters)
    last = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    page = min(max(request.args.get("page", 1, type=int), 1), last)
    return render_template("admin/audit.html", events=trail.events(s, filters, PAGE_SIZE, (page - 1) * PAGE_SIZE),
                           filters=filters, errors=errors, total=total, page=page, last=last,
                           actions=trail.ACTIONS, actors=trail.actor_names(s), args=_query_args(filters))


def _query_args(filters: trail.Filters) -> dict[str, str]:
    """The filters as URL parameters, for the pager and the CSV link."""
    args = {"start": filters.start.isoformat() if filters.start else "",
            "end": filters.end.isoformat() if filters.end else "", "actor": filters.actor, "action": filters.action}
    return {k: v for k, v in args.items() if v}


@bp.route("/audit.csv")
@role_required("admin")
def audit_csv():
    filters, _errors = _filters()
    s = db_session()
    buffer = io.StringIO()
    count = trail.export_csv(s, filters, buffer)
    note("audit_download", "操作履歴", f"{count}件（{_describe(filters)}）")
    s.commit()
    return Response(buffer.getvalue().encode("utf-8"), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=audit.csv"})


def _describe(filters: trail.Filters) -> str:
    parts = []
    if filters.start or filters.end:
        parts.append(f"期間 {filters.start or ''}〜{filters.end or ''}")
    if filters.actor:
        parts.append(f"ユーザー {filters.actor}")
    if filters.action:
        parts.append(f"操作 {trail.ACTIONS[filters.action]}")
    return "、".join(parts) or "条件なし"
