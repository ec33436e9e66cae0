"""Backup and restore of the whole database (no Flask here).

SQLite: the online backup API (sqlite3.Connection.backup), consistent while the workers write:
into a new file, and on restore from the file into the live database under its lock.
PostgreSQL: pg_dump's custom format, restored by pg_restore in one transaction (--clean --if-exists),
so a failed restore leaves the database as it was. Either way the schema is migrated to the newest
revision after a restore, so a backup made by an older version can be brought back.
"""
from __future__ import annotations

import glob
import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

from sqlalchemy import update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

import db
from errors import UserError


class BackupError(UserError, RuntimeError):
    """What went wrong, for staff; nothing was changed."""


def backup(url: str, target: Path) -> None:
    """Write a copy of the database at `url` to `target` (replaced whole, only once complete)."""
    if not target.parent.is_dir():
        raise BackupError(f"保存先のフォルダ「{target.parent}」がありません。")
    partial = target.with_name(target.name + ".partial")
    dialect = make_url(url).get_backend_name()
    try:
        if dialect == "sqlite":
            source = _sqlite_path(url)
            if not source.is_file():
                raise BackupError(f"データベース「{source}」がありません。")
            with closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as src, \
                    closing(sqlite3.connect(partial)) as dst:
                src.backup(dst)
        elif dialect == "postgresql":
            _run("pg_dump", "--format=custom", f"--file={partial}", url=url)
        else:
            raise BackupError(f"{dialect} のバックアップには対応していません（SQLite と PostgreSQL のみ）。")
        os.replace(partial, target)
    except sqlite3.Error as exc:
        raise BackupError(f"バックアップを作れませんでした（{exc}）。") from None
    finally:
        partial.unlink(missing_ok=True)


def check_backup(url: str, source: Path) -> None:
    """Refuse a file that is not a backup of this kind of database (before anything is touched)."""
    dialect = make_url(url).get_backend_name()
    if dialect == "sqlite":
        try:
            with closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as conn:
                ok = conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
                tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        except sqlite3.DatabaseError:
            ok, tables = False, set()
        if not ok or "alembic_version" not in tables:
            raise BackupError(f"「{source}」はこのアプリの SQLite のバックアップではありません。")
        with closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as conn:
            revision = (conn.execute("SELECT version_num FROM alembic_version").fetchone() or [None])[0]
    elif dialect == "postgresql":
        try:
            _run("pg_restore", "--list", str(source), url=None)
        except BackupError:
            raise BackupError(f"「{source}」は pg_dump のバックアップ（custom 形式）ではありません。") from None
        revision = _dumped_revision(source)
    else:
        raise BackupError(f"{dialect} の復元には対応していません（SQLite と PostgreSQL のみ）。")
    if revision not in _known_revisions(url):  # made by a newer version: this one could not migrate it
        raise BackupError(f"「{source}」はこの版のアプリが知らないスキーマ（版 {revision}）のバックアップです。"
                          "バックアップを作ったときの版のアプリで復元してください。")


def _dumped_revision(source: Path) -> str | None:
    """The schema revision inside a pg_dump file (the data of its alembic_version table)."""
    sql = _run("pg_restore", "--data-only", "--table=alembic_version", "--file=-", str(source), url=None)
    lines = sql.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("COPY ") and "alembic_version" in line and i + 1 < len(lines):
            return None if lines[i + 1] == "\\." else lines[i + 1].strip()
    return None


def _known_revisions(url: str) -> set[str]:
    from alembic.script import ScriptDirectory

    return {rev.revision for rev in ScriptDirectory.from_config(db.alembic_config(url)).walk_revisions()}


def restore(url: str, source: Path) -> tuple[str | None, str | None]:
    """Replace the database at `url` by the backup `source`, then migrate it; (revision in the
    backup, revision now)."""
    check_backup(url, source)
    served = _faq_version(url)
    if make_url(url).get_backend_name() == "sqlite":
        target = _sqlite_path(url)
        target.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as src, \
                closing(sqlite3.connect(target, timeout=30)) as dst:
            src.backup(dst)
    else:
        _run("pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction", "--exit-on-error",
             str(source), url=url)
    before = db.current_revision(url)
    db.upgrade(url)
    _move_faq_version_past(url, served)
    return before, db.current_revision(url)


def _faq_version(url: str) -> int:
    """The FAQ version the running workers may be serving (0 for a new or empty database)."""
    from faq import services as faq_services

    engine = db.make_engine(url)
    try:
        with db.make_sessionmaker(engine)() as session:
            return faq_services.current_version(session)
    except SQLAlchemyError:
        return 0
    finally:
        engine.dispose()


def _move_faq_version_past(url: str, served: int) -> None:
    """Set the FAQ version above both the backup's and the one served before, so every running
    worker rebuilds its index from the restored FAQ (equal numbers would look unchanged)."""
    from faq import services as faq_services
    from faq.models import IndexState

    engine = db.make_engine(url)
    try:
        with db.make_sessionmaker(engine)() as session:
            faq_services.bump_version(session)
            session.execute(update(IndexState).where(IndexState.version <= served).values(version=served + 1))
            session.commit()
    finally:
        engine.dispose()


def find_tool(name: str) -> str | None:
    """pg_dump / pg_restore on PATH, else the newest in Debian's /usr/lib/postgresql/*/bin."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
                        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    return candidates[-1] if candidates else None


def _run(tool: str, *args: str, url: str | None) -> str:
    """Run a PostgreSQL client program; its standard output."""
    executable = find_tool(tool)
    if executable is None:
        raise BackupError(f"{tool} が見つかりません。PostgreSQL のクライアント（Debian では postgresql-client）"
                          "を入れてください。")
    env = dict(os.environ)
    command = [executable, *args]
    if url is not None:
        parsed = make_url(url)
        if parsed.password:  # in the environment, not on the command line where `ps` shows it
            env["PGPASSWORD"] = parsed.password
        command.append(f"--dbname={parsed.set(drivername='postgresql', password=None).render_as_string(hide_password=False)}")
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{tool} が失敗しました: {result.stderr.strip()[:2000]}")
    return result.stdout


def _sqlite_path(url: str) -> Path:
    return Path(make_url(url).database or "")


class _closing:
    """sqlite3's own context manager commits but does not close."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> sqlite3.Connection:
        return self.conn

    def __exit__(self, *exc) -> None:
        self.conn.close()

