"""Staff replies pushed to the resident as stored jobs, like bot/sender.py's replies: the row and
its retry key are committed first; whoever sends it (the admin request at once, then the notice
sender thread of any worker) takes a lease; LINE unreachable, 5xx or 429 → tried again with the
same key after 1, 2, 4 ... 300 s, at most MAX_ATTEMPTS times; LINE's 409 for a key it already
took counts as sent. A conversation closed meanwhile has no LINE user id left: the reply fails.
Nothing here commits: the caller commits the lease (`take`) before `deliver`, and after it."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from bot.line_api import send_push
from config import Settings
from db import utcnow
from handoff.models import Conversation, ConversationMessage
from notices.crypto import IdBox

MAX_ATTEMPTS = 8
BACKOFF_FIRST = 1.0
BACKOFF_MAX = 300.0
LEASE = timedelta(seconds=30)


def due(session: Session) -> list[int]:
    now = utcnow()
    return list(session.scalars(select(ConversationMessage.id).where(
        ConversationMessage.status == "sending", ConversationMessage.next_attempt_at <= now, _free(now))
        .order_by(ConversationMessage.id).limit(20)))


def take(session: Session, message_id: int) -> bool:
    """Lease the reply (unless someone else has it); the caller commits before `deliver`, so the
    lease holds while LINE is called."""
    now = utcnow()
    return session.execute(update(ConversationMessage).where(
        ConversationMessage.id == message_id, ConversationMessage.status == "sending", _free(now))
        .values(lease_until=now + LEASE)).rowcount == 1


def deliver(session: Session, settings: Settings, box: IdBox | None, message_id: int) -> None:
    """Push a reply taken with `take` once and record how it went (the caller commits)."""
    message = session.get(ConversationMessage, message_id)
    session.refresh(message)
    conversation = session.get(Conversation, message.conversation_id)
    user_id = box.open(conversation.line_user_id) if box and conversation.line_user_id else None
    if user_id is None:
        message.status, message.lease_until = "failed", None
        message.last_error = "会話が終了したか、暗号化の鍵が変わったため送れません。"
        return
    error = send_push(settings.line_api_base_url, settings.line_channel_access_token, user_id,
                      [{"type": "text", "text": message.text}], message.retry_key)
    message.lease_until = None
    if error is None:
        message.status, message.last_error = "sent", None
    elif error.retryable and message.attempts + 1 < MAX_ATTEMPTS:
        wait = max(error.retry_after or 0.0, min(BACKOFF_FIRST * 2 ** message.attempts, BACKOFF_MAX))
        message.attempts += 1
        message.next_attempt_at, message.last_error = utcnow() + timedelta(seconds=wait), error.reason
    else:
        message.status, message.last_error = "failed", error.reason


def _free(now: datetime):
    return or_(ConversationMessage.lease_until.is_(None), ConversationMessage.lease_until < now)
