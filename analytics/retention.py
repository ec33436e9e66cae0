"""Retention: blank the words and the pseudonym of old questions, keep what the report counts.

A purged question keeps its row, time, source, outcome, entry, score, latency, feedback and staff
judgement, so every report (analytics/report.py counts outcome and review by month) and /metrics
print exactly as before; only `text` and `user` are emptied (the command also blanks the pseudonym
on the webhook events of those months: bot/retention.py). Phrasings already relearned into the FAQ
are FAQ content and stay.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from analytics.models import Message
from analytics.periods import month_range
from errors import UserError


class RetentionError(UserError, ValueError):
    """A purge that must not run; the message is for staff."""


def purge_cutoff(before: tuple[int, int], today: date):
    """The UTC instant purging stops at (the 1st of `before`, Japan time). The current month and
    later are refused: their questions are still being reviewed and reported."""
    if before >= (today.year, today.month):
        raise RetentionError(f"今月（{today.year}-{today.month:02d}）以降は指定できません。"
                             f"削除できるのは先月までです（例: --before {today.year}-{today.month:02d} は"
                             "先月までを削除します）。")
    return month_range(*before)[0]


def _to_purge(cutoff):
    return (Message.created_at < cutoff, or_(Message.text != "", Message.user != ""))


def count_purgeable(session: Session, cutoff) -> int:
    """Questions before cutoff whose text or pseudonym is still kept."""
    return session.scalar(select(func.count()).select_from(Message).where(*_to_purge(cutoff))) or 0


def purge_before(session: Session, cutoff) -> int:
    """Blank text and pseudonym of every question before cutoff; returns how many were changed.
    The caller commits (one transaction: a failure leaves everything as it was)."""
    return session.execute(update(Message).where(*_to_purge(cutoff)).values(text="", user="")
                           .execution_options(synchronize_session=False)).rowcount
