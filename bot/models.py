"""Webhook events seen, so a redelivered event is answered once even across workers; group and
room chats already told how to ask privately; replies waiting for the sender."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db import Base, UTCDateTime, utcnow


class WebhookEvent(Base):
    __tablename__ = "webhook_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    webhook_event_id: Mapped[str] = mapped_column(String(64), unique=True)
    type: Mapped[str] = mapped_column(String(30))
    user: Mapped[str] = mapped_column(String(64), default="")  # pseudonym
    message_id: Mapped[int | None] = mapped_column(ForeignKey("message.id"), nullable=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class GroupChat(Base):
    """A group or room chat that has been told how to ask 1:1 (so it is told once)."""

    __tablename__ = "group_chat"

    id: Mapped[int] = mapped_column(primary_key=True)
    # keyed-HMAC pseudonym of the groupId / roomId, like users': the raw id is not kept
    chat: Mapped[str] = mapped_column(String(64), unique=True)
    told_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PendingReply(Base):
    """A reply committed with its event, sent by a sender thread of any worker (bot/sender.py)
    and deleted once LINE took it or it cannot be sent."""

    __tablename__ = "pending_reply"

    id: Mapped[int] = mapped_column(primary_key=True)
    reply_token: Mapped[str] = mapped_column(Text)
    messages: Mapped[list] = mapped_column(JSON)  # LINE message objects
    # The reply token is usable for a limited time after the event arrived.
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("message.id"), nullable=True)
    chat: Mapped[str | None] = mapped_column(String(64), nullable=True)  # a group chat's notice
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)


class ResidentPreference(Base):
    """What a resident asked the bot to remember (by pseudonym): answers in やさしい日本語."""

    __tablename__ = "resident_preference"

    id: Mapped[int] = mapped_column(primary_key=True)
    user: Mapped[str] = mapped_column(String(64), unique=True)  # keyed-HMAC pseudonym, never raw
    easy_japanese: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
