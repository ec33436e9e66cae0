"""The inbox of residents who asked for a person: read, reply (push), close."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from admin import bp
from admin.auth import role_required
from bot import line_api
from handoff import office_hours
from handoff import service as handoff
from handoff.models import Conversation
from notices.crypto import id_box
from web import db_session, services


@bp.route("/inbox")
@role_required("editor")
def inbox():
    s = db_session()
    settings = services().settings
    hours = office_hours.parse(settings.office_hours, settings.office_holidays)
    rows = list(s.scalars(select(Conversation).where(Conversation.status == "open")
                          .order_by(Conversation.last_message_at.desc())))
    return render_template("admin/inbox.html", conversations=rows, hours=settings.office_hours,
                           enabled=id_box(settings.line_id_keys) is not None)


@bp.route("/inbox/<id:conversation_id>", methods=["GET", "POST"])
@role_required("editor")
def conversation(conversation_id: int):
    s = db_session()
    row = s.get(Conversation, conversation_id) or abort(404)
    if request.method == "POST":
        _reply(s, row, request.form.get("text", ""))
        return redirect(url_for("admin.conversation", conversation_id=conversation_id))
    return render_template("admin/conversation.html", conversation=row, messages=handoff.messages(s, row.id),
                           questions=handoff.recent_questions(s, row.user))


def _reply(s, row: Conversation, text: str) -> None:
    """Store the reply with its retry key, then push it (again with the same key once, if LINE
    was unreachable or busy: the key keeps a resident from getting it twice)."""
    settings = services().settings
    box = id_box(settings.line_id_keys)
    try:
        message = handoff.staff_reply(s, row, current_user.username, text)
    except handoff.HandoffError as exc:
        flash(str(exc), "error")
        return
    s.commit()
    user_id = box.open(row.line_user_id) if box and row.line_user_id else None
    if user_id is None:
        message.status = "failed"
        s.commit()
        flash("この住民のLINEに送れません（暗号化の鍵が変わりました）。", "error")
        return
    payload = [{"type": "text", "text": message.text}]
    for _attempt in range(2):
        error = line_api.send_push(settings.line_api_base_url, settings.line_channel_access_token,
                                   user_id, payload, message.retry_key)
        if error is None or not error.retryable:
            break
    message.status = "sent" if error is None else "failed"
    s.commit()
    if error is None:
        flash("返信しました。", "success")
    else:
        flash(f"返信を送れませんでした（{error.reason[:200]}）。返信は保存してあります。", "error")


@bp.route("/inbox/<id:conversation_id>/close", methods=["POST"])
@role_required("editor")
def conversation_close(conversation_id: int):
    s = db_session()
    row = s.get(Conversation, conversation_id) or abort(404)
    if row.status == "open":
        handoff.close(s, row, current_user.username)
        s.commit()
        flash("会話を終了しました。この住民には、また自動で回答します。", "success")
    return redirect(url_for("admin.inbox"))
