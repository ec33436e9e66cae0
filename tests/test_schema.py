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
