"""Issue 15 item 4: does learning from the FAQ's own question–answer pairs carry over?

    .venv/bin/python bench/answer_adapter.py     # needs torch (in the venv with sentence-transformers)

Per FAQ, a query-side linear adapter q → normalise(q + qW) is trained on the FAQ alone, without
any labelled question: each phrasing (question and alternates) is asked as a query and must find
its own entry's answer passages (in-batch softmax over entries, temperature 0.05, L2 penalty on W).
Its cosine to each candidate's answer passages becomes an eighth feature of the confidence trees,
stretched to [0, 1] by the adapted cosines' own background (mean − 2σ to mean + 6σ over the other
entries, as calibration.dense_range does for the model's). The trees are fitted on the other FAQs
and judged on the one left out (bench/carryover.py's FAQs and development questions: three when the
results were written, four since), against the shipped seven features fitted the same way. Writes
bench/results/answer_adapter.md.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import numpy as np  # noqa: E402

import config  # noqa: E402
from carryover import RawEvidence, faqs, fit_on  # noqa: E402
from retrieval import IndexSettings, build_index, confidence, hybrid, load_embedder  # noqa: E402
from retrieval.dense import ANSWER, SENTENCE  # noqa: E402
from retrieval.normalize import normalize  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "answer_adapter.md"
STEPS, TEMPERATURE, PENALTY = 200, 0.05, 1.0


def train_adapter(dense, phrasings: np.ndarray, owners: np.ndarray) -> np.ndarray:
    """W (dim × dim) pulling each phrasing towards its own entry's answer passages."""
    import torch

    answers = np.isin(dense.kinds, (ANSWER, SENTENCE))
    passages = torch.tensor(dense.vectors[answers])
    passage_owner = torch.tensor(dense.owners[answers])
    queries, targets = torch.tensor(phrasings), torch.tensor(owners)
    weights = torch.zeros(phrasings.shape[1], phrasings.shape[1], requires_grad=True)
    optimiser = torch.optim.Adam([weights], lr=1e-3)
    for _ in range(STEPS):
        adapted = torch.nn.functional.normalize(queries + queries @ weights, dim=1)
        sims = adapted @ passages.T / TEMPERATURE
        per_entry = torch.full((len(adapted), dense.n_entries), -1e4).scatter_reduce(
            1, passage_owner.expand(len(adapted), -1), sims, reduce="amax")
        loss = torch.nn.functional.cross_entropy(per_entry, targets) + PENALTY * (weights ** 2).sum()
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
    return weights.detach().numpy()


def answer_cosines(dense, weights: np.ndarray, vectors: np.ndarray) -> np.ndarray:
    """(queries, entries): each entry's best adapted cosine over its answer passages."""
    adapted = vectors + vectors @ weights
    adapted /= np.linalg.norm(adapted, axis=1, keepdims=True)
    answers = np.isin(dense.kinds, (ANSWER, SENTENCE))
    best = np.full((len(vectors), dense.n_entries), -1.0, dtype=np.float32)
    sims = adapted @ dense.vectors[answers].T
    for column, owner in enumerate(dense.owners[answers]):
        np.maximum(best[:, owner], sims[:, column], out=best[:, owner])
    return best


def faq_rows(docs, queries, embedder) -> tuple[list, float]:
    """Per question: (seven features, the adapted feature, labels) of its candidates; training seconds."""
    index = build_index(docs, embedder, settings=IndexSettings(confidence_model=RawEvidence()))
    texts, owners = [], []
    for i, doc in enumerate(docs):
        for phrasing in (doc.question, *doc.alternates):
            texts.append(normalize(phrasing))
            owners.append(i)
    phrasings, owners = embedder.known_queries(texts), np.array(owners)
    started = time.perf_counter()
    weights = train_adapter(index.dense, phrasings, owners)
    seconds = time.perf_counter() - started
    background = answer_cosines(index.dense, weights, phrasings)
    others = background[owners[:, None] != np.arange(len(docs))[None, :]]
    adapted_range = (others.mean() - 2 * others.std(), others.mean() + 6 * others.std())
    vectors = embedder.known_queries([index.prepare(q["query"]) for q in queries])
    adapted = answer_cosines(index.dense, weights, vectors)
    rows = []
    for q, vector, cosines in zip(queries, vectors, adapted):
        signals = index.candidates(q["query"], vector)
        if signals is None:
            rows.append((None, None, None, bool(q["relevant"])))
            continue
        rows.append((hybrid.features(signals), hybrid.dense_scale(cosines[signals.ids], adapted_range),
                     np.array([docs[i].faq_id in q["relevant"] for i in signals.ids]), bool(q["relevant"])))
    return rows, seconds


def design(row, with_adapter: bool) -> np.ndarray:
    features, adapted, _, _ = row
    return np.column_stack([features, adapted]) if with_adapter else features


def training(rows: list, with_adapter: bool) -> tuple[np.ndarray, np.ndarray]:
    """(x, y) of each question's most promising candidates, as carryover.training_rows keeps them."""
    kept = [(row, confidence.promising(row[0])) for row in rows if row[0] is not None]
    return (np.vstack([design(row, with_adapter)[k] for row, k in kept]),
            np.concatenate([row[2][k] for row, k in kept]))


def fit(rows_by_faq: dict, names: list[str], with_adapter: bool):
    return fit_on(names, {n: training(rows_by_faq[n], with_adapter) for n in names},
                  monotonic=confidence.MONOTONIC + ((1,) if with_adapter else ()))


def hit_at_1(rows, score) -> float:
    answerable = [row for row in rows if row[3]]
    return sum(bool(row[2][np.argmax(score(row))]) for row in answerable if row[0] is not None) / len(answerable)


def main() -> None:
    settings = config.from_env()
    embedder = load_embedder(settings.embedding_model, settings.embedding_cache_dir)
    data = faqs()
    names = list(data)
    rows, seconds = {}, {}
    for name in names:
        rows[name], seconds[name] = faq_rows(*data[name], embedder)
    out = ["# A query-side adapter from the FAQ's own question–answer pairs, leave one FAQ out\n",
           "Command: `.venv/bin/python bench/answer_adapter.py` (development questions; hit@1).\n",
           "| FAQ left out | questions | dense alone | adapted cosine alone | trees, 7 features | trees + adapted | adapter training |",
           "|---|---|---|---|---|---|---|"]
    for test in names:
        train = [n for n in names if n != test]
        base, adapted = fit(rows, train, False), fit(rows, train, True)
        cells = [hit_at_1(rows[test], lambda r: np.maximum(r[0][:, hybrid.column("phrasing")],
                                                           r[0][:, hybrid.column("answer")])),
                 hit_at_1(rows[test], lambda r: r[1]),
                 hit_at_1(rows[test], lambda r: base.predict_proba(design(r, False))[:, 1]),
                 hit_at_1(rows[test], lambda r: adapted.predict_proba(design(r, True))[:, 1])]
        out.append(f"| {test} | {len(rows[test])} | " + " | ".join(f"{c:.3f}" for c in cells)
                   + f" | {seconds[test]:.1f} s |")
        print(out[-1], flush=True)
    RESULTS.write_text("\n".join(out) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
