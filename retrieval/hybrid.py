"""Combining the lexical and the dense evidence into one calibrated score in [0, 1].

The score is a logistic regression over six features of a (message, entry) pair: how much of the
message the entry's question words, their readings and its answer's words cover (BM25, each
normalised by the message's self-score), the rescaled cosine of the entry's best phrasing and of
its answer passage, and the share of the message written in hiragana (Sudachi and e5 read such
messages poorly, so the same evidence means more there). It was fitted with
`bench/retrieval_quality.py --fit` on the development questions (each query's top three hits
labelled right or wrong); it reads as "how likely this entry is the right one", which is what the
answer/candidate thresholds need. A weighted combination was kept over reciprocal rank fusion
(RRF), whose 1/(60 + rank) says only the order, not how sure the match is (both measured in the
README).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# multilingual-e5 cosines crowd into 0.7–0.95 whatever the pair; this stretches them to [0, 1].
DENSE_FLOOR = 0.78
DENSE_CEILING = 0.94
# Fitted by `bench/retrieval_quality.py --fit` on the development data of the time (tuning, old
# held-out, fresh, dev2 and final sets, kosodate; final2 became development data afterwards):
# weights of (question words, readings, answer words, phrasing cosine, answer cosine, hiragana
# share), bias.
COEFFICIENTS = (1.564, 2.502, 0.385, 2.394, 2.558, 0.199, -4.813)
RRF_K = 60


@dataclass(frozen=True)
class Signals:
    """What the index found for one message, per candidate entry (entry positions in `ids`)."""

    ids: np.ndarray
    fields: np.ndarray  # (3, n): lexical coverage by question words, readings, answer words
    phrasing: np.ndarray  # best cosine over the entry's question and alternate phrasings
    answer: np.ndarray  # cosine of the entry's answer passage (-1: not embedded)
    hiragana: float

    @property
    def lexical(self) -> np.ndarray:
        return np.minimum(self.fields.sum(axis=0), 1.0)

    @property
    def cosine(self) -> np.ndarray:
        return np.maximum(self.phrasing, self.answer)


def dense_scale(cosine: np.ndarray | float) -> np.ndarray:
    return np.clip((np.asarray(cosine, dtype=np.float32) - DENSE_FLOOR) / (DENSE_CEILING - DENSE_FLOOR),
                   0.0, 1.0)


def features(signals: Signals) -> np.ndarray:
    """(n, 6) rows of what confidence() weighs, one per candidate entry."""
    n = len(signals.ids)
    return np.column_stack([*signals.fields, dense_scale(signals.phrasing), dense_scale(signals.answer),
                            np.full(n, signals.hiragana, dtype=np.float32)])


def confidence(signals: Signals, coefficients: tuple[float, ...] = COEFFICIENTS) -> np.ndarray:
    """Probability-like score in [0, 1] that each candidate entry is the right one."""
    *weights, bias = coefficients
    return 1.0 / (1.0 + np.exp(-(features(signals) @ np.asarray(weights) + bias)))


def rrf(*rankings: np.ndarray) -> np.ndarray:
    """Reciprocal rank fusion of score arrays over the same candidates (higher is better)."""
    fused = np.zeros(len(rankings[0]), dtype=np.float64)
    for scores in rankings:
        ranks = np.empty(len(scores), dtype=np.int64)
        ranks[np.argsort(-np.asarray(scores), kind="stable")] = np.arange(1, len(scores) + 1)
        fused += 1.0 / (RRF_K + ranks)
    return fused
