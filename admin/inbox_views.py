"""The inbox of residents who asked for a person: read, reply (push), close."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from admin.blueprint import bp
from admin.auth import role_required
from handoff import push
from handoff import service as handoff
from handoff.models import Conversation
from notices.crypto import id_box
from web import db_session, services


@bp.route("/inbox")
@role_required("editor")
def inbox():
    s = db_session()
    settings = services().settings
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
    """Store the reply with its retry key, then push it now; if LINE is unreachable or busy the
    notice sender tries again with the same key (handoff/push.py), so it arrives once."""
    settings = services().settings
    try:
        message = handoff.staff_reply(s, row, current_user.username, text)
    except handoff.HandoffError as exc:
        flash(str(exc), "error")
        return
    s.commit()
    push.try_send(s, settings, id_box(settings.line_id_keys), message.id)
    s.refresh(message)
    if message.status == "sent":
        flash("返信しました。", "success")
    elif message.status == "sending":
        flash("LINEにつながらないため、返信は保存し、自動で送り直します。", "warn")
        services().notice_sender.wake()
    else:
        flash(f"返信を送れませんでした（{(message.last_error or '')[:200]}）。返信は保存してあります。", "error")


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
