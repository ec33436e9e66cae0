"""Offline evaluation: score labelled questions against a throw-away index (`faq evaluate`)."""
from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np

from errors import UserError

from . import foreign
from .decide import MAX_CANDIDATES, DecisionKind, decide
from .embedder import Embedder
from .index import Document, IndexSettings, build_index
from .language import JAPANESE, detect


class QueryFileError(UserError, ValueError):
    """A query file that cannot be read; the message names the line, in Japanese for staff."""


def load_queries(path: str | Path) -> list[dict]:
    """JSONL lines {"query": "…", "relevant": ["id", …]}; blank lines are skipped."""
    queries = []
    try:
        lines = Path(path).read_text(encoding="utf-8-sig").splitlines()
    except UnicodeDecodeError as exc:
        raise QueryFileError(f"{path}: UTF-8として読めません ({exc.reason})") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise QueryFileError(f"{path} {number}行目: JSONとして読めません ({exc.msg})") from None
        if not isinstance(item, dict) or not isinstance(item.get("query"), str):
            raise QueryFileError(f"{path} {number}行目: \"query\"（文字列）がありません")
        if "relevant" not in item:
            # Without it every question would count as one the FAQ cannot answer: scores with no meaning.
            raise QueryFileError(f"{path} {number}行目: \"relevant\"（正解のIDの配列。FAQにない質問は []）がありません")
        relevant = item["relevant"]
        if not isinstance(relevant, list) or not all(isinstance(r, (str, int)) for r in relevant):
            raise QueryFileError(f"{path} {number}行目: \"relevant\" はIDの配列にしてください")
        queries.append({**item, "relevant": [str(r) for r in relevant]})
    return queries


@dataclass(frozen=True)
class Evaluation:
    """What evaluate() measured; to_dict() is `faq evaluate --json` (the contract's key names)."""

    n: int
    n_answerable: int
    n_unanswerable: int
    method: str
    hit_at_1: float | None
    hit_at_3: float | None
    hit_at_5: float | None
    mrr_at_10: float | None
    no_answer_precision: float | None
    no_answer_recall: float | None
    reached: float | None  # the right entry given as the answer or offered as a button
    by_language: dict[str, dict]  # per detected language: n, n_answerable, reached
    answered_right: float | None
    answered_wrong: float | None
    oos_answered: float | None
    oos_declined: float | None
    answer_precision: float | None  # answers given that were right, over all answers given
    answer_threshold: float
    candidate_threshold: float
    latency_ms_p50: float | None
    latency_ms_p95: float | None
    queries: list[dict]  # one row per query: rank, top, decision, decided, related, hits, ...

    def to_dict(self) -> dict:
        """The metrics under their JSON names ("hit@1", "mrr@10"), in the order printed since v1."""
        return {_JSON_NAMES.get(f.name, f.name): getattr(self, f.name) for f in fields(self)}


_JSON_NAMES = {"hit_at_1": "hit@1", "hit_at_3": "hit@3", "hit_at_5": "hit@5", "mrr_at_10": "mrr@10"}


def _ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def evaluate(docs: Sequence[Document], queries: Sequence[Mapping], embedder: Embedder,
             answer_threshold: float, candidate_threshold: float, method: str = "hybrid",
             progress: bool = False, synonyms: Mapping[str, str] | None = None,
             settings: IndexSettings | None = None,
             on_query: Callable[[], None] | None = None) -> Evaluation:
    """Metrics over `queries` (see ARCHITECTURE.md, `faq evaluate --json`), plus per-query rows.

    hit@k and mrr@10 come from the ranking alone, over the answerable queries. What residents see
    comes from decide(): over the answerable queries, `reached` (the right entry answered or offered
    as a button: a candidate, or related under an answer), `answered_right` and `answered_wrong`
    (a direct answer with the right / a wrong entry); over the unanswerable ones, `oos_answered`
    (answered directly as if known) and `oos_declined`; and the no-answer precision and recall.
    `on_query` is called after each query (a job's progress).
    """
    settings = settings or IndexSettings(method=method)
    if settings.method != method:
        settings = IndexSettings(**{**settings.__dict__, "method": method})
    index = build_index(docs, embedder, synonyms, progress=progress, settings=settings)
    rows, latencies = [], []
    from tqdm import tqdm  # not imported with the admin, which never shows a bar

    for q in tqdm(queries, disable=not progress, desc="queries"):
        start = time.perf_counter()
        # As the bot does: a message in another language is ranked and decided by the
        # multilingual model alone (foreign.py); BM25 alone has nothing else to go on.
        language = detect(q["query"])
        if language != JAPANESE and method != "bm25":
            hits = foreign.search(index, q["query"], k=10, language=language)
            decision = foreign.decide(hits)
        else:
            hits = index.search(q["query"], k=10)
            decision = decide(hits, answer_threshold, candidate_threshold)
        latencies.append((time.perf_counter() - start) * 1000)
        if on_query is not None:
            on_query()
        relevant = set(q["relevant"])
        ids = [h.faq_id for h in hits]
        rank = next((i + 1 for i, faq_id in enumerate(ids) if faq_id in relevant), None)
        rows.append({
            "query": q["query"], "relevant": q["relevant"], "rank": rank, "language": language,
            "top": ids[0] if ids else None, "top_score": hits[0].score if hits else 0.0,
            "decision": decision.kind, "decided": [h.faq_id for h in decision.hits],
            "related": [h.faq_id for h in decision.related],
            "hits": [[h.faq_id, h.score] for h in hits[:MAX_CANDIDATES]],
        })
    answerable = [r for r in rows if r["relevant"]]
    unanswerable = [r for r in rows if not r["relevant"]]
    declined = [r for r in rows if r["decision"] == DecisionKind.NONE]

    def reached(rows: list[dict]) -> int:
        return sum(1 for r in rows if set(r["decided"] + r["related"]) & set(r["relevant"]))

    def hit_at(k: int) -> float | None:
        return _ratio(sum(1 for r in answerable if r["rank"] and r["rank"] <= k), len(answerable))

    answer, none = DecisionKind.ANSWER, DecisionKind.NONE
    return Evaluation(
        n=len(rows),
        n_answerable=len(answerable),
        n_unanswerable=len(unanswerable),
        method=method,
        hit_at_1=hit_at(1),
        hit_at_3=hit_at(3),
        hit_at_5=hit_at(5),
        mrr_at_10=_ratio(sum(1 / r["rank"] for r in answerable if r["rank"]), len(answerable)) if answerable else None,
        no_answer_precision=_ratio(sum(1 for r in declined if not r["relevant"]), len(declined)),
        no_answer_recall=_ratio(sum(1 for r in unanswerable if r["decision"] == none), len(unanswerable)),
        reached=_ratio(reached(answerable), len(answerable)),
        by_language={
            language: {"n": sum(1 for r in rows if r["language"] == language),
                       "n_answerable": len(mine := [r for r in answerable if r["language"] == language]),
                       "reached": _ratio(reached(mine), len(mine))}
            for language in dict.fromkeys(r["language"] for r in rows)},
        answered_right=_ratio(sum(1 for r in answerable if r["decision"] == answer
                                  and r["decided"][0] in r["relevant"]), len(answerable)),
        answered_wrong=_ratio(sum(1 for r in answerable if r["decision"] == answer
                                  and r["decided"][0] not in r["relevant"]), len(answerable)),
        oos_answered=_ratio(sum(1 for r in unanswerable if r["decision"] == answer), len(unanswerable)),
        oos_declined=_ratio(sum(1 for r in unanswerable if r["decision"] == none), len(unanswerable)),
        answer_precision=_ratio(
            sum(1 for r in rows if r["decision"] == answer and r["decided"][0] in r["relevant"]),
            sum(1 for r in rows if r["decision"] == answer)),
        answer_threshold=answer_threshold,
        candidate_threshold=candidate_threshold,
        latency_ms_p50=float(np.percentile(latencies, 50)) if latencies else None,
        latency_ms_p95=float(np.percentile(latencies, 95)) if latencies else None,
        queries=rows,
    )
