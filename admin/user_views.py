"""User management (管理者 only): create accounts, change roles, reset passwords."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from admin import bp
from admin.accounts import AccountError, create_user, delete_user, list_users, set_password, set_role
from admin.auth import role_required
from admin.forms import PasswordForm, RoleForm, UserForm
from admin.models import User
from web import db_session


@bp.route("/users", methods=["GET", "POST"])
@role_required("admin")
def users():
    form = UserForm()
    if form.validate_on_submit():
        try:
            user = create_user(db_session(), form.username.data, form.password.data, form.role.data)
        except AccountError as exc:
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
        try:
            set_role(db_session(), user, form.role.data)
            flash(f"「{user.username}」の役割を変更しました。", "success")
        except AccountError as exc:
            flash(str(exc), "error")
    return redirect(url_for("admin.users"))


@bp.route("/users/<id:user_id>/password", methods=["POST"])
@role_required("admin")
def user_password(user_id: int):
    user = _user(user_id)
    form = PasswordForm()
    if form.validate_on_submit():
        set_password(db_session(), user, form.password.data)
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
    try:
        delete_user(db_session(), user)
        flash(f"ユーザー「{user.username}」を削除しました。", "success")
    except AccountError as exc:
        flash(str(exc), "error")
    return redirect(url_for("admin.users"))


def _user(user_id: int) -> User:
    return db_session().get(User, user_id) or abort(404)
