"""How long one /metrics scrape and one /healthz probe take over a year of log (SQLite).

    .venv/bin/python bench/ops_metrics.py [--rows 22218]

Inserts the rows straight into a fresh SQLite file (latencies drawn at random), then times
GET /metrics and GET /healthz through Flask's test client: median and worst of 20.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import config  # noqa: E402
import db  # noqa: E402
from analytics.models import OUTCOMES, Message  # noqa: E402


class _Index:
    version = 1


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=22218)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.sqlite3"
        db.upgrade(url)
        from wsgi import create_app

        app = create_app(config.Settings(database_url=url, secret_key="bench", instance_path=Path(tmp)))
        rng = random.Random(0)
        start = datetime(2022, 4, 1, tzinfo=timezone.utc)
        with app.extensions["cityfaq"].sessionmaker() as session:
            session.add_all(Message(created_at=start + timedelta(minutes=i), outcome=rng.choice(OUTCOMES),
                                    latency_ms=rng.lognormvariate(3.5, 0.5), text="質問", user="u")
                            for i in range(args.rows))
            session.commit()
        app.extensions["cityfaq"]._live_index = _Index()
        client = app.test_client()
        for path in ("/metrics", "/healthz"):
            times = []
            for _ in range(20):
                began = time.perf_counter()
                assert client.get(path).status_code == 200
                times.append((time.perf_counter() - began) * 1000)
            print(f"{path}: {args.rows:,} rows, median {statistics.median(times):.1f} ms, worst {max(times):.1f} ms")


if __name__ == "__main__":
    main()
