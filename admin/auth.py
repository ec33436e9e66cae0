"""Login, logout, and the role check every admin view goes through."""
from __future__ import annotations

from dataclasses import dataclass
from functools import wraps
from typing import Callable
from urllib.parse import urlsplit

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import LoginManager, UserMixin, current_user, login_required, login_user, logout_user

from admin import bp
from admin.accounts import ROLE_LABELS, ROLE_RANK, authenticate
from admin.forms import LoginForm
from admin.models import User
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

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role]

    def can(self, role: str) -> bool:
        return ROLE_RANK[self.role] >= ROLE_RANK[role]


@login_manager.user_loader
def load_staff(user_id: str) -> Staff | None:
    user = db_session().get(User, int(user_id)) if user_id.isdigit() else None
    return Staff(user.id, user.username, user.role) if user else None


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


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("admin.home"))
    form = LoginForm()
    if form.validate_on_submit():
        result = authenticate(db_session(), form.username.data, form.password.data)
        if result.user is not None:
            login_user(Staff(result.user.id, result.user.username, result.user.role))
            flash(f"{result.user.username} さん、ようこそ。", "success")
            return redirect(_safe_next(request.args.get("next")))
        if result.wait_seconds:
            flash(f"ログインの失敗が続いたため、{result.wait_seconds}秒後にもう一度お試しください。", "error")
        else:
            flash("ユーザー名またはパスワードが違います。", "error")
    return render_template("admin/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    logout_user()
    flash("ログアウトしました。", "info")
    return redirect(url_for("admin.login"))


@bp.route("/")
@login_required
def home():
    target = "admin.faq_list" if current_user.can("editor") else "admin.dashboard"
    return redirect(url_for(target))


def _safe_next(target: str | None) -> str:
    """Only follow a local /admin path, never another site (open redirect)."""
    if target and target.startswith("/admin") and not urlsplit(target).netloc and "\\" not in target:
        return target
    return url_for("admin.home")


@bp.errorhandler(403)
def forbidden(_error):
    return render_template("admin/error.html", title="権限がありません",
                           message="この操作はあなたの役割ではできません。必要なら管理者に依頼してください。"), 403


@bp.errorhandler(404)
def not_found(_error):
    return render_template("admin/error.html", title="見つかりません",
                           message="お探しのページや項目は見つかりませんでした。"), 404
