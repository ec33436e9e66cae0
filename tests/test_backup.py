"""`db backup FILE` / `db restore FILE`: SQLite through the backup API, PostgreSQL through
pg_dump / pg_restore (skipped when those programs are not installed)."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import select

import backup
from analytics.models import Message
from faq import services as faq_services
from faq.importer import import_faq, parse_faq_csv
from faq.models import FaqEntry
from tests.faq.conftest import FAQ_CSV

AT = datetime(2024, 5, 1, 3, tzinfo=timezone.utc)


@pytest.fixture
def needs_tools(database_url):
    if database_url.startswith("postgresql") and not (backup.find_tool("pg_dump") and backup.find_tool("pg_restore")):
        pytest.skip("pg_dump / pg_restore not installed")


def _state(session) -> tuple[list[str], list[tuple[str, str]]]:
    session.expire_all()
    state = (sorted(session.scalars(select(FaqEntry.faq_id))),
             sorted(session.execute(select(Message.text, Message.outcome)).tuples()))
    session.commit()  # no open transaction: pg_restore --clean must be able to drop the tables
    return state


def test_backup_then_restore_brings_back_exactly_what_was_saved(runner, session, tmp_path, needs_tools):
    import_faq(session, parse_faq_csv(FAQ_CSV.encode()))
    session.add_all([Message(created_at=AT, text="住民票", outcome="answered"),
                     Message(created_at=AT, text="ごみ", outcome="no_title")])
    session.commit()
    saved = _state(session)
    file = tmp_path / "backup.db"

    result = runner.invoke(args=["db", "backup", str(file)])
    assert result.exit_code == 0, result.output
    assert f"データベースを {file} に保存しました" in result.output
    assert file.stat().st_size > 0 and not (tmp_path / "backup.db.partial").exists()

    for message in session.scalars(select(Message)):
        session.delete(message)
    session.add(Message(created_at=AT, text="あとから", outcome="excluded"))
    faq_services.bump_version(session)
    faq_services.bump_version(session)
    session.commit()
    served = faq_services.current_version(session)
    assert _state(session) != saved

    result = runner.invoke(args=["db", "restore", str(file)], input="n\n")
    assert result.exit_code == 0 and "中止しました" in result.output
    assert _state(session)[1] == [("あとから", "excluded")]

    result = runner.invoke(args=["db", "restore", str(file), "--yes"])
    assert result.exit_code == 0, result.output
    assert f"{file} からデータベースを復元しました" in result.output
    assert _state(session) == saved
    assert faq_services.current_version(session) > served  # every worker rebuilds its index
    session.commit()


def test_restore_refuses_what_is_not_a_backup(runner, session, tmp_path, needs_tools):
    session.add(Message(created_at=AT, text="残る質問", outcome="answered"))
    session.commit()
    bogus = tmp_path / "notes.db"
    bogus.write_text("住民票,回答\n", encoding="utf-8")
    result = runner.invoke(args=["db", "restore", str(bogus), "--yes"])
    assert result.exit_code == 1
    assert "エラー:" in result.output and "のバックアップ" in result.output and "ではありません" in result.output
    missing = runner.invoke(args=["db", "restore", str(tmp_path / "none.db"), "--yes"])
    assert missing.exit_code == 2 and "というファイルはありません" in missing.output
    assert _state(session)[1] == [("残る質問", "answered")]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_sqlite_backup_is_consistent_while_the_app_holds_connections(runner, app, session, tmp_path):
    """The backup API copies a live WAL database: the copy opens on its own with every row."""
    import sqlite3

    session.add_all(Message(created_at=AT, text=f"質問{i}", outcome="answered") for i in range(500))
    session.commit()
    session.scalar(select(Message.id))  # a reader open on the live file meanwhile
    file = tmp_path / "copy.sqlite3"
    assert runner.invoke(args=["db", "backup", str(file)]).exit_code == 0
    with sqlite3.connect(file) as conn:
        assert conn.execute("SELECT count(*) FROM message").fetchone()[0] == 500
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    session.commit()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_backup_into_a_folder_that_does_not_exist_is_refused_in_japanese(runner, tmp_path):
    result = runner.invoke(args=["db", "backup", str(tmp_path / "nowhere" / "b.db")])
    assert result.exit_code == 1, result.output
    assert "エラー:" in result.output and "Traceback" not in result.output


def test_restore_refuses_a_backup_from_a_newer_schema(runner, session, tmp_path, needs_tools):
    """A backup made by a later version of the app: this one could not migrate it, so nothing is touched."""
    from sqlalchemy import text

    session.add(Message(created_at=AT, text="今の質問", outcome="answered"))
    session.execute(text("UPDATE alembic_version SET version_num = '9999future'"))
    session.commit()
    file = tmp_path / "newer.db"
    assert runner.invoke(args=["db", "backup", str(file)]).exit_code == 0
    session.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    session.execute(text("DELETE FROM message"))
    session.commit()

    result = runner.invoke(args=["db", "restore", str(file), "--yes"])
    assert result.exit_code == 1, result.output
    assert "知らないスキーマ（版 9999future）" in result.output
    assert _state(session)[1] == []
    assert session.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0001"
    session.commit()
