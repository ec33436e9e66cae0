"""Questions in a foreign resident's language: ranked and decided by the multilingual model alone.

The Japanese path's evidence (BM25 over Sudachi tokens, readings, the noun features, and the trees
fitted on Japanese questions) is empty for "Where can I get a residence certificate?", so its
confidence sinks to near zero even when e5 ranks the right entry first. Here the entries are
ranked by their best cosine (any phrasing, the staff's translation of the question into the
message's language, or the answer passage), and the score is that cosine
scaled to this FAQ's calibrated dense range (calibration.py): 0 at or below the floor (μ − 2σ of
the FAQ's background cosines), 1 at the ceiling.

The decision prefers もしかして buttons: a dense score alone says less than the Japanese path's
evidence, and a wrong direct answer in a language the resident reads better than Japanese misleads
more than three buttons cost. It answers directly only when the top entry stands clear of the next
by ANSWER_MARGIN, and declines only when even the top entry is at or below the FAQ's floor.
"""
from __future__ import annotations

import numpy as np

from .decide import MAX_CANDIDATES, MAX_RELATED, Decision, DecisionKind
from .dense import DenseIndex
from .hybrid import dense_scale
from .index import MAX_QUERY_CHARS, Hit, Index
from .normalize import has_content, normalize

# The scaled score the top entry must lead the second by for a direct answer (on the scale where
# the FAQ's dense range is 0..1). Chosen on kosodate's and ひばり市's Japanese development questions
# ranked densely, not on the sample FAQ the foreign sets are measured on (bench/foreign_margin.py):
# the lowest with wrong answers ≤ 2.5% and out-of-scope answers ≤ 8% on both.
ANSWER_MARGIN = 0.25
# Translated questions a language needs before they count: fewer cannot measure the lift below.
MIN_TRANSLATED = 5


def search(index: Index, query: str, k: int = 10, language: str | None = None) -> list[Hit]:
    """At most k entries by their best cosine to the message, best first; scored on the FAQ's
    calibrated dense range. [] for a message with no words or an index without vectors.
    `language`: the message's (retrieval.language); its translated questions count as phrasings."""
    text = normalize(query)[:MAX_QUERY_CHARS]
    if not index.docs or not has_content(text) or k <= 0 or len(index.dense.vectors) == 0:
        return []
    vector = index.embedder.queries([text])[0]
    entries = index.dense.top(vector)
    translated = index.translated.get(language) if language else None
    if translated is not None and len(translated.vectors) < MIN_TRANSLATED:
        translated = None
    if translated is not None:
        seen = set(entries)
        entries += [e for e in translated.top(vector) if e not in seen]
    if not entries:
        return []
    phrasing, answer, _ = index.dense.exact(vector, entries)
    if translated is not None:
        phrasing = np.maximum(phrasing, _on_japanese_scale(translated.exact(vector, entries)[0], vector,
                                                           translated, index))
    cosine = np.maximum(phrasing, answer)
    scaled = dense_scale(cosine, index.calibration.dense_range)
    order = np.argsort(-cosine, kind="stable")[:k]
    return [Hit(index.docs[entries[i]].faq_id, round(float(scaled[i]), 4)) for i in order]


def _on_japanese_scale(cosine: np.ndarray, vector: np.ndarray, translated: DenseIndex, index: Index) -> np.ndarray:
    """Translated questions are in the message's own language, and same-language cosines run
    higher than cross-language ones: compared raw, an entry with a translation beats a better one
    without (measured on the sample FAQ, README). So the translated cosines are lowered by that
    lift, measured on this message: its mean cosine to the translated questions less its mean
    cosine to the Japanese passages (the median lowered too little: bench in README)."""
    lift = float(vector @ (translated.mean - index.dense.mean))  # = the two means, without 10,000 products
    return np.where(cosine < -0.5, -1.0, cosine - max(lift, 0.0)).astype(np.float32)


def decide(hits: list[Hit], margin: float = ANSWER_MARGIN) -> Decision:
    """Answer when the top entry leads the second by `margin`; else the top five as candidates;
    none only when the top entry is at or below the FAQ's dense floor (score 0)."""
    if not hits or hits[0].score <= 0.0:
        return Decision(DecisionKind.NONE, [])
    if len(hits) == 1 or hits[0].score - hits[1].score >= margin:
        return Decision(DecisionKind.ANSWER, [hits[0]], hits[1:1 + MAX_RELATED])
    return Decision(DecisionKind.CANDIDATES, hits[:MAX_CANDIDATES])
