"""How long `db backup` and `db restore` take for a year of log (22,218 questions).

    TEST_POSTGRES_URL=postgresql+psycopg://… .venv/bin/python bench/backup_speed.py [--rows 22218]

A fresh SQLite file and, given TEST_POSTGRES_URL, a throw-away PostgreSQL database; prints the
backup's size and the time of each step (backup.backup / backup.restore, as the commands call them).
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, text  # noqa: E402

import backup  # noqa: E402
import db  # noqa: E402
from analytics.models import Message, Outcome  # noqa: E402


def measure(url: str, rows: int, folder: Path) -> None:
    db.upgrade(url)
    engine = db.make_engine(url)
    start = datetime(2022, 4, 1, tzinfo=timezone.utc)
    with db.make_sessionmaker(engine)() as session:
        session.add_all(Message(created_at=start + timedelta(minutes=i), user=f"u_{i % 500:016x}",
                                text="住民票の写しはどこで取れますか", outcome=Outcome.ANSWERED, latency_ms=30.0)
                        for i in range(rows))
        session.commit()
    engine.dispose()
    file = folder / f"backup-{uuid.uuid4().hex[:6]}"
    began = time.perf_counter()
    backup.backup(url, file)
    took_backup = time.perf_counter() - began
    began = time.perf_counter()
    backup.restore(url, file)
    took_restore = time.perf_counter() - began
    print(f"{url.split(':')[0]}: {rows:,} questions, backup {took_backup:.2f} s "
          f"({file.stat().st_size / 1e6:.1f} MB), restore {took_restore:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=22218)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        measure(f"sqlite:///{tmp}/bench.sqlite3", args.rows, Path(tmp))
        base = os.environ.get("TEST_POSTGRES_URL")
        if base:
            name = f"bench_{uuid.uuid4().hex[:8]}"
            admin = create_engine(base, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            try:
                measure(base.rsplit("/", 1)[0] + "/" + name, args.rows, Path(tmp))
            finally:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                admin.dispose()


if __name__ == "__main__":
    main()
