"""Shared fixtures: every database test runs on SQLite and on PostgreSQL.

PostgreSQL comes from TEST_POSTGRES_URL (`make test` starts a throw-away server). Outside CI a
missing server skips those cases; on CI (CI=true) it fails them, so nothing passes untested.
To pin a test to one backend: @pytest.mark.parametrize("database_url", ["sqlite"], indirect=True).
"""
from __future__ import annotations

import dataclasses
import os
import sqlite3
import uuid
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

import config
import db

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SAMPLE_FAQ = ROOT / "faq" / "sample" / "city_faq.csv"

os.environ.setdefault("HF_HUB_OFFLINE", "1")


def _postgres_database(base_url: str):
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = base_url.rsplit("/", 1)[0] + "/" + name
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(
                f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"))
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


# A test that asks for one of these is `slow`: a migrated database under the whole app (its
# webhook, pages and commands; seconds each on a loaded machine), or the embedding model.
SLOW_FIXTURES = {"settings", "app", "embedder", "index"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """`make test-fast` (-m "not slow") keeps the tests of one module's logic, SQLite and the
    Sudachi dictionary: under 90 s on this 2-core machine. `make test` runs everything, each
    database test on SQLite and PostgreSQL. Browser, gunicorn and multi-process tests carry the
    mark themselves."""
    for item in items:
        callspec = getattr(item, "callspec", None)
        on_postgres = callspec is not None and callspec.params.get("database_url") == "postgresql"
        if on_postgres or SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.sqlite3'}"
        return
    base = os.environ.get("TEST_POSTGRES_URL")
    if not base:
        if os.environ.get("CI"):
            pytest.fail("TEST_POSTGRES_URL is not set on CI: PostgreSQL tests cannot be skipped")
        pytest.skip("no PostgreSQL (set TEST_POSTGRES_URL, or run `make test`)")
    yield from _postgres_database(base)


@pytest.fixture(scope="session")
def embedding_cache_dir(tmp_path_factory) -> Path:
    """One embedding cache for the whole run: the same FAQ is embedded once, not per test."""
    return tmp_path_factory.mktemp("embeddings")


@pytest.fixture
def new_settings(database_url, tmp_path, embedding_cache_dir) -> config.Settings:
    """Settings for a database that has no schema yet."""
    return config.Settings(
        database_url=database_url,
        line_channel_secret="test-channel-secret",
        line_channel_access_token="test-access-token",
        secret_key="test-secret-key",
        instance_path=tmp_path / "instance",
        embedding_cache_dir=embedding_cache_dir,
        index_poll_seconds=0.0,
        reply_token_seconds=8.0,  # LINE's is about 30 s; a reply failing for good fails sooner here (3 s was
        # too short for the stand-in's spec validation on a loaded 2-core machine)
    )


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory) -> Path:
    """One SQLite database migrated to the newest schema, copied for each test: running the
    migrations took most of a small test's time (0.3 s of it on a loaded 2-core machine)."""
    path = tmp_path_factory.mktemp("schema") / "migrated.sqlite3"
    db.upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def settings(new_settings, request) -> config.Settings:
    url = new_settings.database_url
    if url.startswith("sqlite:///"):
        template = request.getfixturevalue("migrated_sqlite")
        # The backup API copies a consistent database (the WAL included), page for page.
        with closing(sqlite3.connect(template)) as source, closing(sqlite3.connect(url[len("sqlite:///"):])) as copy:
            source.backup(copy)
    else:
        db.upgrade(url)
    return new_settings


@pytest.fixture
def app(settings):
    from wsgi import create_app

    app = create_app(settings)
    app.config.update(TESTING=True)
    yield app
    live = app.extensions["cityfaq"]._live_index
    if live is not None:  # its watcher may be mid-rebuild: let it finish before the database goes
        live.close()
    sender = app.extensions["cityfaq"]._reply_sender
    if sender is not None:
        sender.stop()
    notice_sender = app.extensions["cityfaq"]._notice_sender
    if notice_sender is not None:
        notice_sender.stop()
    check_worker = app.extensions["cityfaq"]._check_worker
    if check_worker is not None:
        check_worker.stop()
    # The app's pooled connections, closed now rather than by the garbage collector in a later test
    # (psycopg warns of a connection deleted while open, after its database was dropped).
    app.extensions["cityfaq"].sessionmaker.kw["bind"].dispose()


@pytest.fixture
def configure(app):
    """Settings are frozen: a test changes the app's by replacing them, before what it tests runs
    (the senders and the index take theirs when first used)."""
    def configure(**changes) -> config.Settings:
        services = app.extensions["cityfaq"]
        services.settings = dataclasses.replace(services.settings, **changes)
        return services.settings
    return configure


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def session(app):
    s = app.extensions["cityfaq"].sessionmaker()
    yield s
    s.close()


@pytest.fixture
def line_stub():
    """LINE's Messaging API stand-in; fails the test if the bot sent anything LINE would refuse."""
    from bot.line_stub import LineStub

    stub = LineStub().start()
    yield stub
    stub.stop()
    assert not stub.errors, f"the bot sent requests LINE would refuse: {stub.errors}"
