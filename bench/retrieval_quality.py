"""Retrieval quality of BM25 alone, dense alone and the hybrid, and the decision thresholds.

    .venv/bin/python bench/retrieval_quality.py                 # development sets
    .venv/bin/python bench/retrieval_quality.py --fit           # refit the confidence (hybrid.py constants)
    .venv/bin/python bench/retrieval_quality.py --thresholds    # choose thresholds on development data
    .venv/bin/python bench/retrieval_quality.py --grid          # compare index settings
    .venv/bin/python bench/retrieval_quality.py --final         # the report, the held-out set included

Data: the sample FAQ (faq/sample/city_faq.csv) with six development query sets — the tuning half,
the old held-out half, the "fresh", "final" and "final2" sets (each scored once as the held-out set
of a version, then development data) and dev2 (written to stress declining: many near misses) —
and the external kosodate FAQ (../shared/bench/kosodate-faq, converted here in memory, never saved).
The held-out set is faq/sample/queries_final3.jsonl: nothing is fitted or tuned on it; it is read
only with --final, and reported only as totals. Writes bench/results/retrieval_quality.md, keeping
the explanation above its first heading.
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
import numpy as np  # noqa: E402

from retrieval import Document, IndexSettings, build_index, decide, hybrid, load_embedder  # noqa: E402
from retrieval.decide import Decision  # noqa: E402
from retrieval.evaluate import evaluate, load_queries  # noqa: E402
from retrieval.index import Hit  # noqa: E402

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
               "sample final2 (seen once)": "queries_final2.jsonl"}
# Thresholds are chosen on the sets written to the issue's brief (topics the FAQ lacks, out of
# scope); dev2's deliberate near misses are reported beside them, not used to set the bar.
THRESHOLD_SETS = ("sample tuning half", "sample old held-out half", "sample fresh (seen once)",
                  "sample final (seen once)", "sample final2 (seen once)")
KOSODATE_DEV, FINAL = "kosodate development", "sample final3 held-out"


def datasets(final: bool) -> dict[str, tuple[list[Document], list[dict]]]:
    docs = sample_docs()
    out = {name: (docs, load_queries(SAMPLE / file)) for name, file in SAMPLE_SETS.items()}
    out[KOSODATE_DEV] = kosodate()
    if final:
        out[FINAL] = (docs, load_queries(SAMPLE / "queries_final3.jsonl"))
    return out


def hit_features(docs: list[Document], queries: list[dict], embedder, settings: IndexSettings
                 ) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per query: (features of its top three hybrid hits, which of them is right)."""
    index = build_index(docs, embedder, settings=settings)
    out = []
    for q in queries:
        signals = index.candidates(q["query"])
        if signals is None:
            continue
        scores = hybrid.confidence(signals, settings.coefficients)
        top = np.argsort(-scores, kind="stable")[:3]
        right = np.array([index.docs[signals.ids[i]].faq_id in q["relevant"] for i in top], dtype=float)
        out.append((hybrid.features(signals)[top], right))
    return out


def fit_confidence(rows: list[tuple[np.ndarray, np.ndarray]], l2: float = 0.003) -> tuple[float, ...]:
    """Logistic regression (gradient descent, light L2) of "this hit is right" on its features."""
    x = np.vstack([np.c_[f, np.ones(len(f))] for f, _ in rows])
    y = np.concatenate([r for _, r in rows])
    w = np.zeros(x.shape[1])
    for _ in range(4000):
        p = 1 / (1 + np.exp(-x @ w))
        w -= (x.T @ (p - y) / len(y) + l2 * np.r_[w[:-1], 0])
    return tuple(round(float(v), 3) for v in w)


def fit_report(data: dict, embedder) -> list[str]:
    """Leave one sample set out: fit on the others (+ kosodate), choose thresholds there, measure
    on the one left out. Then the fit on all development data, for hybrid.COEFFICIENTS."""
    base = IndexSettings()
    feats = {name: hit_features(*data[name], embedder, base) for name in (*SAMPLE_SETS, KOSODATE_DEV)}
    lines = ["| measured on (fitted on the rest) | answer | candidate | hit@1 | reached | declined | answer precision |",
             "|---|---|---|---|---|---|---|"]
    for test in SAMPLE_SETS:
        coefs = fit_confidence([row for name, rows in feats.items() if name != test for row in rows])
        settings = dataclasses.replace(base, coefficients=coefs)
        rows = [row for name in THRESHOLD_SETS if name != test
                for row in evaluate(*data[name], embedder, 1.0, 1.0, settings=settings)["queries"]]
        a, c, _ = choose_thresholds(rows)
        r = evaluate(*data[test], embedder, a, c, settings=settings)
        m = redecide(r["queries"], a, c)
        lines.append(f"| {test} | {a:.2f} | {c:.2f} | {r['hit@1']:.3f} | {m[0]:.1%} | {m[1]:.1%} | {m[2]:.1%} |")
    coefs = fit_confidence([row for rows in feats.values() for row in rows])
    lines.append(f"\nFitted on all development data (hybrid.COEFFICIENTS): {coefs}")
    return lines


def redecide(rows: list[dict], answer: float, candidate: float) -> tuple[float, float, float]:
    """(reached, declined, answer precision) of per-query rows under other thresholds."""
    reached = declined = answered = right = n_ans = n_unans = 0
    for r in rows:
        d: Decision = decide([Hit(i, s) for i, s in r["hits"]], answer, candidate)
        ids = {h.faq_id for h in d.hits + d.related}
        if r["relevant"]:
            n_ans += 1
            reached += bool(ids & set(r["relevant"]))
        else:
            n_unans += 1
            declined += d.kind == "none"
        if d.kind == "answer":
            answered += 1
            right += d.hits[0].faq_id in r["relevant"]
    return (reached / max(n_ans, 1), declined / max(n_unans, 1), right / max(answered, 1))


def choose_thresholds(rows: list[dict]) -> tuple[float, float, list[str]]:
    """Candidate threshold: the most questions reached while ≥ 80% of unanswerable ones are
    declined. Answer threshold: the lowest at which ≥ 90% of the
    answers given are right, so a wrong answer is rare and the doubtful go to もしかして."""
    grid = [round(x * 0.01, 2) for x in range(5, 96)]
    best_c, best = grid[-1], (-1.0, -1.0)
    for c in grid:
        reached, declined, _ = redecide(rows, 1.01, c)
        if declined >= 0.80 and (reached, declined) > best:
            best_c, best = c, (reached, declined)
    best_a = 1.0
    for a in grid:
        if a >= best_c and redecide(rows, a, best_c)[2] >= 0.90:
            best_a = a
            break
    lines = ["| answer | candidate | reached | declined | answer precision |", "|---|---|---|---|---|"]
    for a in sorted({best_a, round(best_a - 0.05, 2), round(best_a + 0.05, 2)}):
        for c in sorted({best_c, round(best_c - 0.05, 2), round(best_c + 0.05, 2)}):
            if c <= a:
                m = redecide(rows, a, c)
                lines.append(f"| {a:.2f} | {c:.2f} | {m[0]:.1%} | {m[1]:.1%} | {m[2]:.1%} |")
    return best_a, best_c, lines


def fmt(value) -> str:
    return "–" if value is None else f"{value:.3f}"


def table(results: dict[str, dict[str, dict]]) -> list[str]:
    lines = ["| data | method | n | hit@1 | hit@5 | MRR@10 | reached | no-answer P | no-answer R | p50 ms |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for name, by_method in results.items():
        for method, r in by_method.items():
            lines.append(f"| {name} | {method} | {r['n']} | {fmt(r['hit@1'])} | {fmt(r['hit@5'])} | "
                         f"{fmt(r['mrr@10'])} | {fmt(r['reached'])} | {fmt(r['no_answer_precision'])} | "
                         f"{fmt(r['no_answer_recall'])} | {r['latency_ms_p50']:.1f} |")
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
    "readings 1.0": {"reading_weight": 1.0},
}


def settings_of(overrides: dict) -> IndexSettings:
    base = IndexSettings()
    if "tokens" in overrides:
        overrides = {**overrides, "tokens": dataclasses.replace(base.tokens, **overrides["tokens"])}
    return dataclasses.replace(base, **overrides)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--final", action="store_true",
                        help="also report faq/sample/queries_final3.jsonl (totals only; run once, at the end)")
    parser.add_argument("--thresholds", action="store_true",
                        help="choose thresholds on the development sample sets written to the brief")
    parser.add_argument("--fit", action="store_true", help="refit the confidence, each sample set left out in turn")
    parser.add_argument("--grid", nargs="*", metavar="NAME", help="compare index settings on development data")
    parser.add_argument("--cache-dir", type=Path, default=config.from_env().embedding_cache_dir)
    args = parser.parse_args()
    settings = config.from_env()
    embedder = load_embedder(settings.embedding_model, args.cache_dir)
    answer, candidate = settings.answer_threshold, settings.candidate_threshold
    data = datasets(args.final)

    if args.fit:
        print("\n".join(fit_report(data, embedder)))
        return
    if args.grid is not None:
        print("| setting | data | hit@1 | hit@5 | MRR@10 | reached | no-answer R |\n|---|---|---|---|---|---|---|")
        for name in args.grid or list(GRID):
            for data_name, (docs, queries) in data.items():
                if data_name == FINAL:
                    continue
                r = evaluate(docs, queries, embedder, answer, candidate, settings=settings_of(GRID[name]),
                             method=settings_of(GRID[name]).method)
                print(f"| {name} | {data_name} | {fmt(r['hit@1'])} | {fmt(r['hit@5'])} | {fmt(r['mrr@10'])} | "
                      f"{fmt(r['reached'])} | {fmt(r['no_answer_recall'])} |", flush=True)
        return

    out = ["# Retrieval quality\n", f"Model: `{embedder.model_id}`. Command: "
           f"`.venv/bin/python bench/retrieval_quality.py"
           f"{' --thresholds' if args.thresholds else ''}{' --final' if args.final else ''}`.\n"]
    if args.thresholds:
        rows = [row for name in THRESHOLD_SETS
                for row in evaluate(*data[name], embedder, answer, candidate)["queries"]]
        answer, candidate, lines = choose_thresholds(rows)
        out += [f"## Thresholds chosen on {', '.join(THRESHOLD_SETS)}: answer {answer:.2f}, "
                f"candidate {candidate:.2f}\n", *lines, ""]
    out.append(f"Thresholds used: answer {answer:.2f}, candidate {candidate:.2f}.\n")
    results: dict[str, dict[str, dict]] = {}
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
