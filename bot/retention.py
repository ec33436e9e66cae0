"""Retention on the LINE side: the pseudonym kept on each webhook event (no Flask here).

`logs purge` blanks old questions' pseudonyms (analytics/retention.py); an event row links its
question to the same pseudonym, so it is blanked for the same months.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from bot.models import WebhookEvent


def forget_event_users(session: Session, cutoff: datetime) -> int:
    """Blank the pseudonym of every event received before cutoff; the caller commits."""
    return session.execute(update(WebhookEvent).where(WebhookEvent.received_at < cutoff, WebhookEvent.user != "")
                           .values(user="").execution_options(synchronize_session=False)).rowcount
