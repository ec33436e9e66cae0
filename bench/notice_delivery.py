"""Notice delivery: N subscribers, one approved notice, multicast in batches of 500 to the LINE
stand-in (every call validated against messaging-api.yml), timed from approval to the last batch.

    .venv/bin/python bench/notice_delivery.py [--subscribers 5000] [--database-url URL]

Subscribing (encrypting each id) is timed apart. The stand-in answers on loopback, so LINE's own
latency (tens of ms a call) is not included: 10 calls for 5,000 residents would add well under 1 s.
Prints one line per phase.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cryptography.fernet import Fernet  # noqa: E402

import config  # noqa: E402
import db  # noqa: E402
from notices import delivery, service, subscriptions  # noqa: E402
from notices.crypto import IdBox  # noqa: E402
from bot.line_stub import LineStub  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--subscribers", type=int, default=5000)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp())
    url = args.database_url or f"sqlite:///{tmp / 'bench.sqlite3'}"
    db.import_models()
    db.upgrade(url)
    key = Fernet.generate_key().decode()
    stub = LineStub(quota=10**9).start()
    settings = config.Settings(database_url=url, line_channel_access_token=stub.access_token,
                               line_api_base_url=stub.url, line_id_keys=key, secret_key="bench")
    maker = db.make_sessionmaker(db.make_engine(url))
    box = IdBox([key])
    with maker() as session:
        topic = subscriptions.save_topic(session, "防災")
        started = time.perf_counter()
        for n in range(args.subscribers):
            subscriptions.subscribe(session, box, f"p{n}", f"U{n:032x}", topic.id)
        session.commit()
        print(f"subscribe {args.subscribers}: {time.perf_counter() - started:.2f} s")
        notice = service.draft_notice(session, service.Draft(title="避難所の開設", text="開設しました。",
                                                             topic_ids=[topic.id]), by="bench")
        service.approve(session, notice, by="bench")
        session.commit()
        notice_id = notice.id
    sender = delivery.NoticeSender(maker, settings)
    started = time.perf_counter()
    while True:
        sender.run_once()
        with maker() as session:
            from notices.models import Notice
            notice = session.get(Notice, notice_id)
            if notice.status in ("sent", "failed"):
                break
    elapsed = time.perf_counter() - started
    print(f"deliver {notice.recipients} in {len(stub.multicasts)} multicasts: {elapsed:.2f} s "
          f"(sent {notice.sent}, failed {notice.failed}, stand-in errors {len(stub.errors)})")
    stub.stop()


if __name__ == "__main__":
    main()
