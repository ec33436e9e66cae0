"""The check before publishing as a job (issue 14): how long a 300-entry check takes, and what the
web process answers meanwhile.

    .venv/bin/python bench/check_job.py                 # writes bench/results/check_job.md
    .venv/bin/python bench/check_job.py --cache-dir DIR # keep the embeddings between runs

FAQ: the 190 sample entries and the first 110 of ひばり市 (bench/data/hibari) = 300 entries. Judged
log: the answerable questions of faq/sample/queries_all.jsonl and bench/data/hibari/queries_dev.jsonl
whose entry is in that FAQ, each logged as answered and judged 正答 (the benchmark needs a judged
log; in production it is the city's own). The draft rewrites one entry's question. The app runs as
a web worker does (CHECK_WORKER=inline: the job is a thread of the process that queued it), its
index already built, so the FAQ's embeddings are cached on disk as in production; the first run
of the job in a fresh cache is timed too. Meanwhile the page's requests and the bot's searches
(the same process's live index) are timed.
"""
from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results" / "check_job.md"
HIBARI = ROOT / "bench" / "data" / "hibari"
SAMPLE = ROOT / "faq" / "sample"


def _ms(values: list[float]) -> str:
    if not values:
        return "—"
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return f"p50 {statistics.median(ordered):.1f} ms, p95 {p95:.1f} ms, max {ordered[-1]:.1f} ms (n={len(ordered)})"


def _queries(path: Path, ids: set[str]) -> list[dict]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            q = json.loads(line)
            if q["relevant"] and q["relevant"][0] in ids:
                out.append(q)
    return out


def run(tmp: Path, cache_dir: Path) -> dict:
    import config
    import db
    from admin.accounts import create_user
    from admin.models import CheckJob
    from analytics.models import Message, Outcome, Review
    from faq.importer import ParsedFaq, import_faq, parse_faq_csv
    from wsgi import create_app

    rows = parse_faq_csv(SAMPLE / "city_faq.csv").rows + parse_faq_csv(HIBARI / "faq.csv").rows[:110]
    ids = {r.faq_id for r in rows}
    judged = _queries(SAMPLE / "queries_all.jsonl", ids) + _queries(HIBARI / "queries_dev.jsonl", ids)
    settings = config.Settings(database_url=f"sqlite:///{tmp / 'bench.sqlite3'}", secret_key="bench",
                               instance_path=tmp, embedding_cache_dir=cache_dir, index_poll_seconds=2.0)
    db.upgrade(settings.database_url)
    app = create_app(settings)
    app.config["WTF_CSRF_ENABLED"] = False
    services = app.extensions["cityfaq"]
    with services.sessionmaker() as s:
        import_faq(s, ParsedFaq(rows, "utf-8"))
        for q in judged:
            s.add(Message(text=q["query"], outcome=Outcome.ANSWERED, faq_id=q["relevant"][0], review=Review.CORRECT))
        create_user(s, "bench", "bench-password-42", "editor")
        s.commit()
    started = time.perf_counter()
    live = services.live_index  # a web worker builds its index before its first request
    live.search("住民票")
    index_seconds = time.perf_counter() - started

    client = app.test_client()
    client.post("/admin/login", data={"username": "bench", "password": "bench-password-42"})
    probes = [q["query"] for q in judged[:60]]
    for text in probes:  # the first searches load what a worker loads lazily
        live.search(text)
    idle = []
    for text in probes:
        t = time.perf_counter()
        live.search(text)
        idle.append((time.perf_counter() - t) * 1000)

    first = rows[0]
    draft = {"faq_id": first.faq_id, "category": first.category, "question": "燃えるごみ（生ごみ・紙くず）の出し方",
             "alternates": "\n".join(first.alternates), "answer": first.answer, "url": first.url,
             "department": first.department}

    def one_job() -> dict:
        t = time.perf_counter()
        response = client.post("/admin/faq/check", data=draft)
        post_ms = (time.perf_counter() - t) * 1000
        assert response.status_code == 302, response.status_code
        url = response.headers["Location"]
        page_ms, poll_ms, busy = [], [], []
        t_page = time.perf_counter()
        assert client.get(url).status_code == 200
        page_ms.append((time.perf_counter() - t_page) * 1000)
        i = 0
        while True:
            t = time.perf_counter()
            state = client.get(url + "/progress").get_json()
            poll_ms.append((time.perf_counter() - t) * 1000)
            if state["finished"]:
                break
            t = time.perf_counter()
            live.search(probes[i % len(probes)])
            busy.append((time.perf_counter() - t) * 1000)
            i += 1
            time.sleep(0.2)
        wall = time.perf_counter() - t_page + post_ms / 1000
        with services.sessionmaker() as s:
            job = s.get(CheckJob, int(url.rsplit("/", 1)[1]))
            assert job.state == "done", job.error
            result = job.result
        return {"post_ms": post_ms, "page_ms": page_ms, "poll_ms": poll_ms, "busy": busy, "wall": wall,
                "seconds": result["seconds"], "n": result["questions"]["n"], "source": result["questions"]["source"],
                "changes": len(result["changes"]), "before": result["before"], "after": result["after"]}

    jobs = [one_job() for _ in range(2)]
    idle_after = []
    for text in probes:
        t = time.perf_counter()
        live.search(text)
        idle_after.append((time.perf_counter() - t) * 1000)
    services._check_worker.stop()
    live.close()
    return {"entries": len(rows), "judged": len(judged), "index_seconds": index_seconds, "idle": idle, "idle_after": idle_after,
            "jobs": jobs}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache-dir", type=Path, help="embedding cache to use (default: a fresh one)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = run(Path(tmp), args.cache_dir or Path(tmp) / "embeddings")
        out["cache"] = "kept from an earlier run" if args.cache_dir else "a fresh disk cache"
    lines = ["# Check before publishing as a job (bench/check_job.py)", "",
             f"{time.strftime('%Y-%m-%d')}, {platform.machine()}, Python {platform.python_version()}, "
             "2 cores shared with other work (figures are on a loaded machine).", "",
             f"FAQ {out['entries']} entries; judged log {out['judged']} questions (正答); "
             f"the web process's index built in {out['index_seconds']:.1f} s (embeddings: {out['cache']}).", "",
             "| run | questions | job (s, in the worker) | page to result (s) | POST /admin/faq/check | progress poll | "
             "bot search meanwhile | changed | 1位正解率 before → after |",
             "|---|---|---|---|---|---|---|---|---|"]
    for i, job in enumerate(out["jobs"], start=1):
        lines.append(
            f"| {i} | {job['n']} ({job['source']}) | {job['seconds']:.1f} | {job['wall']:.1f} | {job['post_ms']:.0f} ms | "
            f"{_ms(job['poll_ms'])} | {_ms(job['busy'])} | {job['changes']} | "
            f"{job['before']['hit@1']:.3f} → {job['after']['hit@1']:.3f} |")
    lines += ["", f"Bot search in the same process, idle: before the checks {_ms(out['idle'])}; "
              f"after them {_ms(out['idle_after'])}.", ""]
    RESULTS.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
