"""The review sample: a random draw of one month's answered questions for staff to judge.

The city counts every unreviewed answer as 正答, and the answers staff do review are not a random
set (a 👎 sends a question to them first), so neither says how often the bot is really right. A
random sample, judged in full, does (analytics/estimate.py). It is drawn once per month: drawing
again until the estimate looks good would defeat it. The seed and the members are stored; the same
seed over the same ids (ascending) gives the same members.
"""
from __future__ import annotations

import random
import secrets

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from analytics.models import LOCAL_CHAT_SOURCE, Message, Outcome, Review, ReviewSample, ReviewSampleItem
from analytics.periods import month_range
from errors import UserError

DEFAULT_SIZE = 50
MAX_SIZE = 1000


class SampleError(UserError, ValueError):
    """A draw that cannot be made; the message is for staff."""


def answered_in_month(year: int, month: int):
    """The month's 回答 as the report counts them (answered, not judged 除外, not the local chat)."""
    start, end = month_range(year, month)
    return (Message.created_at >= start, Message.created_at < end, Message.outcome == Outcome.ANSWERED,
            or_(Message.review.is_(None), Message.review != Review.EXCLUDED), Message.source != LOCAL_CHAT_SOURCE)


def draw_ids(ids: list[int], size: int, seed: int) -> list[int]:
    """The members a seed picks from these ids (ascending), ascending."""
    ordered = sorted(ids)
    return sorted(random.Random(seed).sample(ordered, min(size, len(ordered))))


def draw_sample(session: Session, year: int, month: int, size: int, author: str,
                seed: int | None = None) -> ReviewSample:
    """Draw and store the month's sample (the caller commits)."""
    if not 1 <= size <= MAX_SIZE:
        raise SampleError(f"標本の件数は 1〜{MAX_SIZE} にしてください。")
    if find_sample(session, year, month) is not None:
        raise SampleError(f"{year}年{month}月の標本はすでに抽出しています。標本は月に一度だけ抽出します"
                          "（引き直せると、都合のよい標本を選べてしまうため）。")
    ids = list(session.scalars(select(Message.id).where(*answered_in_month(year, month), Message.text != "")))
    if not ids:
        purged = session.scalar(select(Message.id).where(*answered_in_month(year, month)).limit(1))
        raise SampleError(f"{year}年{month}月の質問は本文を削除済み（logs purge）のため、判定できません。" if purged
                          else f"{year}年{month}月には回答した質問がありません。")
    seed = secrets.randbelow(2**31) if seed is None else seed
    sample = ReviewSample(year=year, month=month, seed=seed, size=size, population=len(ids), drawn_by=author)
    session.add(sample)
    session.flush()
    session.add_all(ReviewSampleItem(sample_id=sample.id, message_id=i) for i in draw_ids(ids, size, seed))
    session.flush()
    return sample


def find_sample(session: Session, year: int, month: int) -> ReviewSample | None:
    return session.scalar(select(ReviewSample).where(ReviewSample.year == year, ReviewSample.month == month))


def sample_messages(session: Session, sample: ReviewSample) -> list[Message]:
    """The sample's questions, oldest first."""
    return list(session.scalars(
        select(Message).join(ReviewSampleItem, ReviewSampleItem.message_id == Message.id)
        .where(ReviewSampleItem.sample_id == sample.id).order_by(Message.created_at, Message.id)))
