"""The application factory; gunicorn serves `wsgi:app`."""
from __future__ import annotations

import click
from flask import Flask

import config
import db
import web
from cli import StaffGroup


def create_app(settings: config.Settings | None = None) -> Flask:
    settings = settings or config.from_env()
    config.check(settings)
    app = Flask(__name__, instance_path=str(settings.instance_path))
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
    app.url_map.converters["id"] = web.RowIdConverter

    from admin import bp as admin_bp
    from admin import init_app as init_admin
    from admin.cli import register as register_admin_cli
    from analytics.cli import register as register_analytics_cli
    from bot import bp as bot_bp
    from faq.cli import register as register_faq_cli
    from notices.cli import register as register_notices_cli

    from api import bp as api_bp

    app.register_blueprint(bot_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(admin_bp)
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


def upgrade_message(before: str | None, after: str | None) -> str:
    """What `db upgrade` did, for staff: created, migrated, or nothing to do."""
    if before is None:
        return f"データベースを作成しました（版 {after}）。"
    if before != after:
        return f"データベースを版 {before} から版 {after} に移行しました。"
    return f"データベースは最新です（版 {after}）。何も変更していません。"


app = create_app()
