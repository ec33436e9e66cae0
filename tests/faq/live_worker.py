"""A stand-in for one gunicorn worker (tests/faq/test_live_workers.py): builds its own LiveIndex,
says "ready", then stays idle (no search) and says "rebuilt" once its index has moved to a newer FAQ
version by itself; told "go", it answers one question as JSON."""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import config
import db
from faq.live import LiveIndex


def main(database_url: str, cache_dir: str, poll_seconds: str, question: str) -> None:
    settings = config.Settings(database_url=database_url, secret_key="x", embedding_cache_dir=Path(cache_dir),
                               index_poll_seconds=float(poll_seconds))
    db.import_models()
    live = LiveIndex(db.make_sessionmaker(db.make_engine(database_url)), settings)
    built = live.version
    print("ready", flush=True)
    while live.version == built:
        time.sleep(0.05)
    print("rebuilt", flush=True)
    sys.stdin.readline()
    hits = live.search(question, k=1)
    print(json.dumps({"faq_id": hits[0].faq_id, "score": hits[0].score, "version": live.version}), flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:])
