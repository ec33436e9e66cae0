"""User management (管理者 only): create accounts, change roles and departments, reset passwords."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_user

from admin.blueprint import bp
from admin.accounts import (ROLE_LABELS, AccountError, create_user, delete_user, list_users, set_departments,
                            set_password, set_role)
from admin.audit_views import note
from admin.auth import role_required, staff_of
from admin.forms import DepartmentsForm, PasswordForm, RoleForm, UserForm
from admin.models import User
from faq import services as faq
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
                           role_form=RoleForm, password_form=PasswordForm, departments_form=_departments_form)


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


@bp.route("/users/<id:user_id>/departments", methods=["POST"])
@role_required("admin")
def user_departments(user_id: int):
    user = _user(user_id)
    form = _departments_form(user, formdata=True)
    if not form.validate_on_submit():
        flash(" ".join(form.departments.errors) or "送信を受け付けられませんでした。もう一度お試しください。", "error")
        return redirect(url_for("admin.users"))
    s = db_session()
    before = sorted(user.department_names)
    try:
        set_departments(s, user, form.departments.data or [])
    except AccountError as exc:
        s.rollback()
        flash(str(exc), "error")
        return redirect(url_for("admin.users"))
    after = sorted(user.department_names)
    if after != before:
        note("user_departments", user.username, f"{_names(before)} → {_names(after)}")
    s.commit()
    flash(f"「{user.username}」の担当課を{_names(after)}にしました。", "success")
    return redirect(url_for("admin.users"))


def _names(departments: list[str]) -> str:
    return "、".join(departments) if departments else "指定なし（すべての課）"


def _departments_form(user: User, formdata: bool = False) -> DepartmentsForm:
    """The departments of the FAQ, plus any this user has that no entry has any more (so they can
    be unticked). Prefixed by the user, so every row's checkboxes have their own ids."""
    names = sorted({d for d in faq.departments(db_session()) if d} | user.department_names)
    kwargs = {} if formdata else {"formdata": None, "data": {"departments": sorted(user.department_names)}}
    form = DepartmentsForm(prefix=f"u{user.id}", **kwargs)
    form.departments.choices = [(name, name) for name in names]
    return form


def _keep_own_session(user: User) -> None:
    """Changing one's own password or role ends one's other sessions, not this one."""
    if user.id == current_user.id:
        login_user(staff_of(user))


def _user(user_id: int) -> User:
    return db_session().get(User, user_id) or abort(404)
