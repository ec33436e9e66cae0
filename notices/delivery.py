"""Sending approved notices (no Flask here): a thread in every worker, like bot/sender.py.

A notice that is due is taken by one worker with a conditional update (approved → sending); in
the same commit its recipients are split into batches of at most 500 (LINE's multicast limit),
each stored with its own retry key (a UUID) before any call. A batch is taken with a lease and
sent with `X-Line-Retry-Key`; LINE unreachable, 5xx or 429 → tried again with the same key
after 1, 2, 4 ... 300 s, at most MAX_ATTEMPTS times (LINE keeps a key for 24 hours). A key LINE
already accepted is answered 409 and counts as sent: a retry after a lost answer, or by a
worker that died after the call, never sends twice. Recipients are kept encrypted, and only
until their batch is done; the notice keeps the counts. The functions here never commit: the
sender thread (NoticeSender, a surface like the admin's views) wraps each step in a unit of work.
"""
from __future__ import annotations

import json
import logging
import time
import uuid
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from background import Background
from bot.line_api import send_multicast
from config import Settings
from db import unit_of_work, utcnow
from handoff import push as handoff_push
from notices import service
from notices.crypto import IdBox, id_box
from notices.models import Notice, NoticeBatch
from notices.subscriptions import recipients

log = logging.getLogger(__name__)

CHUNK = 500  # LINE's multicast limit
MAX_ATTEMPTS = 10
BACKOFF_FIRST = 1.0
BACKOFF_MAX = 300.0
LEASE = timedelta(seconds=30)  # > connect + read timeouts of one call
POLL_SECONDS = 2.0
SENDER = "配信"  # who the history says sent it


class NoticeSender(Background):
    """The notice sender of one process: a daemon thread, woken by an approval, polling as well."""

    name = "notice-sender"
    poll_seconds = POLL_SECONDS

    def __init__(self, sessionmaker_: sessionmaker[Session], settings: Settings) -> None:
        super().__init__()
        self._sessionmaker = sessionmaker_
        self._settings = settings

    def wait(self, timeout: float = 30.0) -> bool:
        """Block until no notice is due or sending; False on timeout (for tests)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._sessionmaker() as session:
                now = utcnow()
                busy = session.scalar(select(func.count()).select_from(Notice).where(or_(
                    Notice.status == "sending",
                    (Notice.status == "approved") & or_(Notice.send_at.is_(None), Notice.send_at <= now))))
            if not busy:
                return True
            time.sleep(0.05)
        return False

    def round(self) -> float:
        return self.run_once()

    def run_once(self) -> float:
        """Start the notices that are due, send the batches that are due; seconds to wait."""
        box = id_box(self._settings.line_id_keys)
        if box is None:
            return POLL_SECONDS
        now = utcnow()
        with self._sessionmaker() as session:
            due = session.scalars(select(Notice.id).where(
                Notice.status == "approved", or_(Notice.send_at.is_(None), Notice.send_at <= now))).all()
        for notice_id in due:
            self.start_notice(box, notice_id)
        with self._sessionmaker() as session:
            batches = session.scalars(select(NoticeBatch.id).where(
                NoticeBatch.status == "pending", NoticeBatch.next_attempt_at <= utcnow(), _free(utcnow()))
                .order_by(NoticeBatch.id).limit(20)).all()
        for batch_id in batches:
            self.send(box, batch_id)
        with self._sessionmaker() as session:  # staff replies in the 相談 inbox LINE did not take yet
            for message_id in handoff_push.due(session):
                with unit_of_work(session):  # the lease is committed before LINE is called
                    taken = handoff_push.take(session, message_id)
                if taken:
                    with unit_of_work(session):
                        handoff_push.deliver(session, self._settings, box, message_id)
        with self._sessionmaker() as session, unit_of_work(session):  # two workers finishing the last two batches
            for notice in session.scalars(select(Notice).where(Notice.status == "sending")):
                _finish_if_done(session, notice)
        with self._sessionmaker() as session:
            next_at = session.scalar(select(func.min(NoticeBatch.next_attempt_at))
                                     .where(NoticeBatch.status == "pending"))
        if next_at is None:
            return POLL_SECONDS
        return min(max((next_at - utcnow()).total_seconds(), 0.0), POLL_SECONDS)

    def start_notice(self, box: IdBox, notice_id: int) -> None:
        """Take a due notice (unless another worker has) and store its batches and retry keys."""
        with self._sessionmaker() as session, unit_of_work(session):
            taken = session.execute(update(Notice).where(Notice.id == notice_id, Notice.status == "approved")
                                    .values(status="sending")).rowcount
            if taken != 1:
                return
            notice = session.get(Notice, notice_id)
            ids, unreadable = recipients(session, box, notice.topic_ids)
            messages = [service.message(notice).to_dict()]
            for start in range(0, len(ids), CHUNK):
                chunk = ids[start:start + CHUNK]
                session.add(NoticeBatch(notice_id=notice.id, recipients=box.seal(json.dumps(chunk)),
                                        count=len(chunk), messages=messages, retry_key=str(uuid.uuid4())))
            notice.recipients, notice.failed = len(ids) + unreadable, unreadable
            service.note(notice, "sending", SENDER)
            session.flush()
            _finish_if_done(session, notice)

    def send(self, box: IdBox, batch_id: int) -> None:
        """Take one batch (unless another worker has it) and call LINE once with its retry key."""
        with self._sessionmaker() as session:
            with unit_of_work(session):  # the lease is committed before LINE is called
                now = utcnow()
                taken = session.execute(update(NoticeBatch).where(
                    NoticeBatch.id == batch_id, NoticeBatch.status == "pending", _free(now))
                    .values(lease_until=now + LEASE)).rowcount
            with unit_of_work(session):
                batch = session.get(NoticeBatch, batch_id) if taken == 1 else None
                if batch is None:
                    return
                to = json.loads(box.open(batch.recipients) or "null")
                if to is None:
                    _done(session, batch, "recipients cannot be decrypted (a key was dropped from LINE_ID_KEYS)")
                    return
                error = send_multicast(self._settings.line_api_base_url, self._settings.line_channel_access_token,
                                       to, batch.messages, batch.retry_key)
                if error is None or not error.retryable or batch.attempts + 1 >= MAX_ATTEMPTS:
                    _done(session, batch, error.reason if error else None)
                    return
                wait = max(error.retry_after or 0.0, min(BACKOFF_FIRST * 2 ** batch.attempts, BACKOFF_MAX))
                batch.attempts += 1
                batch.next_attempt_at, batch.lease_until, batch.last_error = (
                    utcnow() + timedelta(seconds=wait), None, error.reason)


def _free(now: datetime):
    return or_(NoticeBatch.lease_until.is_(None), NoticeBatch.lease_until < now)


def _done(session: Session, batch: NoticeBatch, error: str | None) -> None:
    """A batch went out (error None) or never will: count it on its notice, forget its
    recipients, and close the notice when it was the last one, in the caller's one commit."""
    if error is not None:
        log.warning("notice batch %s not delivered: %s", batch.id, error)
    batch.status, batch.last_error, batch.recipients, batch.lease_until = (
        "sent" if error is None else "failed", error, "", None)
    counter = Notice.sent if error is None else Notice.failed
    session.execute(update(Notice).where(Notice.id == batch.notice_id).values({counter: counter + batch.count}))
    session.flush()
    notice = session.get(Notice, batch.notice_id)
    session.refresh(notice)
    _finish_if_done(session, notice)


def _finish_if_done(session: Session, notice: Notice) -> None:
    pending = session.scalar(select(func.count()).select_from(NoticeBatch).where(
        NoticeBatch.notice_id == notice.id, NoticeBatch.status == "pending"))
    if pending or notice.status != "sending":
        return
    notice.status = "failed" if notice.failed and not notice.sent else "sent"
    service.note(notice, notice.status, SENDER)
