"""How long the freshness figures take on a large FAQ: the dashboard's count, the
見直しが必要な FAQ page's grouping, and its CSV.

    .venv/bin/python bench/stale_list.py [--entries 5000] [--database-url URL]

Fills a fresh database (a temporary SQLite file unless --database-url names an empty one) with
entries over 13 departments, reviewed between 0 and 24 months ago, and reports the median of 7
runs of each step with FAQ_STALE_MONTHS=12.
"""
from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import db  # noqa: E402
from faq.freshness import stale_count, stale_groups, write_stale_csv  # noqa: E402
from faq.models import FaqEntry  # noqa: E402

DEPARTMENTS = ["市民課", "環境課", "税務課", "子育て支援課", "保険年金課", "総務課", "危機管理課",
               "健康づくり課", "介護保険課", "障害福祉課", "水道課", "文化スポーツ課", ""]


def _median_ms(step, runs: int = 7) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        step()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=5000)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/bench.sqlite3"
        db.upgrade(url)
        make = db.make_sessionmaker(db.make_engine(url))
        now = db.utcnow()
        with make() as session:
            session.add_all(FaqEntry(faq_id=f"S{i:05d}", question=f"質問 {i}", answer="回答", category="分類",
                                     department=DEPARTMENTS[i % len(DEPARTMENTS)], translations={},
                                     reviewed_at=now - timedelta(days=(i * 7) % 730))
                            for i in range(args.entries))
            session.commit()
            count = stale_count(session, 12, now)
            groups = stale_groups(session, 12, now)
            print(f"{args.entries} entries, {count} stale in {len(groups)} departments "
                  f"({make.kw['bind'].dialect.name})")
            print(f"dashboard count   {_median_ms(lambda: stale_count(session, 12, now)):.1f} ms")
            print(f"page grouping     {_median_ms(lambda: stale_groups(session, 12, now)):.1f} ms")
            print(f"CSV (with query)  {_median_ms(lambda: write_stale_csv(stale_groups(session, 12, now), io.StringIO(), now)):.1f} ms")


if __name__ == "__main__":
    main()
