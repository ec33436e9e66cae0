"""Staff accounts: create, authenticate, slow down guessing. No Flask here, and no commit: the
caller commits (with the audit event of what it did).

Guessing is slowed two ways, chosen so that nobody can lock a colleague out by typing wrong
passwords under her name:
- per client address: after CLIENT_FREE_FAILURES failures (any names) the address waits, doubling
  up to MAX_DELAY. This is what stops one machine guessing; it only ever locks out the guesser.
- per account: after FREE_FAILURES failures (from anywhere) the account waits too, but only for
  browsers that have never logged in to it. A browser that has (it holds a signed "device" cookie
  for that account, OWASP's device cookies) still gets in with the right password, so a third
  party can lock out new browsers of an account, never the browser its owner uses.
Every failure — unknown name, wrong password, account waiting — gets the same message and runs
the same password hash, so neither the answer nor its time tells which names exist.
"""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from admin.models import ROLES, LoginThrottle, User, UserDepartment, new_session_token
from db import utcnow
from errors import UserError

ROLE_LABELS = {"admin": "管理者", "editor": "編集者", "viewer": "閲覧者"}
ROLE_RANK = {"viewer": 0, "editor": 1, "admin": 2}
MIN_PASSWORD_LENGTH = 8
# Five free attempts per account (typos happen), ten per client address (an office shares one
# address), then a wait that doubles with each further failure.
FREE_FAILURES = 5
CLIENT_FREE_FAILURES = 10
FIRST_DELAY = timedelta(seconds=30)
MAX_DELAY = timedelta(minutes=15)
CLIENT_MEMORY = timedelta(days=1)  # a client's failures older than this are forgotten

_dummy_hash: str | None = None


class AccountError(UserError, ValueError):
    """A request staff can fix; the message is Japanese."""


@dataclass
class LoginResult:
    user: User | None
    wait_seconds: int = 0  # > 0: this client must wait (it says nothing about any account)


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
    user = User(username=username, password_hash=generate_password_hash(password), role=role,
                failed_logins=0, session_token=new_session_token())
    session.add(user)
    session.flush()
    return user


def end_sessions(user: User) -> None:
    """Every session cookie issued to this user stops working, copies included."""
    user.session_token = new_session_token()


def set_password(session: Session, user: User, password: str) -> None:
    check_password_rules(password)
    user.password_hash = generate_password_hash(password)
    user.failed_logins = 0
    user.locked_until = None
    end_sessions(user)
    session.flush()


def set_role(session: Session, user: User, role: str) -> None:
    if role not in ROLES:
        raise AccountError("不明な役割です。")
    if user.role == "admin" and role != "admin" and admin_count(session) <= 1:
        raise AccountError("最後の管理者の役割は変更できません。")
    if role != user.role:
        user.role = role
        end_sessions(user)
    session.flush()


def delete_user(session: Session, user: User) -> None:
    if user.role == "admin" and admin_count(session) <= 1:
        raise AccountError("最後の管理者は削除できません。")
    session.delete(user)
    session.flush()


def may_edit(role: str, departments: frozenset[str], department: str) -> bool:
    """Whether staff may create, change or unpublish an entry of `department`: admins always;
    editors with no departments set, for every department; other editors, for theirs only."""
    if role == "admin":
        return True
    return role == "editor" and (not departments or department in departments)


def set_departments(session: Session, user: User, departments: list[str]) -> None:
    """The departments whose entries this editor may change (none: all of them)."""
    wanted = sorted({name.strip() for name in departments if name.strip()})
    if any(len(name) > 200 for name in wanted):
        raise AccountError("担当課の名前が長すぎます（200文字まで）。")
    kept = [d for d in user.departments if d.department in wanted]
    present = {d.department for d in kept}
    user.departments = kept + [UserDepartment(department=name) for name in wanted if name not in present]
    session.flush()


def admin_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(User).where(User.role == "admin")) or 0


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.username)))


def client_key(address: str | None) -> str:
    """The address failures are counted under: an IPv6 client by its /64 (one host gets a whole
    /64 and could otherwise walk through it)."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return (address or "unknown")[:64]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def authenticate(session: Session, username: str, password: str, client: str,
                 trusted_user_ids: frozenset[int] = frozenset(), now: datetime | None = None) -> LoginResult:
    """Check a password (see the module's docstring). `client` is client_key(address);
    `trusted_user_ids` the accounts this browser has logged in to before (its device cookie)."""
    now = now or utcnow()
    throttle = session.get(LoginThrottle, client)
    if throttle is not None and throttle.locked_until is not None and throttle.locked_until > now:
        return LoginResult(None, wait_seconds=_seconds(throttle.locked_until - now))
    user = session.scalar(select(User).where(User.username == username.strip()))
    # One hash whatever the case, so an unknown name or a waiting account takes as long as a
    # wrong password.
    correct = check_password_hash(user.password_hash if user else _dummy(), password) and user is not None
    locked = user is not None and user.locked_until is not None and user.locked_until > now
    waiting = locked and user.id not in trusted_user_ids
    if correct and not waiting:
        if not locked:  # her own browser getting in does not lift a wait others' guesses caused
            user.failed_logins = 0
            user.locked_until = None
        if throttle is not None:
            session.delete(throttle)
        session.flush()
        return LoginResult(user)
    if not correct:  # the right password while the account waits is no guess: the client is not charged
        _count_client_failure(session, throttle, client, now)
        if user is not None:
            user.failed_logins += 1
            wait = lock_delay(user.failed_logins, FREE_FAILURES)
            user.locked_until = now + wait if wait else None
    session.flush()
    return LoginResult(None)


def _count_client_failure(session: Session, throttle: LoginThrottle | None, client: str, now: datetime) -> None:
    # Addresses quiet for a day are forgotten, so guesses from many addresses do not pile up rows.
    session.execute(delete(LoginThrottle).where(LoginThrottle.updated_at < now - CLIENT_MEMORY,
                                                LoginThrottle.client != client))
    if throttle is None:
        throttle = LoginThrottle(client=client, failures=0)
        session.add(throttle)
    elif throttle.updated_at < now - CLIENT_MEMORY:
        throttle.failures = 0
    throttle.failures += 1
    throttle.updated_at = now
    wait = lock_delay(throttle.failures, CLIENT_FREE_FAILURES)
    throttle.locked_until = now + wait if wait else None


def lock_delay(failures: int, free: int = FREE_FAILURES) -> timedelta:
    if failures < free:
        return timedelta(0)
    return min(FIRST_DELAY * 2 ** min(failures - free, 20), MAX_DELAY)


def _seconds(delta: timedelta) -> int:
    return int(delta.total_seconds()) + 1


def _dummy() -> str:
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = generate_password_hash("not-a-password")
    return _dummy_hash
