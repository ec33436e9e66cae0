"""`flask --app wsgi users create`: make staff accounts (the first administrator, for one)."""
from __future__ import annotations

import click
from flask import Flask

from admin.accounts import ROLE_LABELS, AccountError, create_user
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
def create(username: str, role: str, password: str) -> None:
    session = services().sessionmaker()
    try:
        user = create_user(session, username, password, role)
        trail.record(session, trail.command_line_actor(), "user_create", user.username, f"役割: {ROLE_LABELS[role]}")
        session.commit()
    except AccountError as exc:
        raise StaffError(str(exc)) from None
    finally:
        session.close()
    click.echo(f"ユーザー「{user.username}」（{ROLE_LABELS[user.role]}）を作りました。")


def register(app: Flask) -> None:
    app.cli.add_command(users_cli)
