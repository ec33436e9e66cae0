"""Combining the lexical and the dense score into one calibrated score in [0, 1].

The score is a logistic regression over three features: the normalised BM25 score, the
rescaled dense cosine, and the share of the message written in hiragana (Sudachi reads such
messages poorly, so the same lexical score means more there). It was fitted with
`bench/retrieval_quality.py --fit` on the development questions (each query's top three hits
labelled right or wrong); it reads as "how likely this entry is the right one", which is what
the answer/candidate thresholds need. Its lexical:dense proportion (about 0.56:0.44) ranks as well
as the earlier fixed blend and was kept over reciprocal rank fusion (RRF), whose 1/(60 + rank)
says only the order, not how sure the match is.
"""
from __future__ import annotations

import numpy as np

# multilingual-e5 cosines crowd into 0.7–0.95 whatever the pair; this stretches them to [0, 1].
DENSE_FLOOR = 0.78
DENSE_CEILING = 0.94
# Fitted by `bench/retrieval_quality.py --fit` (tune half, old held-out half, kosodate development).
LEXICAL_COEF = 2.075
DENSE_COEF = 1.62
HIRAGANA_COEF = 0.523
BIAS = -2.994
RRF_K = 60


def dense_scale(cosine: np.ndarray | float) -> np.ndarray:
    return np.clip((np.asarray(cosine, dtype=np.float32) - DENSE_FLOOR) / (DENSE_CEILING - DENSE_FLOOR),
                   0.0, 1.0)


def features(lexical: np.ndarray, cosine: np.ndarray, hiragana: float) -> np.ndarray:
    """(n, 3) rows of what confidence() weighs, one per entry."""
    lexical = np.asarray(lexical, dtype=np.float32)
    return np.stack([lexical, dense_scale(cosine), np.full_like(lexical, hiragana)], axis=1)


def confidence(lexical: np.ndarray, cosine: np.ndarray, hiragana: float,
               coefficients: tuple[float, ...] = (LEXICAL_COEF, DENSE_COEF, HIRAGANA_COEF, BIAS)) -> np.ndarray:
    """Probability-like score in [0, 1] that each entry is the right one for the message."""
    *weights, bias = coefficients
    return 1.0 / (1.0 + np.exp(-(features(lexical, cosine, hiragana) @ np.asarray(weights) + bias)))


def rrf(*rankings: np.ndarray) -> np.ndarray:
    """Reciprocal rank fusion of score arrays over the same candidates (higher is better)."""
    fused = np.zeros(len(rankings[0]), dtype=np.float64)
    for scores in rankings:
        ranks = np.empty(len(scores), dtype=np.int64)
        ranks[np.argsort(-np.asarray(scores), kind="stable")] = np.arange(1, len(scores) + 1)
        fused += 1.0 / (RRF_K + ranks)
    return fused
