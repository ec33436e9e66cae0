"""Topics residents can subscribe to, the residents who did (their LINE user id encrypted), and
the notices staff send them."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db import Base, UTCDateTime, utcnow


class Topic(Base):
    """防災, 子育て, ごみ ...: what a resident may choose to receive."""

    __tablename__ = "notice_topic"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(20), unique=True)  # a quick-reply label is 20 characters
    description: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Subscriber(Base):
    """A resident who opted in to at least one topic. The row (and with it the encrypted LINE
    user id) is deleted when the last topic is dropped or the resident blocks the account."""

    __tablename__ = "subscriber"

    id: Mapped[int] = mapped_column(primary_key=True)
    user: Mapped[str] = mapped_column(String(64), unique=True)  # pseudonym, to find the row from a webhook
    line_user_id: Mapped[str] = mapped_column(Text)  # Fernet token (notices/crypto.py)
    consented_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Subscription(Base):
    __tablename__ = "subscription"
    __table_args__ = (UniqueConstraint("subscriber_id", "topic_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscriber.id", ondelete="CASCADE"), index=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("notice_topic.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
