"""Where one worker's webhook time goes: p50/p95 per span of the path of a question, in process.

    .venv/bin/python bench/webhook_spans.py [--requests 300] [--faq-size 2000] [--threads 1] [--validate]

The FAQ and the questions are those of bench/webhook_roundtrip.py. One process plays one gunicorn
worker (RETRIEVAL_THREADS=--threads, 1 as gunicorn.conf.py gives each of 2 workers on 2 cores) and
takes one signed webhook at a time through Flask's test client; after each, its reply sender
delivers the reply to the LINE stand-in (not validated) outside the timed request. Each span is a
wrapper around the function named, timed per request (a function called twice counts twice);
spans nest as indented. "rest" is the request minus its top-level spans: Flask, the route,
dispatch. Wall time (p50, p95) suffers from whatever else the machine runs; CPU time (of the
request's thread) much less. The reply sender's send and, with --validate, the stand-in's check
of the reply are timed in their own threads, after the request. Logging is at INFO, as under
gunicorn. Writes nothing; prints a Markdown table (results: bench/results/webhook_roundtrip.md).
"""
from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# (span, module or class path, attribute, depth): the webhook path, in the order it runs.
SPANS = (
    ("signature check", "linebot.v3:SignatureValidator", "validate", 1),
    ("parse event (line-bot-sdk)", "bot.events", "_parse_event", 1),
    ("open handoff? (db read)", "bot.events:Bot", "to_staff", 1),
    ("exclusion rules", "bot.events", "is_meaningless", 1),
    ("masking", "bot.events", "mask_personal_data", 1),
    ("language detection", "bot.events", "detect", 1),
    ("search", "faq.live:LiveIndex", "search", 1),
    ("prepare (normalise, synonyms, readings)", "retrieval.index:Index", "prepare", 2),
    ("Sudachi tokens", "retrieval.index", "tokens", 2),
    ("BM25", "retrieval.bm25:WeightedBm25", "field_scores", 2),
    ("query embedding", "retrieval.embedder:Embedder", "queries", 2),
    ("FAISS top", "retrieval.dense:DenseIndex", "top", 2),
    ("exact passage cosines", "retrieval.dense:DenseIndex", "exact", 2),
    ("Sudachi nouns", "retrieval.index", "nouns", 2),
    ("noun features", "retrieval.nouns:NounCoverage", "features", 2),
    ("confidence trees", "retrieval.confidence", "of", 2),
    ("decide", "bot.events:retrieval", "decide", 1),
    ("log: claim (insert)", "bot.events:Bot", "claim", 1),
    ("log: question row", "bot.events", "record_question", 1),
    ("reply row + commit", "bot.events:Bot", "reply", 1),
    # After the 200, in other threads: the worker's reply sender, and the stand-in's check of
    # the reply (LINE's side; in bench/webhook_roundtrip.py it runs on the same two cores).
    ("reply sender: send (after the 200)", "bot.sender:ReplySender", "send", 0),
    ("stand-in: check the reply (--validate)", "bot.line_stub:LineStub", "_problems", 0),
)


def instrument(wall: dict[str, float], cpu: dict[str, float]) -> None:
    """Wrap each span's function so that its wall and CPU time (this thread's) add to wall[span]
    and cpu[span]."""
    import importlib

    for name, where, attribute, _depth in SPANS:
        module_name, _, owner_name = where.partition(":")
        owner = importlib.import_module(module_name)
        for part in filter(None, owner_name.split(".")):
            owner = getattr(owner, part)
        original = getattr(owner, attribute)

        def timed(*args, _original=original, _name=name, **kwargs):
            began, began_cpu = time.perf_counter(), time.thread_time()
            try:
                return _original(*args, **kwargs)
            finally:
                wall[_name] += (time.perf_counter() - began) * 1000
                cpu[_name] += (time.thread_time() - began_cpu) * 1000
        setattr(owner, attribute, timed)
    # Callers look these up at call time (module attributes, methods): they meet the wrappers.


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--faq-size", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--validate", action="store_true", help="the stand-in checks replies against LINE's spec")
    args = parser.parse_args()
    os.environ.update(RETRIEVAL_THREADS=str(args.threads), HF_HUB_OFFLINE="1", TOKENIZERS_PARALLELISM="false")

    import db
    from bench import webhook_roundtrip as roundtrip
    from bot import line_webhook as wh
    from bot.line_stub import LineStub
    from faq.importer import import_faq, parse_faq_csv

    tmp = Path(tempfile.mkdtemp(prefix="webhook-spans-"))
    url = f"sqlite:///{tmp / 'bench.sqlite3'}"
    db.upgrade(url)
    db.import_models()
    with db.make_sessionmaker(db.make_engine(url))() as session:
        import_faq(session, parse_faq_csv(roundtrip.faq_csv(args.faq_size)))
        session.commit()
    stub = LineStub(access_token=roundtrip.TOKEN, validate=args.validate).start()
    os.environ.update(DATABASE_URL=url, LINE_CHANNEL_SECRET=roundtrip.SECRET,
                      LINE_CHANNEL_ACCESS_TOKEN=roundtrip.TOKEN, LINE_API_BASE_URL=stub.url,
                      SECRET_KEY="bench", INSTANCE_PATH=str(tmp / "instance"),
                      EMBEDDING_CACHE_DIR=os.environ.get("EMBEDDING_CACHE_DIR")
                      or str(ROOT / "instance" / "embeddings"))
    # As under gunicorn (its --log-level, INFO): web.configure_logging keeps a root logger that has handlers.
    logging.basicConfig(level=logging.INFO, format="%(asctime)s [%(levelname)s] %(name)s: %(message)s")
    from wsgi import create_app

    app = create_app()
    services = app.extensions["cityfaq"]
    services.live_index.search("住民票")
    threads = f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS')}"  # the bundled model needs no torch
    wall: dict[str, float] = defaultdict(float)
    cpu: dict[str, float] = defaultdict(float)
    instrument(wall, cpu)
    client = app.test_client()
    asked = roundtrip.questions()
    rows: dict[str, list[float]] = defaultdict(list)
    cpu_rows: dict[str, list[float]] = defaultdict(list)
    whole, rest = "webhook (in the worker)", "rest (Flask, route, dispatch)"
    try:
        for i in range(-20, args.requests):  # 20 to warm up
            raw = wh.body(wh.text(asked[i % len(asked)], user_id=f"U{i % 50:032x}"))
            headers = wh.headers(raw, roundtrip.SECRET)
            wall.clear()
            cpu.clear()
            began, began_cpu = time.perf_counter(), time.thread_time()
            assert client.post("/callback", data=raw.encode(), headers=headers).status_code == 200
            wall[whole], cpu[whole] = (time.perf_counter() - began) * 1000, (time.thread_time() - began_cpu) * 1000
            services.reply_sender.wait(timeout=10)
            time.sleep(0.005)  # the stand-in's check ends after the sender's
            if i < 0:
                continue
            for table, spent in ((rows, wall), (cpu_rows, cpu)):
                table[whole].append(spent[whole])
                for name, *_ in SPANS:
                    table[name].append(spent[name])
                table[rest].append(spent[whole] - sum(spent[name] for name, *_, depth in SPANS if depth == 1))
    finally:
        stub.stop()

    depth_of = {name: depth for name, *_, depth in SPANS}
    print(f"FAQ {args.faq_size} entries, {args.requests} requests one at a time, {threads}; "
          f"load average {os.getloadavg()[0]:.2f}\n")
    print("| span | p50 ms | p95 ms | CPU p50 ms | CPU mean ms |\n|---|---|---|---|---|")
    for name, values in rows.items():
        if name.startswith("stand-in") and not args.validate:
            continue
        label = "&nbsp;&nbsp;" * max(depth_of.get(name, 1) - 1, 0) + name
        print(f"| {label} | {statistics.median(values):.2f} | {roundtrip.percentile(values, 95):.2f} | "
              f"{statistics.median(cpu_rows[name]):.2f} | {statistics.fmean(cpu_rows[name]):.2f} |")


if __name__ == "__main__":
    main()
