"""SQLAlchemy base and session factory shared by every package (no Flask import)."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import DateTime, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

# The largest primary key: ids are INTEGER, which PostgreSQL keeps in 32 bits. An id from outside
# (a postback, a URL) beyond it names no row, and PostgreSQL would refuse to compare it.
MAX_ID = 2**31 - 1


class UTCDateTime(TypeDecorator):
    """Timezone-aware datetimes stored as UTC; SQLite drops tzinfo, so put it back."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass a timezone-aware value")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Base(DeclarativeBase):
    pass


def make_engine(url: str) -> Engine:
    # A failed statement's parameters hold residents' (masked) questions: keep them out of the
    # exception text that gunicorn writes to its error log.
    engine = create_engine(url, pool_pre_ping=True, future=True, hide_parameters=True)
    if engine.dialect.name == "sqlite":
        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):
            cur = dbapi_conn.cursor()
            # WAL and a busy timeout let several gunicorn workers share one file.
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=10000")
            cur.execute("PRAGMA synchronous=NORMAL")  # safe under WAL; one fsync per checkpoint
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()
    return engine


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


def import_models() -> None:
    """Import every package's models so Base.metadata knows all tables."""
    import admin.models  # noqa: F401
    import analytics.models  # noqa: F401
    import bot.models  # noqa: F401
    import faq.models  # noqa: F401
    import handoff.models  # noqa: F401
    import notices.models  # noqa: F401


def alembic_config(url: str):
    from pathlib import Path

    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).resolve().parent / "migrations"))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def current_revision(url: str) -> str | None:
    """The schema revision the database is at; None when it has none yet (a new database)."""
    from alembic.migration import MigrationContext

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


def upgrade(url: str) -> tuple[str | None, str | None]:
    """Create or migrate the schema to the newest revision (idempotent): (revision before, after)."""
    from alembic import command

    before = current_revision(url)
    command.upgrade(alembic_config(url), "head")
    return before, current_revision(url)
