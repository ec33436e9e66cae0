"""How long the admin's 判定済みログの一括取り込み takes for a judged log (read, preview plan, apply).

    .venv/bin/python bench/review_upload.py [--rows 15000] [--postgres URL]

A log of --rows questions (default: a city's year) is imported, exported as staff download it,
judged (every answered row 正答, every 20th 再学習要 with a correct_faq_id, which relearns), saved
as CSV (UTF-8 with BOM) and as .xlsx; then each file is read (common.spreadsheet), planned
(analytics.review.plan_reviews: what the preview shows), and the .xlsx's plan applied and committed
(apply_plan), on SQLite and, given a server URL (or TEST_POSTGRES_URL), PostgreSQL.
"""
from __future__ import annotations

import argparse
import csv
import io
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from openpyxl import Workbook  # noqa: E402
from sqlalchemy import text  # noqa: E402

import db  # noqa: E402
from analytics.logcsv import export_log, import_log  # noqa: E402
from analytics.review import REQUIRED, apply_plan, plan_reviews  # noqa: E402
from bench.logs_import import postgres_database, write_history  # noqa: E402
from faq import services as faq_services  # noqa: E402
from faq.entries import EntryRow  # noqa: E402
from common.spreadsheet import read_spreadsheet  # noqa: E402


def judged_files(session, tmp: Path) -> tuple[bytes, bytes]:
    out = io.StringIO()
    export_log(session, out)
    rows = list(csv.reader(io.StringIO(out.getvalue().lstrip("\ufeff"))))
    header, body = rows[0], rows[1:]
    for n, row in enumerate(body):
        if row[4] == "回答":
            row[7], row[8] = ("再学習要", "F002") if n % 20 == 0 else ("正答", "")
    csv_out = io.StringIO()
    csv.writer(csv_out, lineterminator="\r\n").writerows([header, *body])
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    for row in [header, *body]:
        sheet.append(row)
    xlsx = io.BytesIO()
    book.save(xlsx)
    return csv_out.getvalue().encode("utf-8-sig"), xlsx.getvalue()


def run(url: str, history: Path, tmp: Path) -> None:
    db.import_models()
    db.upgrade(url)
    sessionmaker = db.make_sessionmaker(db.make_engine(url))
    with sessionmaker() as session:
        for faq_id in ("F001", "F002"):
            faq_services.create_entry(session, EntryRow(faq_id=faq_id, question=f"質問 {faq_id}", answer="答え"))
        import_log(session, history, key="bench-key")
        session.commit()
        csv_data, xlsx_data = judged_files(session, tmp)
        for name, data in (("CSV", csv_data), ("XLSX", xlsx_data)):
            started = time.perf_counter()
            table = read_spreadsheet(data, REQUIRED)
            read = time.perf_counter() - started
            plan = plan_reviews(session, table)
            planned = time.perf_counter() - started - read
            print(f"  {url.split('://')[0]:<20} {name:<4} {len(data) / 1e6:5.2f} MB  read {read:5.2f} s  "
                  f"preview plan {planned:5.2f} s  ({len(plan.changes):,} changes, {plan.unchanged:,} unchanged)")
        started = time.perf_counter()
        summary = apply_plan(session, plan, "bench")
        session.commit()
        print(f"  {'':<20} apply + commit {time.perf_counter() - started:5.2f} s ({summary.describe()})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=15000)
    parser.add_argument("--postgres", default=os.environ.get("TEST_POSTGRES_URL"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        history = Path(tmp) / "history.csv"
        write_history(history, args.rows)
        print(f"judged log of {args.rows:,} questions:")
        run(f"sqlite:///{tmp}/bench.sqlite3", history, Path(tmp))
        if args.postgres:
            admin, name, url = postgres_database(args.postgres)
            try:
                run(url, history, Path(tmp))
            finally:
                with admin.connect() as conn:
                    conn.execute(text(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"))
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
                admin.dispose()


if __name__ == "__main__":
    main()
