"""How long `logs import` takes for a year of history (22,218 questions, the city's R4 volume).

    .venv/bin/python bench/logs_import.py [--rows 22218] [--postgres URL]

Times the whole import (read and check the CSV, mask, pseudonymize, bulk insert, commit) into a
fresh SQLite file and, given a server URL (or TEST_POSTGRES_URL), a throw-away PostgreSQL database.
"""
from __future__ import annotations

import argparse
import csv
import os
import random
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, func, select, text  # noqa: E402

import db  # noqa: E402
from analytics.logcsv import HEADER, import_log  # noqa: E402
from analytics.models import Message  # noqa: E402
from common.jst import JST  # noqa: E402

TEXTS = ("住民票の写しはどこで取れますか", "粗大ごみの出し方を教えてください 090-1234-5678", "こんにちは",
         "マイナンバーカードの更新はいつまで", "子育て支援センターの場所", "転入届に必要なもの")
OUTCOMES = ("excluded", "no_title", "no_answer", "answered", "answered", "answered")


def write_history(path: Path, rows: int) -> None:
    rng = random.Random(0)
    start = datetime(2022, 4, 1, tzinfo=JST)
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f, lineterminator="\r\n")
        writer.writerow(HEADER)
        for i in range(rows):
            outcome = OUTCOMES[i % len(OUTCOMES)]
            user = f"U{rng.getrandbits(128):032x}" if i % 3 else f"u_{i % 900:016x}"
            writer.writerow(["", (start + timedelta(minutes=20 * i)).isoformat(), user, TEXTS[i % len(TEXTS)],
                             outcome, "F001" if outcome in ("no_answer", "answered") else "",
                             f"{rng.random():.3f}", rng.choice(("", "", "correct", "relearn")) if outcome == "answered" else "", ""])


def time_import(url: str, path: Path) -> float:
    db.import_models()
    db.upgrade(url)
    sessionmaker = db.make_sessionmaker(db.make_engine(url))
    with sessionmaker() as session:
        started = time.perf_counter()
        import_log(session, path, key="bench-key")
        session.commit()
        elapsed = time.perf_counter() - started
        stored = session.scalar(select(func.count()).select_from(Message))
    print(f"  {url.split('://')[0]:<22} {stored:,} rows in {elapsed:.2f} s ({stored / elapsed:,.0f} rows/s)")
    return elapsed


def postgres_database(base_url: str):
    name = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    return admin, name, base_url.rsplit("/", 1)[0] + "/" + name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=22218)
    parser.add_argument("--postgres", default=os.environ.get("TEST_POSTGRES_URL"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "history.csv"
        write_history(path, args.rows)
        print(f"logs import of {args.rows:,} rows ({path.stat().st_size / 1e6:.1f} MB CSV):")
        time_import(f"sqlite:///{tmp}/bench.sqlite3", path)
        if not args.postgres:
            print("  postgresql: skipped (pass --postgres URL or set TEST_POSTGRES_URL)")
            return
        admin, name, url = postgres_database(args.postgres)
        try:
            time_import(url, path)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"))
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))


if __name__ == "__main__":
    main()
