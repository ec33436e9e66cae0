"""SQLAlchemy base and session factory shared by every package (no Flask import)."""
from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone

from sqlalchemy import DateTime, create_engine, event
from sqlalchemy.engine import Engine, ExceptionContext
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
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
    event.listen(engine, "handle_error", _reconnect_after_fault)
    if engine.dialect.name == "sqlite":
        keeper = _LastConnection(engine.url.database or "")

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):
            cur = dbapi_conn.cursor()
            # WAL and a busy timeout let several gunicorn workers share one file.
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=10000")
            cur.execute("PRAGMA synchronous=NORMAL")  # safe under WAL; one fsync per checkpoint
            cur.execute("PRAGMA foreign_keys=ON")
            # Reads through a memory map die with SIGBUS when the file changes underneath (a
            # restore, a full disk); read() gets an error the worker survives.
            cur.execute("PRAGMA mmap_size=0")
            cur.close()
            keeper.open()
    return engine


class _LastConnection:
    """One connection per process to a SQLite file, opened with the first and never closed.

    SQLite checkpoints when a process closes its last connection to a WAL database, writing the
    -shm file it keeps memory-mapped; on a file made read-only underneath (a read-only remount,
    the immutable flag) that write kills the worker with SIGBUS. With this one open, no pooled
    connection is ever the last, so dropping them after a fault is safe (tests/test_db_faults.py).
    """

    def __init__(self, path: str) -> None:
        self.path = path if path and path != ":memory:" and not path.startswith("file:") else ""
        self._conns: dict[int, sqlite3.Connection] = {}  # by pid: a forked child opens its own
        self._lock = threading.Lock()

    def open(self) -> None:
        if not self.path or os.getpid() in self._conns:
            return
        with self._lock:
            if os.getpid() not in self._conns:
                conn = sqlite3.connect(self.path, check_same_thread=False)
                conn.execute("SELECT 1 FROM sqlite_master LIMIT 1")  # a reader of the WAL from now on
                self._conns[os.getpid()] = conn


# SQLite's primary result codes after which a pooled connection must not be reused: one opened
# while the file was read-only stays read-only after the file is writable again (SELECT 1, the
# pre-ping, still works), and one that saw an I/O error may hold a stale view of the file.
_SQLITE_RECONNECT = {8, 10, 14}  # SQLITE_READONLY, SQLITE_IOERR, SQLITE_CANTOPEN
# PostgreSQL's SQLSTATEs for the same: a session started while the database was read-only keeps
# default_transaction_read_only, and connection exceptions / operator intervention (a terminated
# backend, a restart).
_POSTGRES_RECONNECT = ("25006", "08", "57P")


_SQLITE_RECONNECT_MESSAGES = ("attempt to write a readonly database", "disk I/O error",
                              "unable to open database file")


def _needs_new_connection(dbapi_error: BaseException | None) -> bool:
    if isinstance(dbapi_error, sqlite3.Error):
        code = getattr(dbapi_error, "sqlite_errorcode", None)  # absent when raised by hand
        if code is not None:
            return code & 0xFF in _SQLITE_RECONNECT
        return str(dbapi_error).startswith(_SQLITE_RECONNECT_MESSAGES)
    sqlstate = getattr(dbapi_error, "sqlstate", None) or ""
    return sqlstate.startswith(_POSTGRES_RECONNECT)


def _reconnect_after_fault(context: ExceptionContext) -> None:
    """Treat a read-only or I/O fault as a lost connection: SQLAlchemy then discards it and every
    connection pooled before it, so the first request after the fault ends gets a fresh one."""
    if _needs_new_connection(context.original_exception):
        context.is_disconnect = True


def is_fault(exc: BaseException) -> bool:
    """The database is away, read-only or failing (not the statement): worth trying again later."""
    if isinstance(exc, (OperationalError, InterfaceError)):
        return True
    return isinstance(exc, DBAPIError) and (exc.connection_invalidated or _needs_new_connection(exc.orig))


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def unit_of_work(session: Session) -> Iterator[Session]:
    """The one transaction rule: services only add and flush; the surface (a view, a CLI command,
    the bot, a background sender) wraps what it does in this, which commits when the block ends
    and rolls back when it raises (a `UserError` or anything else) and re-raises."""
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise


def import_models() -> None:
    """Import every package's models so Base.metadata knows all tables."""
    import admin.models  # noqa: F401
    import analytics.models  # noqa: F401
    import audit.models  # noqa: F401
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
