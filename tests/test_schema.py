"""The migration creates the same schema as the models, on both backends."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

import db


def test_migrations_match_models(settings):
    engine = create_engine(settings.database_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), db.Base.metadata)
    engine.dispose()
    assert diff == []


def test_upgrade_is_idempotent(settings):
    db.upgrade(settings.database_url)  # second run: nothing to do, no error


def test_upgrade_says_what_it_did(new_settings):
    from wsgi import create_app

    runner = create_app(new_settings).test_cli_runner()
    created = runner.invoke(args=["db", "upgrade"])
    assert created.exit_code == 0, created.output
    assert "データベースを作成しました（版 0002）" in created.output
    again = runner.invoke(args=["db", "upgrade"])
    assert "データベースは最新です（版 0002）" in again.output and "作成" not in again.output


def test_upgrade_message_names_both_revisions_of_a_migration():
    from wsgi import upgrade_message

    assert upgrade_message("0001", "0002") == "データベースを版 0001 から版 0002 に移行しました。"
