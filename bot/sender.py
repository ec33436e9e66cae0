"""Replies off the request path (no Flask here).

The webhook commits each reply as a pending_reply row with its event and answers LINE at once; a
sender thread in every worker sends the rows that are due. A row is taken with a conditional
update (a lease longer than one request's timeouts), so exactly one sender sends it even with
several workers; rows left by a worker that died are picked up by any sender once their lease
has run out, by the restarted worker as soon as it starts.

LINE unreachable, 5xx or 429: tried again after 0.25, 0.5, 1, 2, 4, 4 ... s (or LINE's
Retry-After, if longer) while the reply token lives (settings.reply_token_seconds after the event
arrived). Then, or on any other refusal, the question is marked failed with the reason, as
staff see it in the admin (reply_status, reply_error); a group chat whose notice failed is
forgotten, so its next message is told. A reply token works once: a reply LINE took just before
its worker died, unrecorded, is refused when tried again, so no resident gets a reply twice (that
question then reads failed although it was answered).
"""
from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta

from sqlalchemy import case, delete, func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from analytics.log import record_reply
from background import Background
from analytics.models import Message
from bot.line_api import READ_TIMEOUT, send_reply
from bot.models import GroupChat, PendingReply
from config import Settings
from db import utcnow

log = logging.getLogger(__name__)

BACKOFF_FIRST = 0.25  # seconds; doubled after each failed attempt
BACKOFF_MAX = 4.0
LEASE = timedelta(seconds=20)  # > connect (3 s) + read (10 s) timeouts of one attempt
POLL_SECONDS = 1.0  # how often rows left by other workers are looked for
BATCH = 20


class ReplySender(Background):
    """The sender of one process: a daemon thread woken by the webhook, polling as well."""

    name = "reply-sender"
    poll_seconds = POLL_SECONDS

    def __init__(self, sessionmaker_: sessionmaker[Session], settings: Settings) -> None:
        super().__init__()
        self._sessionmaker = sessionmaker_
        self._settings = settings

    def wait(self, reply_token: str | None = None, timeout: float = 30.0) -> bool:
        """Block until no reply (or none with this token) is pending; False on timeout. For the
        local chat page, which shows the reply in its response, and for tests."""
        deadline = time.monotonic() + timeout
        query = select(func.count()).select_from(PendingReply)
        if reply_token is not None:
            query = query.where(PendingReply.reply_token == reply_token)
        while time.monotonic() < deadline:
            with self._sessionmaker() as session:
                if not session.scalar(query):
                    return True
            time.sleep(0.02)
        return False

    def round(self) -> float:
        return self.send_due()

    def send_due(self) -> float:
        """Send every reply that is due and not leased; seconds until the next one is due."""
        with self._sessionmaker() as session:
            now = utcnow()
            due = session.scalars(select(PendingReply.id).where(
                PendingReply.next_attempt_at <= now, _free(now)).order_by(PendingReply.id).limit(BATCH)).all()
        for row_id in due:
            self.send(row_id)
        with self._sessionmaker() as session:
            # A row another sender holds is not due before its lease runs out. Counted as due now,
            # it had this thread query the database in a loop, on the CPU the workers answer with,
            # for as long as the other sender took to send it (bench/webhook_spans.py).
            now = utcnow()
            next_at = session.scalar(select(func.min(case(
                (PendingReply.lease_until > now, PendingReply.lease_until),
                else_=PendingReply.next_attempt_at))))
        if next_at is None:
            return POLL_SECONDS
        return min(max((next_at - utcnow()).total_seconds(), 0.0), POLL_SECONDS)

    def send(self, row_id: int) -> None:
        """Take one row (unless another sender has it) and try to send it once."""
        with self._sessionmaker() as session:
            now = utcnow()
            taken = session.execute(update(PendingReply).where(PendingReply.id == row_id, _free(now))
                                    .values(lease_until=now + LEASE)).rowcount
            session.commit()
            row = session.get(PendingReply, row_id) if taken == 1 else None
            if row is None:
                return
            deadline = row.received_at + timedelta(seconds=self._settings.reply_token_seconds)
            left = (deadline - utcnow()).total_seconds()
            if left <= 0:
                _finish(session, row, _expired(row.last_error or "not sent in time"))
                return
            error = send_reply(self._settings.line_api_base_url, self._settings.line_channel_access_token,
                               row.reply_token, row.messages, read_timeout=min(READ_TIMEOUT, left))
            if error is None or not error.retryable:
                _finish(session, row, error.reason if error else None)
                return
            wait = max(error.retry_after or 0.0, min(BACKOFF_FIRST * 2 ** row.attempts, BACKOFF_MAX))
            retry_at = utcnow() + timedelta(seconds=wait)
            if retry_at >= deadline:
                _finish(session, row, _expired(error.reason))
                return
            row.attempts += 1
            row.next_attempt_at, row.lease_until, row.last_error = retry_at, None, error.reason
            session.commit()


def _free(now: datetime):
    """Rows no sender holds (never leased, or the lease ran out: its worker died)."""
    return or_(PendingReply.lease_until.is_(None), PendingReply.lease_until < now)


def _expired(reason: str) -> str:
    return f"{reason} (gave up: the reply token expires)"[:2000]


def _finish(session: Session, row: PendingReply, error: str | None) -> None:
    """The reply went out (error None) or never will: note it on its question, forget a group
    chat whose notice failed, and drop the row, in one commit."""
    if error is not None:
        log.warning("reply %s not delivered: %s", row.id, error)
        if row.chat is not None:
            session.execute(delete(GroupChat).where(GroupChat.chat == row.chat))
    session.delete(row)
    question = session.get(Message, row.message_id) if row.message_id else None
    if question is not None:
        record_reply(session, question, error=error)
    session.commit()
