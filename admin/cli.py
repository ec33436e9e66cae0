"""`flask --app wsgi users create`: make staff accounts (the first administrator, for one)."""
from __future__ import annotations

import click
from flask import Flask

from admin.accounts import ROLE_LABELS, AccountError, create_user, set_departments
from audit import trail
from cli import StaffError, StaffGroup
from web import services


users_cli = StaffGroup("users", help="管理画面のユーザー")


@users_cli.command("create", help="ユーザーを作る（最初の管理者もこれで作る）")
@click.argument("username")
@click.option("--role", type=click.Choice(list(ROLE_LABELS)), default="admin", show_default=True,
              help="admin=管理者, editor=編集者, viewer=閲覧者")
@click.option("--password", prompt="パスワード", hide_input=True, confirmation_prompt="パスワード（確認）",
              help="省略すると入力を求めます（スクリプト用）")
@click.option("--department", "departments", multiple=True, metavar="担当課",
              help="編集者が編集できる担当課（何度でも指定可。省略するとすべての課）")
def create(username: str, role: str, password: str, departments: tuple[str, ...]) -> None:
    if departments and role != "editor":
        raise StaffError("--department は編集者（--role editor）にだけ指定できます。")
    session = services().sessionmaker()
    try:
        user = create_user(session, username, password, role)
        set_departments(session, user, list(departments))
        detail = f"役割: {ROLE_LABELS[role]}" + (f"、担当課: {'、'.join(sorted(user.department_names))}" if departments else "")
        trail.record(session, trail.command_line_actor(), "user_create", user.username, detail)
        session.commit()
    except AccountError as exc:
        raise StaffError(str(exc)) from None
    finally:
        session.close()
    scope = f"、担当課: {'、'.join(sorted(user.department_names))}" if user.departments else ""
    click.echo(f"ユーザー「{user.username}」（{ROLE_LABELS[user.role]}{scope}）を作りました。")


def register(app: Flask) -> None:
    app.cli.add_command(users_cli)
