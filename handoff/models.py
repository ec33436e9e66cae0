"""Conversations with staff: open while a resident talks to a person, the LINE user id kept
(encrypted) only while open."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db import Base, UTCDateTime, utcnow


class Conversation(Base):
    __tablename__ = "conversation"

    id: Mapped[int] = mapped_column(primary_key=True)
    user: Mapped[str] = mapped_column(String(64), index=True)  # pseudonym, as in the question log
    # The pseudonym again while open, NULL once closed: unique, so a resident has one open
    # conversation at most, even when two requests race (NULLs do not collide on either database).
    open_user: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    line_user_id: Mapped[str | None] = mapped_column(Text, nullable=True)  # Fernet token; NULL once closed
    status: Mapped[str] = mapped_column(String(20), default="open")  # open | closed
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_message_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closed_by: Mapped[str | None] = mapped_column(String(100), nullable=True)


class ConversationMessage(Base):
    __tablename__ = "conversation_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversation.id", ondelete="CASCADE"), index=True)
    sender: Mapped[str] = mapped_column(String(20))  # resident | staff
    staff: Mapped[str | None] = mapped_column(String(100), nullable=True)  # who replied
    text: Mapped[str] = mapped_column(Text)  # a resident's text masked, as in the question log
    retry_key: Mapped[str | None] = mapped_column(String(36), nullable=True)  # a staff reply's push
    status: Mapped[str] = mapped_column(String(20), default="received")  # received | sending | sent | failed
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A staff reply is a stored job (handoff/push.py): tried at once, then by the notice sender.
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
