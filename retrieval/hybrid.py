"""The evidence a (message, entry) pair carries, as the features the confidence model weighs.

Eleven features (FEATURES): how much of the message the entry's words cover (BM25 over its question
words, their readings and its answer's words, each normalised by the message's self-score, summed),
the rescaled cosine of the entry's best phrasing, of its answer passage and of its best answer
sentence (a resident describing a situation often meets one sentence of a long answer), the share of the message
written in hiragana (Sudachi and e5 read such messages poorly, so the same evidence means more
there), and whether the entry speaks of the message's nouns (nouns.py: a question the FAQ cannot
answer often differs from an entry in one noun); and for each of the four kinds of evidence, how
far the entry is ahead of the best other candidate (negative: behind it). confidence.py turns them into "how likely this
entry is the right one", which is what the answer/candidate thresholds need. That learned score was
kept over reciprocal rank fusion (RRF), whose 1/(60 + rank) says only the order, not how sure the
match is (both measured in the README).

The three lexical fields used to be three features: trees fitted on two FAQs then split on tiny
differences in answer-word coverage, and on the third FAQ (kosodate, no alternates) ranked below
dense alone; one summed coverage carried over (bench/results/carryover.md).

The leads (session 13): scored alone, a candidate looks the same whether ten entries match as well
or none does; with its lead the trees see the competition. Tried in session 12 on the question sets
of the time, they were a trade between FAQs; on the sets written after that choice they lifted the
hit@1 on the two FAQs nothing is fitted on (つばめ市's held-out questions 0.827 → 0.867, うみねこ町's
development ones 0.830 → 0.880) and put the hybrid level with or above dense alone where it had been
below, at a cost to ひばり市's long answers (README).
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

RRF_K = 60


@dataclass(frozen=True)
class Signals:
    """What the index found for one message, per candidate entry (entry positions in `ids`)."""

    ids: np.ndarray
    fields: np.ndarray  # (3, n): lexical coverage by question words, readings, answer words
    phrasing: np.ndarray  # best cosine over the entry's question and alternate phrasings
    answer: np.ndarray  # cosine of the entry's answer passage (-1: not embedded)
    sentence: np.ndarray  # best cosine over the entry's answer sentences (-1: not embedded)
    hiragana: float
    noun_cover: np.ndarray  # idf-weighted share of the message's nouns the entry uses
    noun_gap: np.ndarray  # how rare the rarest noun the entry lacks is (0: it lacks none)
    exact: int = -1  # the entry the message is exactly a phrasing of (-1: none)
    # (floor, ceiling) of this FAQ's cosines under this model (calibration.dense_range): cosines
    # crowd into a narrow band that differs from model to model; this stretches it to [0, 1].
    dense_range: tuple[float, float] = (0.0, 1.0)

    def without(self, position: int) -> Signals:
        """The same evidence with entry `position` left out of the candidates (the calibration asks
        an entry's own question and must see the others as if it were not in the FAQ)."""
        keep = self.ids != position
        return replace(self, ids=self.ids[keep], fields=self.fields[:, keep], phrasing=self.phrasing[keep],
                       answer=self.answer[keep], sentence=self.sentence[keep],
                       noun_cover=self.noun_cover[keep], noun_gap=self.noun_gap[keep])

    @property
    def lexical(self) -> np.ndarray:
        return np.minimum(self.fields.sum(axis=0), 1.0)

    @property
    def cosine(self) -> np.ndarray:
        return np.maximum(self.phrasing, self.answer)


def dense_scale(cosine: np.ndarray | float, dense_range: tuple[float, float]) -> np.ndarray:
    floor, ceiling = dense_range
    return np.clip((np.asarray(cosine, dtype=np.float32) - floor) / max(ceiling - floor, 1e-6), 0.0, 1.0)


@dataclass(frozen=True)
class Feature:
    name: str
    # +1: more of it never lowers the confidence; -1: never raises it; 0: either way
    sign: int


# The one table the column order, the trees' monotonic constraints and the saved model derive from.
FEATURES = (Feature("lexical", 1), Feature("phrasing", 1), Feature("answer", 1), Feature("sentence", 1),
            Feature("hiragana", 0), Feature("noun_cover", 1), Feature("noun_gap", -1),
            Feature("lexical_lead", 1), Feature("phrasing_lead", 1), Feature("answer_lead", 1),
            Feature("sentence_lead", 1))
# The evidence whose lead over the other candidates is a feature of its own (named "<name>_lead").
LEADS = ("lexical", "phrasing", "answer", "sentence")
FEATURE_NAMES = tuple(f.name for f in FEATURES)


def column(name: str) -> int:
    return FEATURE_NAMES.index(name)


def features(signals: Signals) -> np.ndarray:
    """(n, len(FEATURES)) rows of what the confidence model weighs, one per candidate entry."""
    n = len(signals.ids)
    own = np.column_stack([signals.lexical, dense_scale(signals.phrasing, signals.dense_range),
                           dense_scale(signals.answer, signals.dense_range),
                           dense_scale(signals.sentence, signals.dense_range),
                           np.full(n, signals.hiragana, dtype=np.float32), signals.noun_cover,
                           signals.noun_gap])
    return np.column_stack([own] + [lead(own[:, column(name)]) for name in LEADS])


def lead(values: np.ndarray) -> np.ndarray:
    """How far each value is above the best of the others (negative: below it; 0 when alone)."""
    if len(values) < 2:
        return np.zeros_like(values)
    first, second = np.argsort(-values, kind="stable")[:2]
    best_other = np.full_like(values, values[first])
    best_other[first] = values[second]
    return values - best_other


def rrf(*rankings: np.ndarray) -> np.ndarray:
    """Reciprocal rank fusion of score arrays over the same candidates (higher is better)."""
    fused = np.zeros(len(rankings[0]), dtype=np.float64)
    for scores in rankings:
        ranks = np.empty(len(scores), dtype=np.int64)
        ranks[np.argsort(-np.asarray(scores), kind="stable")] = np.arange(1, len(scores) + 1)
        fused += 1.0 / (RRF_K + ranks)
    return fused
