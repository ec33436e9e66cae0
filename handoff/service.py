"""Open, talk, close. A resident's messages are masked like questions; the LINE user id needed
to reply by push is kept encrypted and dropped when the conversation closes."""
from __future__ import annotations

import uuid

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from analytics.masking import mask_personal_data
from analytics.models import Message
from common.line_text import line_length
from db import utcnow
from errors import UserError
from handoff.models import Conversation, ConversationMessage
from notices.crypto import IdBox

MAX_REPLY = 5000  # LINE's limit for one text message


class HandoffError(UserError, ValueError):
    """A step not possible now; the message is for staff."""


def open_for(session: Session, user: str) -> Conversation | None:
    return session.scalar(select(Conversation).where(Conversation.open_user == user))


def start(session: Session, box: IdBox, user: str, line_user_id: str) -> tuple[Conversation, bool]:
    """The resident's open conversation, opened now if there is none: (conversation, new)."""
    existing = open_for(session, user)
    if existing is not None:
        return existing, False
    conversation = Conversation(user=user, open_user=user, line_user_id=box.seal(line_user_id))
    try:
        with session.begin_nested():
            session.add(conversation)
    except IntegrityError:  # the same resident's other request opened it a moment ago
        return open_for(session, user), False
    return conversation, True


def receive(session: Session, conversation: Conversation, text: str) -> ConversationMessage:
    message = ConversationMessage(conversation_id=conversation.id, sender="resident",
                                  text=str(mask_personal_data(text)), status="received")
    conversation.last_message_at = utcnow()
    session.add(message)
    return message


def messages(session: Session, conversation_id: int) -> list[ConversationMessage]:
    return list(session.scalars(select(ConversationMessage).where(
        ConversationMessage.conversation_id == conversation_id).order_by(ConversationMessage.id)))


def recent_questions(session: Session, user: str, limit: int = 10) -> list[Message]:
    """What the resident asked the bot lately, as the log keeps it (masked)."""
    return list(session.scalars(select(Message).where(Message.user == user, Message.kind == "text")
                                .order_by(Message.id.desc()).limit(limit)))[::-1]


def staff_reply(session: Session, conversation: Conversation, staff: str, text: str) -> ConversationMessage:
    """A staff reply, stored with its retry key before it is pushed (the caller pushes it)."""
    text = text.strip()
    if conversation.status != "open":
        raise HandoffError("この会話は終了しています。")
    if not text:
        raise HandoffError("返信を入力してください。")
    if line_length(text) > MAX_REPLY:
        raise HandoffError(f"返信は{MAX_REPLY}文字までです。")
    message = ConversationMessage(conversation_id=conversation.id, sender="staff", staff=staff, text=text,
                                  retry_key=str(uuid.uuid4()), status="sending", next_attempt_at=utcnow())
    session.add(message)
    session.flush()
    return message


def close(session: Session, conversation: Conversation, by: str) -> None:
    """Close it: the bot answers the resident again, and the LINE user id is deleted."""
    conversation.status, conversation.open_user, conversation.line_user_id = "closed", None, None
    conversation.closed_at, conversation.closed_by = utcnow(), by


def forget(session: Session, user: str) -> None:
    """The resident blocked the account: close what is open, id deleted."""
    session.execute(update(Conversation).where(Conversation.open_user == user).values(
        status="closed", open_user=None, line_user_id=None, closed_at=utcnow(), closed_by="ブロック"))
