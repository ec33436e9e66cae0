"""Login, logout, and the role check every admin view goes through."""
from __future__ import annotations

import hmac
from dataclasses import dataclass
from functools import wraps
from typing import Callable

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import LoginManager, UserMixin, current_user, login_required, login_user, logout_user
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.exceptions import Forbidden
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from admin.blueprint import bp
from admin.accounts import (ROLE_LABELS, ROLE_RANK, LoginResult, authenticate, client_key, end_sessions,
                            may_edit)
from admin.forms import LoginForm
from admin.models import User
from admin.safe_url import local_path
from audit import trail
from web import db_session

login_manager = LoginManager()
login_manager.login_view = "admin.login"
login_manager.login_message = "ログインしてください。"
login_manager.login_message_category = "info"
login_manager.session_protection = "strong"


@dataclass(frozen=True)
class Staff(UserMixin):
    """The logged-in staff member as the request sees it (detached from the DB session)."""

    id: int
    username: str
    role: str
    session_token: str
    departments: frozenset[str] = frozenset()  # read from the database on every request

    def get_id(self) -> str:
        # What Flask-Login keeps in the session: the token makes logout and a password or role
        # change end this session on the server, not only in this browser.
        return f"{self.id}:{self.session_token}"

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role]

    def can(self, role: str) -> bool:
        return ROLE_RANK[self.role] >= ROLE_RANK[role]

    def may_edit(self, department: str) -> bool:
        """May change entries of this 担当課 (admin/accounts.may_edit)."""
        return may_edit(self.role, self.departments, department)

    @property
    def limited(self) -> bool:
        """An editor kept to some departments: the FAQ pages mark what she may change."""
        return self.role == "editor" and bool(self.departments)


def staff_of(user: User) -> Staff:
    return Staff(user.id, user.username, user.role, user.session_token, user.department_names)


class DepartmentForbidden(Forbidden):
    """An entry of a department this editor is not responsible for."""

    def __init__(self, department: str):
        super().__init__()
        self.department = department


def require_department(*departments: str) -> None:
    """403 (nothing changed) unless the logged-in staff member may edit every one of these."""
    for department in departments:
        if not current_user.may_edit(department):
            raise DepartmentForbidden(department)


@login_manager.user_loader
def load_staff(session_id: str) -> Staff | None:
    user_id, _, token = session_id.partition(":")
    user = db_session().get(User, int(user_id)) if user_id.isdigit() and len(user_id) < 10 else None
    if user is None or not hmac.compare_digest(user.session_token.encode(), token.encode()):
        return None  # logged out, password or role changed, deleted: the cookie is dead
    return staff_of(user)


def role_required(role: str) -> Callable:
    """Login first; then 403 unless the staff member's role reaches `role`."""
    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.can(role):
                abort(403)
            return view(*args, **kwargs)
        return wrapped
    return decorator


FAILED = "ユーザー名またはパスワードが違うか、ログインの失敗が続いたため一時的にログインできません。"
DEVICE_COOKIE = "admin_device"
DEVICE_DAYS = 180
DEVICE_ACCOUNTS = 5  # a shared office PC remembers its last few accounts


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("admin.home"))
    form = LoginForm()
    if form.validate_on_submit():
        s = db_session()
        trusted = _device_accounts()
        result = authenticate(s, form.username.data, form.password.data, client_key(request.remote_addr),
                              frozenset(trusted))
        _record_login(s, result, form.username.data)
        try:
            s.commit()
        except IntegrityError:  # the same new client failing twice at once: the other one counted
            s.rollback()
            result = LoginResult(None)
            _record_login(s, result, form.username.data)
            s.commit()
        if result.user is not None:
            login_user(staff_of(result.user))
            flash(f"{result.user.username} さん、ようこそ。", "success")
            response = redirect(local_path(request.args.get("next"), "/admin") or url_for("admin.home"))
            _remember_device(response, [result.user.id] + [i for i in trusted if i != result.user.id])
            return response
        if result.wait_seconds:  # about this client only, never about an account
            flash(f"この端末からのログインの失敗が続いたため、{result.wait_seconds}秒後にもう一度お試しください。", "error")
        else:
            flash(FAILED, "error")
    return render_template("admin/login.html", form=form)


def _record_login(s: Session, result: LoginResult, typed_name: str) -> None:
    """A login in the trail; a failure with the typed name cut short, never the password."""
    address = request.remote_addr or ""
    if result.user is not None:
        trail.record(s, trail.Actor(result.user.id, result.user.username, address), "login", result.user.username)
        return
    detail = ("この接続元は失敗が続いたため待機中" if result.wait_seconds
              else "ユーザー名またはパスワードの誤り、またはアカウントが待機中")
    trail.record(s, trail.Actor(None, "", address), "login_failed", trail.masked_login_name(typed_name), detail)


def _device_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="admin-login-device")


def _device_accounts() -> list[int]:
    """The accounts this browser has logged in to (signed by us, so it cannot be made up)."""
    cookie = request.cookies.get(DEVICE_COOKIE)
    if not cookie:
        return []
    try:
        ids = _device_serializer().loads(cookie, max_age=DEVICE_DAYS * 86400)
    except BadSignature:
        return []
    return [i for i in ids if isinstance(i, int)] if isinstance(ids, list) else []


def _remember_device(response: Response, user_ids: list[int]) -> None:
    response.set_cookie(DEVICE_COOKIE, _device_serializer().dumps(user_ids[:DEVICE_ACCOUNTS]),
                        max_age=DEVICE_DAYS * 86400, path=url_for("admin.login"), httponly=True,
                        samesite="Lax", secure=bool(current_app.config["SESSION_COOKIE_SECURE"]) or request.is_secure)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    s = db_session()
    user = s.get(User, current_user.id)
    if user is not None:
        end_sessions(user)  # a copy of this cookie (or another browser's) stops working too
        trail.record(s, trail.Actor(user.id, user.username, request.remote_addr or ""), "logout", user.username)
        s.commit()
    logout_user()
    flash("ログアウトしました。", "info")
    return redirect(url_for("admin.login"))


@bp.route("/")
@login_required
def home():
    target = "admin.faq_list" if current_user.can("editor") else "admin.dashboard"
    return redirect(url_for(target))


@bp.errorhandler(403)
def forbidden(error):
    if isinstance(error, DepartmentForbidden):
        message = (f"「{error.department or '担当課なし'}」の FAQ は、あなたの担当課"
                   f"（{'、'.join(sorted(current_user.departments))}）ではないため変更できません。何も変更していません。"
                   "必要なら担当課の編集者か管理者に依頼してください。")
    else:
        message = "この操作はあなたの役割ではできません。必要なら管理者に依頼してください。"
    return render_template("admin/error.html", title="権限がありません", message=message), 403


@bp.errorhandler(413)
def too_large(_error):
    from admin.blueprint import UPLOAD_LIMIT

    return render_template("admin/error.html", title="ファイルが大きすぎます",
                           message=f"送信できるのは {UPLOAD_LIMIT // (1024 * 1024)} MB までです。何も変更していません。"
                                   "ファイルを分けてもう一度お試しください。"), 413


@bp.errorhandler(404)
def not_found(_error):
    return render_template("admin/error.html", title="見つかりません",
                           message="お探しのページや項目は見つかりませんでした。"), 404
