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


NOTICE_STATUSES = {  # what staff read
    "draft": "承認待ち",
    "approved": "配信予約",
    "sending": "配信中",
    "sent": "配信済み",
    "failed": "配信できませんでした",
    "cancelled": "取り消し",
}


class Notice(Base):
    """A notice to the residents subscribed to its topics: drafted by an editor (or another
    system through the API), approved by an administrator, then sent in batches."""

    __tablename__ = "notice"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text)
    url: Mapped[str] = mapped_column(String(1000), default="")
    image_url: Mapped[str] = mapped_column(String(1000), default="")
    topic_ids: Mapped[list] = mapped_column(JSON)
    send_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)  # None: on approval
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    source: Mapped[str] = mapped_column(String(20), default="admin")  # or "api"
    recipients: Mapped[int] = mapped_column(Integer, default=0)
    sent: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    # Who drafted, approved, sent ... and when: [{"action", "by", "at"}]. To move into the admin
    # audit trail (audit_event) once that lands.
    history: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class NoticeBatch(Base):
    """One multicast (up to 500 recipients) or push call, with the retry key it is sent with,
    stored before the first call so that a retry can never send twice. Recipients are kept
    encrypted, and only until the batch is done."""

    __tablename__ = "notice_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int | None] = mapped_column(ForeignKey("notice.id", ondelete="CASCADE"), index=True,
                                                  nullable=True)
    recipients: Mapped[str] = mapped_column(Text)  # Fernet token of a JSON list of user ids; "" once done
    count: Mapped[int] = mapped_column(Integer)
    messages: Mapped[list] = mapped_column(JSON)
    retry_key: Mapped[str] = mapped_column(String(36), unique=True)
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)  # sent, failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class StaffLink(Base):
    """A staff member's own LINE, for test sends: linked by sending a one-time code to the bot."""

    __tablename__ = "staff_line_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id", ondelete="CASCADE"), unique=True)
    line_user_id: Mapped[str | None] = mapped_column(Text, nullable=True)  # Fernet token
    code_hash: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    code_expires: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
