"""Webhook round trip under real gunicorn: signed webhook in, LINE reply out, p50/p95 and RSS.

    .venv/bin/python bench/webhook_roundtrip.py [--requests 300] [--concurrency 2] [--workers 2]
                                                [--faq-size 2000] [--database-url URL]
    .venv/bin/python bench/webhook_roundtrip.py --rate 20 [--seconds 30]   # load: messages per second

With --rate, messages are sent on a fixed schedule whatever the answers take (an open loop, as
residents do). Either way the run waits (up to 30 s) for the senders to deliver every reply:
"lost" counts messages not logged or not answered. With --fault down|500|429, LINE's API (the stand-in) fails for the
first --fault-seconds of the run: the senders must retry and still answer everyone exactly once.
Writes webhook_load_<rate>[_<fault>].md.

The FAQ has 2,000 entries: the sample FAQ (faq/sample/city_faq.csv) + the 661 entries of
../shared/bench/kosodate-faq/corpus.json, then corpus entries again with a branch-office prefix
(「北部支所：」...) until 2,000: near-duplicates, so search is no easier than in a real city FAQ.
Questions: the 90 development questions of kosodate-faq and the sample FAQ's own questions,
cycled, each sent as a signed LINE text event (bot/line_webhook.py) to gunicorn on loopback.
Twenty untimed requests go first (before session 18: one, which left the stand-in's first
validations of each reply's shape in the timed window). The round trip is measured at the client:
signature check, dedup, masking, search, log commit and the 200. The reply goes to the LINE
stand-in (bot/line_stub.py, which validates every reply
against messaging-api.yml) from the worker's sender thread after the 200 (bot/sender.py), so it is
outside the round trip but shares the worker's and the machine's CPU; LINE's network is not here. Peak RSS (VmHWM) per worker.
The FAQ's passages are embedded once in this process first (into EMBEDDING_CACHE_DIR, default
instance/embeddings, kept between runs), so the workers start from the cache as they do after
the first start of a real deployment. Writes bench/results/webhook_roundtrip.md (with
--database-url: webhook_roundtrip_postgresql.md), keeping the sections written by hand below the table.
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

import db  # noqa: E402
from analytics.models import Message  # noqa: E402
from config import Settings  # noqa: E402
from faq.importer import COLUMNS, import_faq, parse_faq_csv  # noqa: E402
from faq.live import LiveIndex  # noqa: E402
from bot import line_webhook as wh  # noqa: E402
from bot.line_stub import LineStub  # noqa: E402

SHARED = ROOT.parent / "shared" / "bench" / "kosodate-faq"
SAMPLE = ROOT / "faq" / "sample" / "city_faq.csv"
RESULT = ROOT / "bench" / "results" / "webhook_roundtrip.md"
BRANCHES = ("北部支所", "南部支所", "東部支所", "西部支所")
SECRET = "bench-channel-secret"
TOKEN = "bench-access-token"
WARMUP = 20  # untimed requests first (see main)


def faq_csv(size: int) -> bytes:
    """The 2,000-entry FAQ described above, as FAQ CSV."""
    sample = parse_faq_csv(SAMPLE)
    rows = [[r.faq_id, r.category, r.question, "\n".join(r.alternates), r.answer, r.url, r.department]
            for r in sample.rows]
    corpus = json.loads((SHARED / "corpus.json").read_text(encoding="utf-8"))
    copy = 0
    while len(rows) < size:
        for entry in corpus:
            if len(rows) >= size:
                break
            prefix = f"{BRANCHES[copy - 1]}：" if copy else ""
            rows.append([f"K{copy}-{entry['faq_id']}", entry["category1"] or "", prefix + entry["question"],
                         "", entry["answer"], "", "子育て支援課"])
        copy += 1
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def questions() -> list[str]:
    development = json.loads((SHARED / "development.json").read_text(encoding="utf-8"))
    return [q["query"] for q in development] + [r.question for r in parse_faq_csv(SAMPLE).rows]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def worker_pids(master: int) -> list[int]:
    children = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
        except OSError:
            continue
        if int(fields.get("PPid", "0").strip()) == master:
            children.append(int(status.parent.name))
    return sorted(children)


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--faq-size", type=int, default=2000)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--rate", type=float, default=0.0, help="messages per second (open loop)")
    parser.add_argument("--seconds", type=float, default=30.0, help="how long to send at --rate")
    parser.add_argument("--fault", choices=("down", "500", "429"), help="LINE's API failing, with --rate")
    parser.add_argument("--fault-seconds", type=float, default=20.0)
    parser.add_argument("--no-validate", action="store_true",
                        help="the stand-in skips checking replies against LINE's spec (that check "
                             "runs in this process, on the same cores as the workers)")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="webhook-bench-"))
    url = args.database_url or f"sqlite:///{tmp / 'bench.sqlite3'}"
    db.upgrade(url)
    db.import_models()
    sessionmaker = db.make_sessionmaker(db.make_engine(url))
    with sessionmaker() as session:
        import_faq(session, parse_faq_csv(faq_csv(args.faq_size)))
        session.commit()
        # A --database-url database may hold earlier runs' log: count only this run's messages.
        before = session.scalar(select(func.max(Message.id))) or 0
    cache_dir = Path(os.environ.get("EMBEDDING_CACHE_DIR") or ROOT / "instance" / "embeddings")
    started = time.perf_counter()
    LiveIndex(sessionmaker, Settings(database_url=url, embedding_cache_dir=cache_dir)).close()
    embed_s = time.perf_counter() - started

    stub = LineStub(access_token=TOKEN, validate=not args.no_validate).start()
    port = free_port()
    log = tmp / "gunicorn.log"
    env = {**os.environ, "DATABASE_URL": url, "LINE_CHANNEL_SECRET": SECRET,
           "LINE_CHANNEL_ACCESS_TOKEN": TOKEN, "LINE_API_BASE_URL": stub.url,
           "SECRET_KEY": "bench", "INSTANCE_PATH": str(tmp / "instance"),
           "EMBEDDING_CACHE_DIR": str(cache_dir),
           "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
    started = time.perf_counter()
    gunicorn = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "-w", str(args.workers),
         "-b", f"127.0.0.1:{port}", "--error-logfile", str(log), "wsgi:app"], cwd=ROOT, env=env)
    try:
        while not (log.exists() and log.read_text().count("FAQ index ready") == args.workers):
            if gunicorn.poll() is not None:
                sys.exit(f"gunicorn exited:\n{log.read_text()}")
            time.sleep(0.5)
        ready_s = time.perf_counter() - started
        ready_lines = [line for line in log.read_text().splitlines() if "FAQ index ready" in line]
        base = f"http://127.0.0.1:{port}/callback"
        local = threading.local()  # one HTTP session (connection) per client thread
        asked = questions()

        def roundtrip(i: int) -> float:
            if not hasattr(local, "http"):
                local.http = requests.Session()
            http = local.http
            raw = wh.body(wh.text(asked[i % len(asked)], user_id=f"U{i % 50:032x}"))
            begin = time.perf_counter()
            response = http.post(base, data=raw.encode(), headers=wh.headers(raw, SECRET), timeout=60)
            elapsed = (time.perf_counter() - begin) * 1000
            assert response.status_code == 200, response.status_code
            return elapsed

        # Untimed first: the client's connections, and the stand-in's validators, which resolve the
        # spec's references on the first replies of each shape, in this process, under the GIL the
        # client's timing shares (the workers are warm already).
        for i in range(-WARMUP, 0):
            roundtrip(i)
        if args.rate:
            args.requests = int(args.rate * args.seconds)
            begin = time.perf_counter()

            def paced(i: int) -> float:
                time.sleep(max(0.0, begin + (i - 1) / args.rate - time.perf_counter()))
                return roundtrip(i)
            if args.fault:
                fail(stub, args.fault)
                threading.Timer(args.fault_seconds, heal, (stub,)).start()
            with ThreadPoolExecutor(max(8, int(args.rate))) as pool:
                times = list(pool.map(paced, range(1, args.requests + 1)))
        else:
            with ThreadPoolExecutor(args.concurrency) as pool:
                times = list(pool.map(roundtrip, range(1, args.requests + 1)))
        # The senders deliver after the 200s: a reply still on its way when gunicorn stops is
        # not lost (the next start sends it), so wait for it rather than count it.
        deadline = time.monotonic() + 30
        while len(stub.replies) < args.requests + WARMUP and time.monotonic() < deadline:
            time.sleep(0.2)
        rss = {pid: peak_rss_mb(pid) for pid in worker_pids(gunicorn.pid)}
    finally:
        gunicorn.send_signal(signal.SIGTERM)
        gunicorn.wait(timeout=60)
        stub.stop()

    with sessionmaker() as session:
        ours = Message.id > before
        outcomes = Counter(session.scalars(select(Message.outcome).where(ours)))
        statuses = Counter(session.scalars(select(Message.reply_status).where(ours)))
        search_ms = list(session.scalars(select(Message.latency_ms).where(ours)))
    report = render(args, url, times, rss, embed_s, ready_s, ready_lines, outcomes, statuses, stub,
                    search_ms)
    result = RESULT.with_name(f"webhook_roundtrip_{backend_of(url)}.md") if args.database_url else RESULT
    if args.rate:
        result = RESULT.with_name(f"webhook_load_{args.rate:g}" + (f"_{args.fault}" if args.fault else "")
                                  + (f"_{backend_of(url)}" if args.database_url else "") + ".md")
    result.parent.mkdir(parents=True, exist_ok=True)
    result.write_text(report + hand_written(result), encoding="utf-8")
    print(report)


def fail(stub: LineStub, fault: str) -> None:
    if fault == "down":
        stub.down = True
    else:
        stub.fail_with, stub.retry_after = int(fault), (1 if fault == "429" else None)


def heal(stub: LineStub) -> None:
    stub.down, stub.fail_with, stub.retry_after = False, None, None


def backend_of(url: str) -> str:
    return url.split(":", 1)[0].split("+", 1)[0]


def hand_written(path: Path) -> str:
    """The sections under the measured table (the thread study) are written by hand: keep them."""
    previous = path.read_text(encoding="utf-8") if path.exists() else ""
    return previous[previous.index("\n## "):] if "\n## " in previous else ""


def render(args, url, times, rss, embed_s, ready_s, ready_lines, outcomes, statuses, stub,
           search_ms) -> str:
    p50, p95 = statistics.median(times), percentile(times, 95)
    backend = backend_of(url)
    lines = [
        "# Webhook round trip (gunicorn, signed LINE webhooks, LINE stand-in)",
        "",
        "Command: `.venv/bin/python bench/webhook_roundtrip.py "
        + (f"--rate {args.rate:g} --seconds {args.seconds:g}" if args.rate
           else f"--requests {args.requests} --concurrency {args.concurrency}")
        + (f" --fault {args.fault} --fault-seconds {args.fault_seconds:g}" if args.fault else "")
        + (" --no-validate" if args.no_validate else "")
        + f" --workers {args.workers} --faq-size {args.faq_size}"
        + (" --database-url …`" if args.database_url else "`"),
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, database {backend}.",
        f"FAQ: {args.faq_size} entries (sample FAQ + kosodate-faq corpus + prefixed copies, see the script).",
        "",
        "| measure | value | target |",
        "|---|---|---|",
        (f"| messages at {args.rate:g}/s for {args.seconds:g} s (open loop) | {len(times)} | |" if args.rate
         else f"| requests (concurrency {args.concurrency}) | {len(times)} | |"),
        f"| lost: not logged / not answered | {len(times) + WARMUP - sum(outcomes.values())} / "
        f"{len(times) + WARMUP - len({r.reply_token for r in stub.replies})} | 0 / 0 |",
        f"| answered twice | {len(stub.replies) - len({r.reply_token for r in stub.replies})} | 0 |",
        f"| round trip p50 | {p50:.1f} ms | |",
        f"| round trip p95 | {p95:.1f} ms | < 60 ms |",
        f"| round trip max | {max(times):.1f} ms | |",
        f"| of which search + decision in the worker (message.latency_ms) p50 / p95 | "
        f"{statistics.median(search_ms):.1f} / {percentile(search_ms, 95):.1f} ms | |",
    ]
    lines += [f"| peak RSS worker {pid} | {mb:.0f} MB | < 1024 MB |" for pid, mb in sorted(rss.items())]
    lines += [
        f"| index build in the bench process (embeds what the cache lacks) | {embed_s:.1f} s | |",
        f"| gunicorn start to all {args.workers} workers ready (model + index from the cache) | {ready_s:.1f} s | |",
        "",
        f"Outcomes logged: {dict(outcomes)}; reply status: {dict(statuses)}; "
        f"replies accepted by the stand-in: {len(stub.replies)}; refused: {len(stub.errors)}.",
        "",
        "Workers load the model and build the index in gunicorn's post_worker_init (gunicorn.conf.py),",
        "and import the webhook's modules (line-bot-sdk's models: 1.5 s) before accepting connections,",
        "so the first resident's question is as fast as any other (README, Speed and memory):",
        "",
        *[f"    {line.split('] ', 1)[-1]}" for line in ready_lines],
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
