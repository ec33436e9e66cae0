"""Staff accounts, and the per-client record that slows down guessing passwords."""
from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
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
