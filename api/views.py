"""POST /api/notices and GET /api/notices/<id> (the package docstring says who calls them)."""
from __future__ import annotations

import hmac
from datetime import datetime
from functools import wraps

from flask import Blueprint, abort, jsonify, request, url_for
from sqlalchemy import select

from notices import service
from notices.models import NOTICE_STATUSES, Notice, Topic
from web import db_session, services

bp = Blueprint("api", __name__, url_prefix="/api")
API_AUTHOR = "外部システム"  # who a notice's history says drafted it


def token_required(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        expected = services().settings.notice_api_token
        if not expected:
            abort(404)
        given = request.headers.get("Authorization", "")
        if not hmac.compare_digest(given.encode(), f"Bearer {expected}".encode()):
            return jsonify(errors=["トークンが正しくありません。"]), 401
        return view(*args, **kwargs)
    return wrapped


@bp.post("/notices")
@token_required
def create_notice():
    """{"title", "text", "topics": [names], "url"?, "image_url"?, "send_at"? (ISO 8601 with offset)}
    → 201 {"id", "status": "draft"}: an administrator approves it in the admin."""
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        return jsonify(errors=["JSONのオブジェクトを送ってください。"]), 400
    errors, fields = [], {}
    for name in ("title", "text", "url", "image_url"):
        value = payload.get(name, "")
        if not isinstance(value, str):
            errors.append(f"{name} は文字列にしてください。")
        fields[name] = value if isinstance(value, str) else ""
    names = payload.get("topics")
    s = db_session()
    topic_ids: list[int] = []
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        errors.append("topics は分野名の配列にしてください。")
    else:
        known = dict(s.execute(select(Topic.name, Topic.id).where(Topic.name.in_(names), Topic.active)).all())
        errors += [f"分野「{n}」はありません（配信中の分野名を指定してください）。" for n in names if n not in known]
        topic_ids = [known[n] for n in names if n in known]
    send_at = None
    if payload.get("send_at") is not None:
        try:
            send_at = datetime.fromisoformat(payload["send_at"])
        except (TypeError, ValueError):
            errors.append("send_at は ISO 8601 の日時にしてください（例 2026-12-03T18:00:00+09:00）。")
        else:
            if send_at.tzinfo is None:
                errors.append("send_at にはタイムゾーンを付けてください（例 +09:00）。")
                send_at = None
    if errors:
        return jsonify(errors=errors), 400
    draft = service.Draft(title=fields["title"], text=fields["text"], topic_ids=topic_ids, url=fields["url"],
                          image_url=fields["image_url"], send_at=send_at)
    problems = service.check(s, draft)
    if problems:
        return jsonify(errors=problems), 400
    notice = service.draft_notice(s, draft, by=API_AUTHOR, source="api")
    s.commit()
    return jsonify(_state(notice)), 201


@bp.get("/notices/<id:notice_id>")
@token_required
def notice_state(notice_id: int):
    notice = db_session().get(Notice, notice_id)
    if notice is None or notice.source != "api":
        return jsonify(errors=["そのお知らせはありません。"]), 404
    return jsonify(_state(notice))


def _state(notice: Notice) -> dict:
    return {"id": notice.id, "status": notice.status, "status_label": NOTICE_STATUSES[notice.status],
            "recipients": notice.recipients, "sent": notice.sent, "failed": notice.failed,
            "admin_url": url_for("admin.notice", notice_id=notice.id, _external=True)}
