"""`flask --app wsgi notices …`: keys for the encrypted LINE user ids."""
from __future__ import annotations

import click
from flask import Flask

import web
from cli import StaffError, StaffGroup
from notices import subscriptions
from notices.crypto import id_box

notices_cli = StaffGroup("notices", help="お知らせ配信：LINE ユーザー ID を暗号化する鍵")


@notices_cli.command("keygen", help="LINE_ID_KEYS に設定する新しい鍵を表示する（どこにも保存しない）")
def keygen() -> None:
    from cryptography.fernet import Fernet

    click.echo(Fernet.generate_key().decode())


@notices_cli.command("rotate-keys", help="保存している ID を LINE_ID_KEYS の先頭の鍵で暗号化し直す"
                     "（新しい鍵を先頭に足してから実行し、その後で古い鍵を外す）")
def rotate_keys() -> None:
    box = id_box(web.services().settings.line_id_keys)
    if box is None:
        raise StaffError("LINE_ID_KEYS が設定されていません。")
    with web.services().sessionmaker() as session:
        count = subscriptions.rotate(session, box)
        session.commit()
    click.echo(f"{count}件の ID を先頭の鍵で暗号化し直しました。")


def register(app: Flask) -> None:
    app.cli.add_command(notices_cli)
