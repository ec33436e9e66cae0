"""`flask --app wsgi chat serve`: run the bot on this machine, with the chat page when no LINE
channel is configured."""
from __future__ import annotations

import time

import click
from flask import current_app

from bot.blueprint import bp
from web import services


@bp.cli.command("serve", help="チャットボットを手元で動かす（LINEのチャネルがなければ /chat で試せます）")
def serve() -> None:
    from werkzeug.serving import run_simple  # the development server: only this command needs it

    settings = services().settings
    click.echo("検索モデルとFAQの索引を読み込んでいます…")
    started = time.perf_counter()
    services().live_index.search("住民票")  # load once now, not on the first question
    click.echo(f"準備ができました（{time.perf_counter() - started:.1f}秒）。")
    if settings.local_chat:
        click.echo(f"ブラウザで http://127.0.0.1:{settings.port}/chat を開いてください")
    elif not settings.line_channel_access_token:
        click.echo("LINEのチャネルが設定されていないため、/callback はすべて断ります。"
                   "手元で試すときは LOCAL_CHAT=1 を付けて起動してください。")
    else:
        click.echo(f"LINEのWebhook URL: http://{settings.host}:{settings.port}/callback")
    # Threaded: in local mode the bot's reply goes over HTTP to this same server's LINE stand-in.
    run_simple(settings.host, settings.port, current_app._get_current_object(), threaded=True)
