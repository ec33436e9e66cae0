"""The application factory; gunicorn serves `wsgi:app`."""
from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from sqlalchemy.exc import DBAPIError

import config
import db
import security_headers
import web
from cli import InputFile, StaffError, StaffGroup


def create_app(settings: config.Settings | None = None) -> Flask:
    settings = settings or config.from_env()
    config.check(settings)
    app = Flask(__name__, instance_path=str(settings.instance_path))
    web.configure_logging(app)  # before anything logs, and before Flask makes app.logger
    app.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=1024 * 1024,  # LINE bodies are small; 1 MB is generous
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
    )
    settings.instance_path.mkdir(parents=True, exist_ok=True)
    db.import_models()
    engine = db.make_engine(settings.database_url)
    app.extensions["cityfaq"] = web.AppServices(settings=settings, sessionmaker=db.make_sessionmaker(engine))
    app.teardown_appcontext(web.close_db_session)
    app.register_error_handler(DBAPIError, web.database_unavailable)
    app.url_map.converters["id"] = web.RowIdConverter
    security_headers.init_app(app)

    # The blueprints and their views are imported here, not by the packages' __init__s, so that
    # importing a package's models (migrations, scripts, tests) loads no view.
    from admin import (audit_views, auth, check_views, dashboard_views, faq_views, filters,  # noqa: F401
                       freshness_views, inbox_views, notice_views, review_upload_views, review_views,
                       synonym_views, try_views, user_views)
    from admin.blueprint import bp as admin_bp
    from admin.blueprint import init_app as init_admin
    from admin.cli import register as register_admin_cli
    from analytics.cli import register as register_analytics_cli
    from api.views import bp as api_bp
    from bot import chat, cli, routes  # noqa: F401
    from bot.blueprint import bp as bot_bp
    from faq.cli import register as register_faq_cli
    from notices.cli import register as register_notices_cli
    from ops.views import bp as ops_bp

    app.register_blueprint(bot_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(ops_bp)
    init_admin(app)
    app.cli.add_command(db_cli)
    register_faq_cli(app)
    register_analytics_cli(app)
    register_admin_cli(app)
    register_notices_cli(app)
    from bot.rich_menu import line_cli

    app.cli.add_command(line_cli)
    return app


db_cli = StaffGroup("db", help="データベースの作成と移行")


@db_cli.command("upgrade", help="スキーマを最新にする（何度実行しても安全）")
def db_upgrade() -> None:
    url = web.services().settings.database_url
    click.echo(upgrade_message(*db.upgrade(url)))


@db_cli.command("backup", help="データベースをファイルに保存する（SQLite: backup API、PostgreSQL: pg_dump）")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def db_backup(file: Path) -> None:
    import backup

    try:
        backup.backup(web.services().settings.database_url, file)
    except backup.BackupError as exc:
        raise StaffError(str(exc)) from None
    click.echo(f"データベースを {file} に保存しました（{file.stat().st_size:,} バイト）。")


@db_cli.command("restore", help="保存したファイルでデータベースを置き換える（今の内容は失われます）")
@click.argument("file", type=InputFile())
@click.option("--yes", is_flag=True, help="確認せずに実行する")
def db_restore(file: Path, yes: bool) -> None:
    import backup

    url = web.services().settings.database_url
    try:
        backup.check_backup(url, file)
        prompt = f"データベースの内容を {file} で置き換えます。今の内容は失われます。よろしいですか？"
        if not yes and not click.confirm(prompt, default=False, err=True):
            click.echo("中止しました。何も変更していません。")
            return
        before, after = backup.restore(url, file)
    except click.Abort:
        click.echo("\n中止しました。何も変更していません。")
        return
    except backup.BackupError as exc:
        raise StaffError(str(exc)) from None
    migrated = f"、版 {before} から版 {after} に移行しました" if before != after else f"（版 {after}）"
    click.echo(f"{file} からデータベースを復元しました{migrated}。各ワーカーの索引は数秒で追いつきます。")


def upgrade_message(before: str | None, after: str | None) -> str:
    """What `db upgrade` did, for staff: created, migrated, or nothing to do."""
    if before is None:
        return f"データベースを作成しました（版 {after}）。"
    if before != after:
        return f"データベースを版 {before} から版 {after} に移行しました。"
    return f"データベースは最新です（版 {after}）。何も変更していません。"


app = create_app()
