"""Check before publishing: score a query set against the FAQ with one draft entry applied in
memory, beside the FAQ as it is, and list the questions whose result changed. No Flask here."""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import retrieval
from faq.entries import EntryRow
from retrieval.decide import DecisionKind

if TYPE_CHECKING:  # the evaluation loads numpy and the index: imported by the check that runs it
    from retrieval.evaluate import Evaluation


@dataclass(frozen=True)
class QueryChange:
    query: str
    relevant: list[str]
    before: dict  # a per-query row of retrieval.evaluate (rank, top, decision, ...)
    after: dict

    @property
    def better(self) -> bool:
        return _goodness(self.after) > _goodness(self.before)


@dataclass
class CheckResult:
    before: Evaluation
    after: Evaluation
    changes: list[QueryChange]

    def delta(self, metric: str) -> float | None:
        if self.before.get(metric) is None or self.after.get(metric) is None:
            return None
        return self.after[metric] - self.before[metric]


def with_draft(docs: Sequence[retrieval.Document], row: EntryRow) -> list[retrieval.Document]:
    """The documents as they would be once `row` is saved (replacing its entry, or added)."""
    draft = retrieval.Document(faq_id=row.faq_id, question=row.question,
                               alternates=tuple(row.alternates), answer=row.answer)
    out = [draft if doc.faq_id == row.faq_id else doc for doc in docs]
    return out if any(doc.faq_id == row.faq_id for doc in docs) else [*out, draft]


def check_draft(docs: Sequence[retrieval.Document], row: EntryRow, queries: Sequence[Mapping],
                embedder: retrieval.Embedder, synonyms: Mapping[str, str], answer_threshold: float,
                candidate_threshold: float, on_query: Callable[[], None] | None = None) -> CheckResult:
    from retrieval.evaluate import evaluate

    def run(documents: Sequence[retrieval.Document]) -> Evaluation:
        return evaluate(documents, queries, embedder, answer_threshold, candidate_threshold,
                        synonyms=synonyms, on_query=on_query)

    before, after = run(docs), run(with_draft(docs, row.cleaned()))
    changes = [
        QueryChange(b["query"], b["relevant"], b, a)
        for b, a in zip(before.queries, after.queries)
        if (b["rank"], b["top"], b["decision"]) != (a["rank"], a["top"], a["decision"])
    ]
    return CheckResult(before, after, changes)


def _goodness(row: dict) -> tuple:
    """Higher is better: the right entry reached the resident, then its rank; declining a question
    the FAQ cannot answer is right too."""
    if not row["relevant"]:
        return (row["decision"] == DecisionKind.NONE, 0)
    reached = bool(set(row["decided"] + row["related"]) & set(row["relevant"]))
    return (reached, -(row["rank"] or 99))

