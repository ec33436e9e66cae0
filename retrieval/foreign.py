"""Questions in a foreign resident's language: ranked and decided by the multilingual model alone.

The Japanese path's evidence (BM25 over Sudachi tokens, readings, the noun features, and the trees
fitted on Japanese questions) is empty for "Where can I get a residence certificate?", so its
confidence sinks to near zero even when e5 ranks the right entry first. Here the entries are
ranked by their best cosine (any phrasing or the answer passage), and the score is that cosine
scaled to this FAQ's calibrated dense range (calibration.py): 0 at or below the floor (μ − 2σ of
the FAQ's background cosines), 1 at the ceiling.

The decision prefers もしかして buttons: a dense score alone says less than the Japanese path's
evidence, and a wrong direct answer in a language the resident reads better than Japanese misleads
more than three buttons cost. It answers directly only when the top entry stands clear of the next
by ANSWER_MARGIN, and declines only when even the top entry is at or below the FAQ's floor.
"""
from __future__ import annotations

import numpy as np

from .decide import MAX_CANDIDATES, Decision
from .hybrid import dense_scale
from .index import MAX_QUERY_CHARS, Hit, Index
from .normalize import has_content, normalize

# The scaled score the top entry must lead the second by for a direct answer (on the scale where
# the FAQ's dense range is 0..1). Chosen on kosodate's and ひばり市's Japanese development questions
# ranked densely, not on the sample FAQ the foreign sets are measured on (bench/foreign_margin.py):
# the lowest with wrong answers ≤ 2.5% and out-of-scope answers ≤ 8% on both.
ANSWER_MARGIN = 0.25


def search(index: Index, query: str, k: int = 10) -> list[Hit]:
    """At most k entries by their best cosine to the message, best first; scored on the FAQ's
    calibrated dense range. [] for a message with no words or an index without vectors."""
    text = normalize(query)[:MAX_QUERY_CHARS]
    if not index.docs or not has_content(text) or k <= 0 or len(index.dense.vectors) == 0:
        return []
    vector = index.embedder.queries([text])[0]
    entries = index.dense.top(vector)
    if not entries:
        return []
    phrasing, answer, _ = index.dense.exact(vector, entries)
    cosine = np.maximum(phrasing, answer)
    scaled = dense_scale(cosine, index.calibration.dense_range)
    order = np.argsort(-cosine, kind="stable")[:k]
    return [Hit(index.docs[entries[i]].faq_id, round(float(scaled[i]), 4)) for i in order]


def decide(hits: list[Hit], margin: float = ANSWER_MARGIN) -> Decision:
    """Answer when the top entry leads the second by `margin`; else the top three as candidates;
    none only when the top entry is at or below the FAQ's dense floor (score 0)."""
    if not hits or hits[0].score <= 0.0:
        return Decision("none", [])
    if len(hits) == 1 or hits[0].score - hits[1].score >= margin:
        return Decision("answer", [hits[0]], hits[1:MAX_CANDIDATES])
    return Decision("candidates", hits[:MAX_CANDIDATES])
