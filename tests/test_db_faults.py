"""Database faults (issue 10, item 7): while the database is read-only or away the webhook answers
503, so LINE redelivers and no question is lost; once the fault ends, requests succeed again within
seconds, because connections pooled during the fault are not reused."""
from __future__ import annotations

import os
import sqlite3
import time
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, event, func, select, text
from sqlalchemy.exc import OperationalError

from analytics.models import Message
from bot import events as bot_events
from bot.models import PendingReply
from bot import line_webhook as wh
from tests.immutable import immutable, skip_without_chattr
from tests.admin.conftest import staff, viewer  # noqa: F401  (fixtures: a logged-in staff member)
from tests.bot.conftest import SECRET, faq, settings  # noqa: F401  (fixtures: FAQ, LINE stand-in)

pytestmark = pytest.mark.slow  # faults injected into real files and servers, with waits

RECOVERY_SECONDS = 10  # generous on a loaded machine; the fault in the report lasted 6 minutes


def post(client, event: dict) -> int:
    data = wh.body(event)
    return client.post("/callback", data=data.encode("utf-8"), headers=wh.headers(data, SECRET)).status_code


def redeliver_until_accepted(client, event: dict) -> int:
    """LINE redelivering a refused event until it gets a 200; how many deliveries it took."""
    again = dict(event, deliveryContext={"isRedelivery": True})
    started = time.monotonic()
    for attempt in range(1, 1000):
        status = post(client, again)
        if status == 200:
            return attempt
        assert status == 503, status
        assert time.monotonic() - started < RECOVERY_SECONDS, f"still {status} after the fault ended"
        time.sleep(0.2)
    raise AssertionError("unreachable")


def engine_of(app):
    return app.extensions["cityfaq"].sessionmaker.kw["bind"]


def logged(app) -> list[str | None]:
    """The logged questions' entries, read on a fresh connection of the app's engine."""
    with app.extensions["cityfaq"].sessionmaker() as session:
        return list(session.scalars(select(Message.faq_id).order_by(Message.id)))


def replies_sent(app) -> None:
    sender = app.extensions["cityfaq"].reply_sender
    assert sender.wait(timeout=30)
    with app.extensions["cityfaq"].sessionmaker() as session:
        assert session.scalar(select(func.count()).select_from(PendingReply)) == 0


# -- SQLite ----------------------------------------------------------------------------------------

@contextmanager
def sqlite_read_only(engine):
    """The database file read-only, as its connections see it: every connection taken while the
    fault lasts is switched to PRAGMA query_only, and stays so afterwards, as a connection that
    SQLite opened on a read-only file does (SELECT 1, the pre-ping, still works on it)."""
    def read_only(dbapi_conn, _record, _proxy):
        dbapi_conn.execute("PRAGMA query_only=1")
    event.listen(engine, "checkout", read_only)
    try:
        yield
    finally:
        event.remove(engine, "checkout", read_only)


@contextmanager
def sqlite_write_errors(engine):
    """The same fault raised by hand: writes fail with SQLite's read-only error on every
    connection used while it lasts, and keep failing on that connection afterwards."""
    fault = {"on": True}

    def fail_writes(conn, _cursor, statement, parameters, _context, _many):
        if fault["on"]:
            conn.connection.info["read_only"] = True  # cleared when the pool reconnects it
        if conn.connection.info.get("read_only") and statement.lstrip().upper().startswith(
                ("INSERT", "UPDATE", "DELETE")):
            raise sqlite3.OperationalError("attempt to write a readonly database")
        return statement, parameters
    event.listen(engine, "before_cursor_execute", fail_writes, retval=True)
    try:
        yield fault
    finally:
        event.remove(engine, "before_cursor_execute", fail_writes)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("fault", ["query_only", "raised"])
def test_sqlite_read_only_for_a_while_loses_nothing_and_recovers(app, client, faq, line_stub, fault):
    engine = engine_of(app)
    assert post(client, wh.text("住民票はどこで取れますか")) == 200  # warm: index built, pool filled
    replies_sent(app)
    asked = wh.text("ソファを捨てたい")

    if fault == "query_only":
        with sqlite_read_only(engine):
            for _ in range(3):  # LINE redelivering during the fault
                assert post(client, asked) == 503
            assert logged(app) == ["J01"]
        attempts = redeliver_until_accepted(client, asked)
    else:
        with sqlite_write_errors(engine) as state:
            for _ in range(3):
                assert post(client, asked) == 503
            assert logged(app) == ["J01"]
            state["on"] = False  # the fault ends; the connections it touched stay read-only
            attempts = redeliver_until_accepted(client, asked)

    assert attempts <= 3
    replies_sent(app)
    assert logged(app) == ["J01", "G01"]  # logged once, after the fault
    assert len(line_stub.replies_to(asked["replyToken"])) == 1
    assert post(client, wh.text("住民税の払い方")) == 200  # and new questions go through at once
    assert logged(app) == ["J01", "G01", "T01"]


@pytest.fixture
def chattr(tmp_path):
    skip_without_chattr(tmp_path)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_sqlite_file_really_read_only_for_a_while(app, client, faq, line_stub, chattr, database_url):
    engine = engine_of(app)
    assert post(client, wh.text("住民票はどこで取れますか")) == 200
    replies_sent(app)
    database = database_url.removeprefix("sqlite:///")
    asked = wh.text("ソファを捨てたい")
    with immutable(database, f"{database}-wal", f"{database}-shm"):
        for _ in range(3):
            assert post(client, asked) == 503
        # A busy worker's pool grows during the fault: those connections open read-only.
        held = [engine.connect() for _ in range(3)]
        for conn in held:
            conn.execute(text("SELECT 1"))
        for conn in held:
            conn.close()
        assert logged(app) == ["J01"]
    assert redeliver_until_accepted(client, asked) <= 3
    replies_sent(app)
    assert logged(app) == ["J01", "G01"]
    assert len(line_stub.replies_to(asked["replyToken"])) == 1
    for _ in range(3):  # every connection pooled now writes
        assert post(client, wh.text("住民税の払い方")) == 200


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_batch_with_an_event_failed_by_the_database_is_redelivered_and_its_rest_kept(
        app, client, faq, line_stub, monkeypatch):
    """The events handled before the fault stay handled; the redelivered batch adds only the rest."""
    first, second = wh.text("住民票はどこで取れますか"), wh.text("ソファを捨てたい")
    record = bot_events.record_question
    calls = []

    def fault_on_second(session, **fields):
        calls.append(fields["text"])
        if len(calls) == 2:
            raise OperationalError("INSERT", {}, sqlite3.OperationalError("disk I/O error"))
        return record(session, **fields)
    monkeypatch.setattr(bot_events, "record_question", fault_on_second)
    data = wh.body(first, second)
    headers = wh.headers(data, SECRET)
    assert client.post("/callback", data=data.encode(), headers=headers).status_code == 503
    assert logged(app) == ["J01"]
    redelivered = wh.body(*(dict(e, deliveryContext={"isRedelivery": True}) for e in (first, second)))
    response = client.post("/callback", data=redelivered.encode(), headers=wh.headers(redelivered, SECRET))
    assert response.status_code == 200
    replies_sent(app)
    assert logged(app) == ["J01", "G01"]
    assert len(line_stub.replies_to(first["replyToken"])) == 1
    assert len(line_stub.replies_to(second["replyToken"])) == 1


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_staff_page_during_a_fault_says_to_try_again_and_works_after(app, viewer):
    assert viewer.get("/admin/dashboard").status_code == 200

    def io_error(_conn, _cursor, _statement, _parameters, _context, _many):
        raise sqlite3.OperationalError("disk I/O error")
    event.listen(engine_of(app), "before_cursor_execute", io_error, retval=True)
    try:
        page = viewer.get("/admin/dashboard")
    finally:
        event.remove(engine_of(app), "before_cursor_execute", io_error)
    assert page.status_code == 503 and page.headers["Retry-After"] == "10"
    assert "データベースに一時的に接続できません" in page.get_data(as_text=True)
    assert viewer.get("/admin/dashboard").status_code == 200


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_sqlite_connections_use_wal_a_busy_timeout_and_no_memory_map(app):
    with engine_of(app).connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 10000
        assert conn.execute(text("PRAGMA mmap_size")).scalar() == 0


# -- PostgreSQL: real faults -------------------------------------------------------------------------

@pytest.fixture
def postgres_admin(database_url):
    """A superuser connection outside the app's database, and that database's name."""
    admin = create_engine(os.environ["TEST_POSTGRES_URL"], isolation_level="AUTOCOMMIT")
    yield admin, database_url.rsplit("/", 1)[1]
    admin.dispose()


def terminate_backends(admin, name: str) -> int:
    with admin.connect() as conn:
        return len(conn.execute(text(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = :name AND pid <> pg_backend_pid()"), {"name": name}).all())


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_postgresql_backends_terminated_between_requests(app, client, faq, line_stub, postgres_admin):
    admin, name = postgres_admin
    assert post(client, wh.text("住民票はどこで取れますか")) == 200
    replies_sent(app)
    assert terminate_backends(admin, name) >= 1
    asked = wh.text("ソファを捨てたい")
    if post(client, asked) != 200:
        redeliver_until_accepted(client, asked)
    replies_sent(app)
    assert logged(app) == ["J01", "G01"]
    assert len(line_stub.replies_to(asked["replyToken"])) == 1


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_postgresql_backend_terminated_mid_question_is_redelivered_not_lost(
        app, client, faq, line_stub, postgres_admin, monkeypatch):
    admin, name = postgres_admin
    assert post(client, wh.text("住民票はどこで取れますか")) == 200
    replies_sent(app)
    record = bot_events.record_question
    terminated = []

    def terminate_then_record(session, **fields):
        if not terminated:  # the event is claimed (flushed) on this backend: kill it now
            terminated.append(terminate_backends(admin, name))
        return record(session, **fields)
    monkeypatch.setattr(bot_events, "record_question", terminate_then_record)
    asked = wh.text("ソファを捨てたい")
    assert post(client, asked) == 503
    assert terminated[0] >= 1 and logged(app) == ["J01"]
    redeliver_until_accepted(client, asked)
    replies_sent(app)
    assert logged(app) == ["J01", "G01"]
    assert len(line_stub.replies_to(asked["replyToken"])) == 1


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_postgresql_read_only_for_a_while_loses_nothing_and_recovers(
        app, client, faq, line_stub, postgres_admin):
    admin, name = postgres_admin
    assert post(client, wh.text("住民票はどこで取れますか")) == 200
    replies_sent(app)
    asked = wh.text("ソファを捨てたい")
    with admin.connect() as conn:
        conn.execute(text(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on'))
    try:
        terminate_backends(admin, name)  # every session the app opens from now on is read-only
        for _ in range(3):
            assert post(client, asked) == 503
        assert logged(app) == ["J01"]
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" SET default_transaction_read_only = off'))
    # The sessions pooled during the fault are still read-only: they must not be reused.
    assert redeliver_until_accepted(client, asked) <= 3
    replies_sent(app)
    assert logged(app) == ["J01", "G01"]
    assert len(line_stub.replies_to(asked["replyToken"])) == 1
    assert post(client, wh.text("住民税の払い方")) == 200
    assert logged(app) == ["J01", "G01", "T01"]
