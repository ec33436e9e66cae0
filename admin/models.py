"""Staff accounts, the per-client record that slows down guessing passwords, and the jobs of the
check before publishing."""
from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db import Base, UTCDateTime, utcnow

ROLES = ("admin", "editor", "viewer")  # 管理者, 編集者, 閲覧者


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


class User(Base):
    __tablename__ = "staff_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(20), default="viewer")
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Goes into the session cookie with the id; a new one (logout, password, role) ends every
    # session issued before, including a copied cookie. Random, not a counter: SQLite can give a
    # deleted user's id to the next one, whose counter would start where the old cookies were.
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)
    # The 担当課 an editor may change entries of; none: every department (admin/accounts.may_edit).
    departments: Mapped[list["UserDepartment"]] = relationship(
        cascade="all, delete-orphan", order_by="UserDepartment.department", lazy="selectin")

    @property
    def department_names(self) -> frozenset[str]:
        return frozenset(d.department for d in self.departments)


class UserDepartment(Base):
    """One department (FaqEntry.department, as text) a staff member is responsible for."""

    __tablename__ = "staff_user_department"

    user_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id", ondelete="CASCADE"), primary_key=True)
    department: Mapped[str] = mapped_column(String(200), primary_key=True)


class LoginThrottle(Base):
    """Failed logins from one client address (an IPv6 client by its /64), whatever names it typed."""

    __tablename__ = "login_throttle"

    client: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CheckJob(Base):
    """One check before publishing (admin/check_jobs.py): a draft entry scored on the city's own
    questions, run off the request by a worker thread, with its progress and result."""

    __tablename__ = "check_job"

    id: Mapped[int] = mapped_column(primary_key=True)
    state: Mapped[str] = mapped_column(String(20), default="queued")  # queued | running | done | failed
    # 1 while queued or running, NULL after: the unique constraint lets one job at a time exist
    # (NULLs never collide), whichever process asks.
    active: Mapped[int | None] = mapped_column(Integer, unique=True, nullable=True)
    faq_id: Mapped[str] = mapped_column(String(64))
    draft: Mapped[dict] = mapped_column(JSON)  # the EntryRow being checked, as typed (not saved)
    started_by: Mapped[str] = mapped_column(String(100), default="")
    worker: Mapped[str | None] = mapped_column(String(200), nullable=True)  # host:pid running it
    done: Mapped[int] = mapped_column(Integer, default=0)  # questions scored so far
    total: Mapped[int] = mapped_column(Integer, default=0)  # questions to score (both indexes)
    result: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)  # why it failed, for staff
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
