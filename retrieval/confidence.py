"""The learned confidence: how likely a candidate entry is the right answer to a message.

A small gradient-boosted tree model (scikit-learn) over the features of hybrid.FEATURES. It
is fitted by `bench/carryover.py --fit` on the labelled development questions of four FAQs of
different shape, each FAQ weighing the same, and saved beside this module; every number it is
judged by comes from trees fitted without the FAQ measured (bench/results/carryover.md). Trees
were kept over a logistic regression over the same features, which separated answerable from
unanswerable questions less well when each sample set was left out in turn (an earlier version).

Messages typed mostly in kana get trees of their own (Trees.kana), fitted on the same questions
plus the same questions spelled in hiragana: e5 and Sudachi read such messages poorly, so the same
evidence means something else there, and the questions written so were too few to teach one set
of trees. One set fitted on both served kana messages as well but ranked residents' descriptions
of their situation a point lower (README).
"""
from __future__ import annotations

import pickle
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .hybrid import FEATURE_NAMES, FEATURES, Signals, column, features

if TYPE_CHECKING:  # scikit-learn takes seconds to import: loaded with the model, not with the package
    from sklearn.ensemble import HistGradientBoostingClassifier
    from threadpoolctl import ThreadpoolController

MODEL_PATH = Path(__file__).with_name("confidence.pkl")
MONOTONIC = tuple(f.sign for f in FEATURES)
# Trained on each question's ten most promising candidates: the decision only ever looks at the
# top of the ranking, and the long tail of weak candidates would teach the model little else.
TRAINING_DEPTH = 10
# A message at least this much hiragana (hybrid's "hiragana" feature) is scored by the kana trees:
# chosen over 0.6 and 0.85 on the development questions, left out FAQ by FAQ.
KANA_SHARE = 0.75


@dataclass(frozen=True)
class Trees:
    """The shipped confidence model: trees for ordinary messages and trees for kana messages."""

    ordinary: HistGradientBoostingClassifier
    kana: HistGradientBoostingClassifier

    def predict_proba(self, features: np.ndarray) -> np.ndarray:
        kana = features[:, column("hiragana")] >= KANA_SHARE
        proba = np.empty((len(features), 2))
        for model, rows in ((self.ordinary, ~kana), (self.kana, kana)):
            if rows.any():  # a message's candidates share its hiragana share: one model runs
                proba[rows] = model.predict_proba(features[rows])
        return proba


def promising(features: np.ndarray, depth: int = TRAINING_DEPTH) -> np.ndarray:
    """Rows of the `depth` candidates with the most raw evidence (lexical coverage plus the best
    cosine): what a model is trained on, chosen without a model."""
    evidence = features[:, column("lexical")] + np.maximum(features[:, column("phrasing")],
                                                            features[:, column("answer")])
    return np.argsort(-evidence, kind="stable")[:depth]


def fit(features: np.ndarray, right: np.ndarray, sample_weight: np.ndarray | None = None,
        monotonic: tuple[int, ...] = MONOTONIC) -> HistGradientBoostingClassifier:
    """features: rows of hybrid.features(); right: whether each row's entry is the right one;
    sample_weight: so that each FAQ weighs the same, whatever its number of questions;
    monotonic: one sign per column (a candidate feature is tried with bench/answer_adapter.py)."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    model = HistGradientBoostingClassifier(max_depth=3, learning_rate=0.1, max_iter=100,
                                           l2_regularization=1.0, min_samples_leaf=40,
                                           monotonic_cst=list(monotonic), early_stopping=False,
                                           random_state=0)
    return model.fit(features, right, sample_weight=sample_weight)


def save(model: Trees, path: Path = MODEL_PATH) -> None:
    """The model with the names of the features it was fitted on, so that a stale file is refused."""
    path.write_bytes(pickle.dumps({"features": FEATURE_NAMES, "model": model}))


@lru_cache(maxsize=1)
def load(path: Path = MODEL_PATH) -> Trees:
    """The model shipped with the code (our own file, written by --fit; pickle is how
    scikit-learn persists models, and pyproject.toml pins the version that wrote it)."""
    saved = pickle.loads(path.read_bytes())
    names = saved.get("features") if isinstance(saved, dict) else None
    if names != FEATURE_NAMES:
        raise ValueError(f"{path} was fitted on features {names}, not {FEATURE_NAMES}: "
                         "refit it with bench/carryover.py --fit")
    return saved["model"]


def fingerprint(model: Trees | None) -> bytes:
    """What names a model in a cache key: the shipped one (None) by its file, read without
    unpickling it (which imports scikit-learn, about 2 s: an index built on a warm cache needs no
    model), any other by its pickle."""
    return MODEL_PATH.read_bytes() if model is None else pickle.dumps(model)


@lru_cache(maxsize=1)
def _openmp() -> ThreadpoolController:
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController().select(user_api="openmp")


def score(model: Trees, features: np.ndarray) -> np.ndarray:
    """Probability-like score in [0, 1] for each row."""
    if len(features) == 0:
        return np.zeros(0, dtype=np.float64)
    # scikit-learn brings its own OpenMP runtime. Right after an encode, the encoder's threads
    # still spin on both cores, and a second pool fighting them cost about 3 ms of search p50 at
    # 2,000 entries (bench/retrieval_speed.py, before and after); a few dozen rows need no threads.
    # The limit applies to the calling thread only.
    with _openmp().limit(limits=1):
        return model.predict_proba(features)[:, 1]


def of(model: Trees, signals: Signals) -> np.ndarray:
    """Each candidate's confidence. A message that is exactly one entry's question or alternate (a
    phrasing staff added from the log, say) gets that entry at 1.0, whatever the other evidence."""
    scores = score(model, features(signals))
    scores[signals.ids == signals.exact] = 1.0
    return scores
