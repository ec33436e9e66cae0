"""Staff accounts: create, authenticate, slow down repeated failed logins. No Flask here."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from admin.models import ROLES, User
from db import utcnow

ROLE_LABELS = {"admin": "管理者", "editor": "編集者", "viewer": "閲覧者"}
ROLE_RANK = {"viewer": 0, "editor": 1, "admin": 2}
MIN_PASSWORD_LENGTH = 8
# Five free attempts (typos happen), then a wait that doubles with each further failure.
FREE_FAILURES = 5
FIRST_DELAY = timedelta(seconds=30)
MAX_DELAY = timedelta(minutes=15)

_dummy_hash: str | None = None


class AccountError(ValueError):
    """A request staff can fix; the message is Japanese."""


@dataclass
class LoginResult:
    user: User | None
    wait_seconds: int = 0  # > 0: locked, try again later


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"パスワードは{MIN_PASSWORD_LENGTH}文字以上にしてください。")


def create_user(session: Session, username: str, password: str, role: str) -> User:
    username = username.strip()
    if not username:
        raise AccountError("ユーザー名を入力してください。")
    if role not in ROLES:
        raise AccountError(f"役割は {', '.join(ROLES)} のいずれかです。")
    check_password_rules(password)
    if session.scalar(select(User).where(User.username == username)) is not None:
        raise AccountError(f"ユーザー名「{username}」は既に使われています。")
    user = User(username=username, password_hash=generate_password_hash(password), role=role)
    session.add(user)
    session.commit()
    return user


def set_password(session: Session, user: User, password: str) -> None:
    check_password_rules(password)
    user.password_hash = generate_password_hash(password)
    user.failed_logins = 0
    user.locked_until = None
    session.commit()


def set_role(session: Session, user: User, role: str) -> None:
    if role not in ROLES:
        raise AccountError("不明な役割です。")
    if user.role == "admin" and role != "admin" and admin_count(session) <= 1:
        raise AccountError("最後の管理者の役割は変更できません。")
    user.role = role
    session.commit()


def delete_user(session: Session, user: User) -> None:
    if user.role == "admin" and admin_count(session) <= 1:
        raise AccountError("最後の管理者は削除できません。")
    session.delete(user)
    session.commit()


def admin_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(User).where(User.role == "admin")) or 0


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.username)))


def authenticate(session: Session, username: str, password: str, now: datetime | None = None) -> LoginResult:
    """Check a password; after FREE_FAILURES failures the account waits, even for the right one."""
    now = now or utcnow()
    user = session.scalar(select(User).where(User.username == username.strip()))
    if user is None:
        # Hash anyway so an unknown name takes as long as a wrong password.
        check_password_hash(_dummy(), password)
        return LoginResult(None)
    if user.locked_until is not None and user.locked_until > now:
        return LoginResult(None, wait_seconds=int((user.locked_until - now).total_seconds()) + 1)
    if check_password_hash(user.password_hash, password):
        user.failed_logins = 0
        user.locked_until = None
        session.commit()
        return LoginResult(user)
    user.failed_logins += 1
    wait = lock_delay(user.failed_logins)
    user.locked_until = now + wait if wait else None
    session.commit()
    return LoginResult(None, wait_seconds=int(wait.total_seconds()))


def lock_delay(failures: int) -> timedelta:
    if failures < FREE_FAILURES:
        return timedelta(0)
    return min(FIRST_DELAY * 2 ** (failures - FREE_FAILURES), MAX_DELAY)


def _dummy() -> str:
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = generate_password_hash("not-a-password")
    return _dummy_hash
