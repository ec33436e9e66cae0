"""How well the review queue groups unanswered questions: by shared top hit (what
analytics.review_queue.group_by_top_hit does) against greedy clustering by embedding cosine.

The labelled questions of faq/sample/queries_all.jsonl stand in for a month of resident questions;
two questions belong together when they name the same relevant entry. Pair precision: of the
pairs put in one group, the share that belong together (staff see one need per group). Pair
recall: of the pairs that belong together, the share put in one group.
Run: .venv/bin/python bench/review_grouping.py
"""
from __future__ import annotations

import itertools
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import retrieval  # noqa: E402
from analytics.review_queue import group_by_top_hit  # noqa: E402
from faq.importer import parse_faq_csv  # noqa: E402


class Question:
    def __init__(self, text: str, label: str):
        self.text, self.label = text, label


def pair_scores(questions: list[Question], group_of: list[int]) -> tuple[float, float, int]:
    pairs = list(itertools.combinations(range(len(questions)), 2))
    same = {p for p in pairs if questions[p[0]].label == questions[p[1]].label}
    together = {p for p in pairs if group_of[p[0]] == group_of[p[1]]}
    precision = len(together & same) / len(together) if together else 0.0
    return precision, len(together & same) / len(same), len(set(group_of))


def cosine_leader(vectors: np.ndarray, threshold: float) -> list[int]:
    """Greedy: join the most similar earlier group leader at or above `threshold`."""
    leaders: list[int] = []
    group_of: list[int] = []
    for i, vector in enumerate(vectors):
        if leaders:
            scores = vectors[leaders] @ vector
            best = int(np.argmax(scores))
            if scores[best] >= threshold:
                group_of.append(best)
                continue
        leaders.append(i)
        group_of.append(len(leaders) - 1)
    return group_of


def main() -> None:
    rows = [json.loads(line) for line in (ROOT / "faq/sample/queries_all.jsonl").read_text().splitlines()
            if line.strip()]
    questions = [Question(r["query"], r["relevant"][0]) for r in rows if r["relevant"]]
    embedder = retrieval.load_embedder("", ROOT / "instance" / "embeddings")
    print(f"{len(questions)} labelled questions over {len({q.label for q in questions})} entries")
    print(f"{'method':<28} {'groups':>6} {'pair precision':>15} {'pair recall':>12}")
    vectors = embedder.passages([retrieval.normalize(q.text) for q in questions])
    for threshold in (0.88, 0.90, 0.92, 0.94):
        precision, recall, groups = pair_scores(questions, cosine_leader(vectors, threshold))
        print(f"{'cosine >= %.2f' % threshold:<28} {groups:6d} {precision:15.3f} {recall:12.3f}")
    docs = [retrieval.Document(r.faq_id, r.question, tuple(r.alternates), r.answer)
            for r in parse_faq_csv(ROOT / "faq/sample/city_faq.csv").rows]
    index = retrieval.build_index(docs, embedder)
    groups = group_by_top_hit(questions, lambda q: next(iter(index.search(q.text, k=1)), None))
    group_of = {id(m): g for g, group in enumerate(groups) for m in group.messages}
    precision, recall, count = pair_scores(questions, [group_of[id(q)] for q in questions])
    print(f"{'shared top hit (used)':<28} {count:6d} {precision:15.3f} {recall:12.3f}")


if __name__ == "__main__":
    main()
