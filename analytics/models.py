"""The message log: one row per resident question, with the bot's outcome and staff review."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db import Base, UTCDateTime, utcnow



class Outcome(StrEnum):
    """What the bot did with a question; the values are what the database and CSVs hold."""
    EXCLUDED = "excluded"
    NO_TITLE = "no_title"
    NO_ANSWER = "no_answer"
    ANSWERED = "answered"


class Review(StrEnum):
    """The staff judgement of a question; the values are what the database and CSVs hold."""
    CORRECT = "correct"
    RELEARN = "relearn"
    EXCLUDED = "excluded"


OUTCOMES = tuple(Outcome)
REVIEWS = tuple(Review)
# Messages typed on the local chat page (staff trying the bot): logged, never in the council report.
LOCAL_CHAT_SOURCE = "chat"


class Message(Base):
    __tablename__ = "message"
    __table_args__ = (Index("ix_message_created_at", "created_at"),
                      # the resident's last question, for the language of a sticker's reply
                      Index("ix_message_user_id", "user", "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user: Mapped[str] = mapped_column(String(64), default="")  # keyed-HMAC pseudonym, never raw
    kind: Mapped[str] = mapped_column(String(20), default="text")  # text | sticker | image | ...
    text: Mapped[str] = mapped_column(Text, default="")  # personal data masked
    outcome: Mapped[str] = mapped_column(String(20))  # an Outcome
    faq_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    candidates: Mapped[list | None] = mapped_column(JSON, nullable=True)  # faq ids offered
    latency_ms: Mapped[float | None] = mapped_column(Float, nullable=True)
    feedback: Mapped[str | None] = mapped_column(String(10), nullable=True)  # up | down
    review: Mapped[str | None] = mapped_column(String(20), nullable=True)  # a Review
    correct_faq_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    reviewed_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    source: Mapped[str] = mapped_column(String(20), default="line")  # line | import | chat
    reply_status: Mapped[str | None] = mapped_column(String(20), nullable=True)  # sent | failed
    reply_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    reply_count: Mapped[int] = mapped_column(Integer, default=0)
    # the language the bot spoke to the resident (retrieval.language: ja, en, zh, ...)
    language: Mapped[str] = mapped_column(String(8), default="ja")


class ReviewSample(Base):
    """A random sample of one JST month's answered questions for staff to judge, drawn once: the
    estimate of the true 正答率 (analytics/estimate.py) rests on it. The seed and the members are
    stored, so the draw can be checked and repeated."""

    __tablename__ = "review_sample"
    __table_args__ = (UniqueConstraint("year", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    month: Mapped[int] = mapped_column(Integer)
    seed: Mapped[int] = mapped_column(Integer)  # random.Random(seed).sample over the ids, ascending
    size: Mapped[int] = mapped_column(Integer)  # asked for (the month may have had fewer)
    population: Mapped[int] = mapped_column(Integer)  # answered questions of the month when drawn
    drawn_by: Mapped[str] = mapped_column(String(100), default="")
    drawn_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReviewSampleItem(Base):
    __tablename__ = "review_sample_item"
    __table_args__ = (UniqueConstraint("sample_id", "message_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sample_id: Mapped[int] = mapped_column(ForeignKey("review_sample.id", ondelete="CASCADE"), index=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("message.id", ondelete="CASCADE"), index=True)
