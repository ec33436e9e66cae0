"""Retrieval quality of BM25 alone, dense alone and the hybrid, and the decision thresholds.

    .venv/bin/python bench/retrieval_quality.py                 # development sets
    .venv/bin/python bench/retrieval_quality.py --fit           # refit the confidence model, choose thresholds
    .venv/bin/python bench/retrieval_quality.py --grid          # compare index settings
    .venv/bin/python bench/retrieval_quality.py --final         # the report, the held-out set included

Data: the sample FAQ (faq/sample/city_faq.csv) with eleven development query sets — the tuning half,
the old held-out half, the "fresh", "final" to "final4" sets (each scored once as the held-out set
of a version, then development data), dev2 (written to stress declining: many near misses), dev3,
dev4 and dev5 (60–80 unanswerable questions each, about half near misses, like final4) — and the
external kosodate FAQ (../shared/bench/kosodate-faq, converted here in memory, never saved). The
held-out set is faq/sample/queries_final5.jsonl: nothing is fitted or tuned on it; it is read only with
--final, and reported only as totals. Writes bench/results/retrieval_quality.md (keeping the
explanation above its first heading) and, with --fit, bench/results/confidence_fit.md.
"""
from __future__ import annotations

import argparse
import dataclasses
import functools
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import config  # noqa: E402
from faq.importer import parse_faq_csv  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402

from retrieval import Document, IndexSettings, build_index, confidence, decide, hybrid, load_embedder  # noqa: E402
from retrieval.decide import Decision  # noqa: E402
from retrieval.evaluate import evaluate, load_queries  # noqa: E402
from retrieval.index import Hit  # noqa: E402

SAMPLE = ROOT / "faq" / "sample"
KOSODATE = ROOT.parent / "shared" / "bench" / "kosodate-faq"
RESULTS = ROOT / "bench" / "results" / "retrieval_quality.md"
FIT_RESULTS = ROOT / "bench" / "results" / "confidence_fit.md"
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
               "sample final4 (seen once)": "queries_final4.jsonl", "sample dev5": "queries_dev5.jsonl"}
# Thresholds are chosen on the sets written as residents' questions with some the FAQ cannot answer.
# dev2 was written to stress declining (120 of its 320 questions unanswerable, 80 of those near
# misses, chosen before dev3 and dev4 existed); it is fitted on but does not set the bar.
THRESHOLD_SETS = ("sample tuning half", "sample old held-out half", "sample fresh (seen once)",
                  "sample final (seen once)", "sample final2 (seen once)", "sample final3 (seen once)",
                  "sample dev3", "sample dev4", "sample final4 (seen once)", "sample dev5")
# Written to a brief with about half of the unanswerable questions near misses.
NEAR_MISS_SETS = ("sample dev3", "sample dev4", "sample final4 (seen once)", "sample dev5")
KOSODATE_DEV, FINAL = "kosodate development", "sample final5 held-out"


def datasets(final: bool) -> dict[str, tuple[list[Document], list[dict]]]:
    docs = sample_docs()
    out = {name: (docs, load_queries(SAMPLE / file)) for name, file in SAMPLE_SETS.items()}
    out[KOSODATE_DEV] = kosodate()
    if final:
        out[FINAL] = (docs, load_queries(SAMPLE / "queries_final5.jsonl"))
    return out


@dataclasses.dataclass
class Found:
    """One labelled question and what one search found for it (None: a message without words)."""

    signals: hybrid.Signals | None
    ids: list[str]
    relevant: list[str]


def found(docs: list[Document], queries: list[dict], embedder) -> list[Found]:
    """Search each question once; every model is then scored on these signals without searching."""
    index = build_index(docs, embedder)
    out = []
    for q in queries:
        signals = index.candidates(q["query"])
        ids = [index.docs[i].faq_id for i in signals.ids] if signals else []
        out.append(Found(signals, ids, q["relevant"]))
    return out


def training_rows(items: list[Found]) -> tuple[np.ndarray, np.ndarray]:
    """Each question's most promising candidates, labelled right or wrong."""
    x, y = [], []
    for item in items:
        if item.signals is not None:
            features = hybrid.features(item.signals)
            rows = confidence.promising(features)
            x.append(features[rows])
            y.append([item.ids[i] in item.relevant for i in rows])
    return np.vstack(x), np.concatenate(y).astype(float)


def scored_rows(model, items: list[Found]) -> list[dict]:
    """Per question, what redecide() needs: the relevant ids and the top three (id, score), scored
    as Index.search scores them."""
    rows = []
    for item in items:
        scores = confidence.of(model, item.signals) if item.signals is not None else np.zeros(0)
        top = np.argsort(-scores, kind="stable")[:3]
        rows.append({"relevant": item.relevant, "hits": [(item.ids[i], float(scores[i])) for i in top]})
    return rows


def fit_logistic(x: np.ndarray, y: np.ndarray):
    """The previous confidence, a logistic regression over the same features, for comparison."""
    return LogisticRegression(C=10.0, max_iter=2000).fit(x, y)


FITS = {"trees (kept)": confidence.fit, "logistic regression": fit_logistic}


def fit_report(data: dict, embedder) -> list[str]:
    """Leave one sample set out: fit on the others (+ kosodate), choose thresholds there, measure
    on the one left out, for each kind of model. Thresholds are always chosen on scores of
    questions the scoring model was not fitted on (each threshold set scored by a model fitted
    without it): a model's scores on its own training questions are too sure of themselves.
    Then the shipped model: fitted on all development data, saved as retrieval/confidence.pkl,
    with its thresholds chosen the same way."""
    table = {name: found(*data[name], embedder) for name in (*SAMPLE_SETS, KOSODATE_DEV)}

    @functools.cache
    def fitted_without(fit, left_out: frozenset[str]):
        return fit(*training_rows([item for name, items in table.items() if name not in left_out for item in items]))

    def fitted(fit, *left_out: str):
        return fitted_without(fit, frozenset(left_out))

    def thresholds(fit, *left_out: str) -> tuple[float, float, list[str]]:
        return choose_thresholds([row for name in THRESHOLD_SETS if name not in left_out
                                  for row in scored_rows(fitted(fit, name, *left_out), table[name])])

    lines = ["| model | measured on (fitted on the rest) | answer | candidate | hit@1 | reached | declined | "
             "answer precision |", "|---|---|---|---|---|---|---|---|"]
    separation = ["| model | out-of-fold scores of | reached | declined |", "|---|---|---|---|"]
    for model_name, fit in FITS.items():
        pooled, rows_of = [], {}
        for test in SAMPLE_SETS:
            a, c, _ = thresholds(fit, test)
            rows = rows_of[test] = scored_rows(fitted(fit, test), table[test])
            m = redecide(rows, a, c)
            hit1 = np.mean([r["hits"][0][0] in r["relevant"] for r in rows if r["relevant"] and r["hits"]])
            if test in THRESHOLD_SETS:
                pooled += [(r, a, c) for r in rows]
            lines.append(f"| {model_name} | {test} | {a:.2f} | {c:.2f} | {hit1:.3f} | {m[0]:.1%} | {m[1]:.1%} | "
                         f"{m[2]:.1%} |")
        reached = np.mean([redecide([r], a, c)[0] for r, a, c in pooled if r["relevant"]])
        declined = np.mean([redecide([r], a, c)[1] for r, a, c in pooled if not r["relevant"]])
        lines.append(f"| {model_name} | **pooled: the sets written to the brief** | | | | **{reached:.1%}** | "
                     f"**{declined:.1%}** | |")
        # How well the scores separate the two kinds of question, apart from where a threshold
        # chosen elsewhere happens to fall: one threshold over the pooled scores themselves.
        for label, names in (("the sets written to the brief", THRESHOLD_SETS), ("the near-miss sets", NEAR_MISS_SETS)):
            rows = [r for name in names for r in rows_of[name]]
            m = redecide(rows, *choose_thresholds(rows)[:2])
            separation.append(f"| {model_name} | {label} | {m[0]:.1%} | {m[1]:.1%} |")
    answer, candidate, threshold_lines = thresholds(confidence.fit)
    confidence.save(fitted(confidence.fit))
    lines += ["\nSeparation: the most reached with ≥ 80% declined, one threshold chosen on the pooled "
              "out-of-fold scores themselves.\n", *separation]
    return lines + [f"\nShipped: trees fitted on all development data ({confidence.MODEL_PATH.relative_to(ROOT)}); "
                    f"thresholds chosen on {', '.join(THRESHOLD_SETS)}, each scored by trees fitted without it: "
                    f"**answer {answer:.3f}, candidate {candidate:.3f}** (config.py).\n", *threshold_lines]


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
    grid = [round(x * 0.005, 3) for x in range(1, 191)]
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
    steps = (-0.02, -0.01, 0.0, 0.01, 0.02)
    for a, c in sorted({(best_a, round(best_c + d, 3)) for d in steps} | {(round(best_a + d, 3), best_c) for d in steps}):
        if 0 < c <= a:
            m = redecide(rows, a, c)
            lines.append(f"| {a:.3f} | {c:.3f} | {m[0]:.1%} | {m[1]:.1%} | {m[2]:.1%} |")
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
}


def settings_of(overrides: dict) -> IndexSettings:
    base = IndexSettings()
    if "tokens" in overrides:
        overrides = {**overrides, "tokens": dataclasses.replace(base.tokens, **overrides["tokens"])}
    return dataclasses.replace(base, **overrides)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--final", action="store_true",
                        help="also report faq/sample/queries_final5.jsonl (totals only; run once, at the end)")
    parser.add_argument("--fit", action="store_true",
                        help="refit the confidence model and choose the thresholds (each sample set left out in turn)")
    parser.add_argument("--grid", nargs="*", metavar="NAME", help="compare index settings on development data")
    parser.add_argument("--cache-dir", type=Path, default=config.from_env().embedding_cache_dir)
    args = parser.parse_args()
    settings = config.from_env()
    embedder = load_embedder(settings.embedding_model, args.cache_dir)
    answer, candidate = settings.answer_threshold, settings.candidate_threshold
    data = datasets(args.final)

    if args.fit:
        text = "\n".join(["# Confidence model and thresholds\n", "Command: `.venv/bin/python bench/retrieval_quality.py --fit`.\n",
                          *fit_report(data, embedder)]) + "\n"
        print(text)
        FIT_RESULTS.write_text(text, encoding="utf-8")
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
           f"`.venv/bin/python bench/retrieval_quality.py{' --final' if args.final else ''}`.\n"]
    out.append(f"Thresholds used: answer {answer:g}, candidate {candidate:g}.\n")
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
