"""User management (管理者 only): create accounts, change roles, reset passwords."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_user

from admin.blueprint import bp
from admin.accounts import ROLE_LABELS, AccountError, create_user, delete_user, list_users, set_password, set_role
from admin.audit_views import note
from admin.auth import role_required, staff_of
from admin.forms import PasswordForm, RoleForm, UserForm
from admin.models import User
from web import db_session


@bp.route("/users", methods=["GET", "POST"])
@role_required("admin")
def users():
    form = UserForm()
    if form.validate_on_submit():
        s = db_session()
        try:
            user = create_user(s, form.username.data, form.password.data, form.role.data)
            note("user_create", user.username, f"役割: {ROLE_LABELS[user.role]}")
            s.commit()
        except AccountError as exc:
            s.rollback()
            flash(str(exc), "error")
        else:
            flash(f"ユーザー「{user.username}」を作りました。初期パスワードを本人に伝えてください。", "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/users.html", form=form, users=list_users(db_session()),
                           role_form=RoleForm, password_form=PasswordForm)


@bp.route("/users/<id:user_id>/role", methods=["POST"])
@role_required("admin")
def user_role(user_id: int):
    user = _user(user_id)
    form = RoleForm()
    if form.validate_on_submit():
        s = db_session()
        before = user.role
        try:
            set_role(s, user, form.role.data)
            if user.role != before:
                note("user_role", user.username, f"{ROLE_LABELS[before]} → {ROLE_LABELS[user.role]}")
            s.commit()
        except AccountError as exc:
            s.rollback()
            flash(str(exc), "error")
        else:
            _keep_own_session(user)
            flash(f"「{user.username}」の役割を変更しました。", "success")
    return redirect(url_for("admin.users"))


@bp.route("/users/<id:user_id>/password", methods=["POST"])
@role_required("admin")
def user_password(user_id: int):
    user = _user(user_id)
    form = PasswordForm()
    if form.validate_on_submit():
        s = db_session()
        set_password(s, user, form.password.data)
        note("user_password", user.username, "パスワードを再設定し、ロックを解除")
        s.commit()
        _keep_own_session(user)
        flash(f"「{user.username}」のパスワードを再設定し、ロックを解除しました。", "success")
    else:
        flash(" ".join(form.password.errors) or "パスワードを入力してください。", "error")
    return redirect(url_for("admin.users"))


@bp.route("/users/<id:user_id>/delete", methods=["POST"])
@role_required("admin")
def user_delete(user_id: int):
    user = _user(user_id)
    if user.id == current_user.id:
        flash("自分自身は削除できません。", "error")
        return redirect(url_for("admin.users"))
    s = db_session()
    try:
        name, role = user.username, user.role
        delete_user(s, user)
        note("user_delete", name, f"役割: {ROLE_LABELS[role]}")
        s.commit()
    except AccountError as exc:
        s.rollback()
        flash(str(exc), "error")
    else:
        flash(f"ユーザー「{user.username}」を削除しました。", "success")
    return redirect(url_for("admin.users"))


def _keep_own_session(user: User) -> None:
    """Changing one's own password or role ends one's other sessions, not this one."""
    if user.id == current_user.id:
        login_user(staff_of(user))


def _user(user_id: int) -> User:
    return db_session().get(User, user_id) or abort(404)
