"""Retrieval quality of BM25 alone, dense alone and the hybrid on every sample development set,
and index settings compared (--grid). The confidence model is fitted, and the thresholds chosen, by
bench/carryover.py, one FAQ left out at a time; the sample's sets are among what it is fitted on,
so the hybrid's rows here are not estimates of quality on a new city (bench/results/carryover.md is).

    .venv/bin/python bench/retrieval_quality.py                 # development sets
    .venv/bin/python bench/retrieval_quality.py --grid          # compare index settings

Data: the sample FAQ (faq/sample/city_faq.csv) with its twelve development query sets (each of
"fresh", "final" to "final5" was scored once as the held-out set of an earlier version, then became
development data) and the external kosodate FAQ (../shared/bench/kosodate-faq, converted here in
memory, never saved). Writes bench/results/retrieval_quality.md (keeping the explanation above its
first heading).
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import config  # noqa: E402
from faq.importer import parse_faq_csv  # noqa: E402

from retrieval import Document, IndexSettings, load_embedder  # noqa: E402
from retrieval.evaluate import Evaluation, evaluate, load_queries  # noqa: E402

SAMPLE = ROOT / "faq" / "sample"
KOSODATE = ROOT.parent / "shared" / "bench" / "kosodate-faq"
RESULTS = ROOT / "bench" / "results" / "retrieval_quality.md"
METHODS = ("bm25", "dense", "hybrid")


def sample_docs() -> list[Document]:
    rows = parse_faq_csv(SAMPLE / "city_faq.csv").rows
    return [Document(r.faq_id, r.question, tuple(r.alternates), r.answer) for r in rows]


def kosodate() -> tuple[list[Document], list[dict]]:
    corpus = json.loads((KOSODATE / "corpus.json").read_text(encoding="utf-8"))
    docs = [Document(str(c["faq_id"]), c["question"], (), c["answer"] or "") for c in corpus]
    dev = json.loads((KOSODATE / "development.json").read_text(encoding="utf-8"))
    return docs, [{"query": q["query"], "relevant": [str(q["faq_id"])]} for q in dev]


SAMPLE_SETS = {"sample tuning half": "queries_tune.jsonl", "sample old held-out half": "queries_holdout.jsonl",
               "sample fresh (seen once)": "queries_fresh.jsonl", "sample dev2 (near misses)": "queries_dev2.jsonl",
               "sample final (seen once)": "queries_final.jsonl",
               "sample final2 (seen once)": "queries_final2.jsonl",
               "sample final3 (seen once)": "queries_final3.jsonl",
               "sample dev3": "queries_dev3.jsonl", "sample dev4": "queries_dev4.jsonl",
               "sample final4 (seen once)": "queries_final4.jsonl", "sample dev5": "queries_dev5.jsonl",
               "sample final5 (seen once)": "queries_final5.jsonl"}
KOSODATE_DEV = "kosodate development"


def datasets() -> dict[str, tuple[list[Document], list[dict]]]:
    docs = sample_docs()
    out = {name: (docs, load_queries(SAMPLE / file)) for name, file in SAMPLE_SETS.items()}
    out[KOSODATE_DEV] = kosodate()
    return out


def fmt(value) -> str:
    return "–" if value is None else f"{value:.3f}"


def table(results: dict[str, dict[str, Evaluation]]) -> list[str]:
    lines = ["| data | method | n | hit@1 | hit@5 | MRR@10 | reached | no-answer P | no-answer R | p50 ms |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for name, by_method in results.items():
        for method, r in by_method.items():
            lines.append(f"| {name} | {method} | {r.n} | {fmt(r.hit_at_1)} | {fmt(r.hit_at_5)} | "
                         f"{fmt(r.mrr_at_10)} | {fmt(r.reached)} | {fmt(r.no_answer_precision)} | "
                         f"{fmt(r.no_answer_recall)} | {r.latency_ms_p50:.1f} |")
    return lines


GRID = {
    "default": {},
    "rrf": {"fusion": "rrf"},
    "no hiragana rewriting": {"rewrite_readings": False},
    "no readings": {"reading_weight": 0.0},
    "readings 0.6": {"reading_weight": 0.6},
    "no answer in BM25": {"answer_weight": 0.0},
    "answer in BM25 0.5": {"answer_weight": 0.5},
    "split mode A": {"tokens": {"modes": "A"}},
    "split mode C": {"tokens": {"modes": "C"}},
    "no answer embedded": {"answer_chars": 0},
    "answer opening 100": {"answer_chars": 100},
    "answer opening 400": {"answer_chars": 400},
    "whole answer embedded": {"answer_chars": -1},
}


def settings_of(overrides: dict) -> IndexSettings:
    base = IndexSettings()
    if "tokens" in overrides:
        overrides = {**overrides, "tokens": dataclasses.replace(base.tokens, **overrides["tokens"])}
    return dataclasses.replace(base, **overrides)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--grid", nargs="*", metavar="NAME", help="compare index settings on development data")
    parser.add_argument("--cache-dir", type=Path, default=config.from_env().embedding_cache_dir)
    args = parser.parse_args()
    settings = config.from_env()
    embedder = load_embedder(settings.embedding_model, args.cache_dir)
    answer, candidate = settings.answer_threshold, settings.candidate_threshold
    data = datasets()

    if args.grid is not None:
        print("| setting | data | hit@1 | hit@5 | MRR@10 | reached | no-answer R |\n|---|---|---|---|---|---|---|")
        for name in args.grid or list(GRID):
            for data_name, (docs, queries) in data.items():
                r = evaluate(docs, queries, embedder, answer, candidate, settings=settings_of(GRID[name]),
                             method=settings_of(GRID[name]).method)
                print(f"| {name} | {data_name} | {fmt(r.hit_at_1)} | {fmt(r.hit_at_5)} | {fmt(r.mrr_at_10)} | "
                      f"{fmt(r.reached)} | {fmt(r.no_answer_recall)} |", flush=True)
        return

    out = ["# Retrieval quality\n", f"Model: `{embedder.model_id}`. Command: "
           "`.venv/bin/python bench/retrieval_quality.py`.\n"]
    out.append(f"Thresholds used: answer {answer:g}, candidate {candidate:g}.\n")
    results: dict[str, dict[str, Evaluation]] = {}
    for name, (docs, queries) in data.items():
        results[name] = {m: evaluate(docs, queries, embedder, answer, candidate, method=m) for m in METHODS}
    out += table(results)
    text = "\n".join(out) + "\n"
    print(text)
    # The explanation above the first heading is written by hand (for the README); keep it.
    previous = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else ""
    preamble = previous[:previous.index("# Retrieval quality")] if "# Retrieval quality" in previous else ""
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(preamble + text, encoding="utf-8")


if __name__ == "__main__":
    main()
