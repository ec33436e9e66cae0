"""The learned confidence: how likely a candidate entry is the right answer to a message.

A small gradient-boosted tree model (scikit-learn) over the features of hybrid.FEATURES. It
is fitted by `bench/carryover.py --fit` on the labelled development questions of three FAQs of
different shape, each FAQ weighing the same, and saved beside this module; every number it is
judged by comes from trees fitted without the FAQ measured (bench/results/carryover.md). Trees
were kept over a logistic regression over the same features, which separated answerable from
unanswerable questions less well when each sample set was left out in turn (an earlier version).
"""
from __future__ import annotations

import pickle
import weakref
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


def promising(features: np.ndarray, depth: int = TRAINING_DEPTH) -> np.ndarray:
    """Rows of the `depth` candidates with the most raw evidence (lexical coverage plus the best
    cosine): what a model is trained on, chosen without a model."""
    evidence = features[:, column("lexical")] + np.maximum(features[:, column("phrasing")],
                                                            features[:, column("answer")])
    return np.argsort(-evidence, kind="stable")[:depth]


def fit(features: np.ndarray, right: np.ndarray,
        sample_weight: np.ndarray | None = None) -> HistGradientBoostingClassifier:
    """features: rows of hybrid.features(); right: whether each row's entry is the right one;
    sample_weight: so that each FAQ weighs the same, whatever its number of questions."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    model = HistGradientBoostingClassifier(max_depth=3, learning_rate=0.1, max_iter=100,
                                           l2_regularization=1.0, min_samples_leaf=40,
                                           monotonic_cst=list(MONOTONIC), early_stopping=False,
                                           random_state=0)
    return model.fit(features, right, sample_weight=sample_weight)


def save(model: HistGradientBoostingClassifier, path: Path = MODEL_PATH) -> None:
    """The model with the names of the features it was fitted on, so that a stale file is refused."""
    path.write_bytes(pickle.dumps({"features": FEATURE_NAMES, "model": model}))


@lru_cache(maxsize=1)
def load(path: Path = MODEL_PATH) -> HistGradientBoostingClassifier:
    """The model shipped with the code (our own file, written by --fit; pickle is how
    scikit-learn persists models, and pyproject.toml pins the version that wrote it)."""
    saved = pickle.loads(path.read_bytes())
    names = saved.get("features") if isinstance(saved, dict) else None
    if names != FEATURE_NAMES:
        raise ValueError(f"{path} was fitted on features {names}, not {FEATURE_NAMES}: "
                         "refit it with bench/carryover.py --fit")
    return saved["model"]


def fingerprint(model: HistGradientBoostingClassifier | None) -> bytes:
    """What names a model in a cache key: the shipped one (None) by its file, read without
    unpickling it (which imports scikit-learn, about 2 s: an index built on a warm cache needs no
    model), any other by its pickle."""
    return MODEL_PATH.read_bytes() if model is None else pickle.dumps(model)


@lru_cache(maxsize=1)
def _openmp() -> ThreadpoolController:
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController().select(user_api="openmp")


@dataclass(frozen=True)
class _Trees:
    """A fitted binary HistGradientBoostingClassifier's trees as flat node arrays (all trees'
    nodes one after another), walked for all rows and trees at once. scikit-learn's predict_proba
    spends about 2 ms of a 2,000-entry search on the Python around its 100 per-tree calls
    (bench/webhook_spans.py); this takes a fifth of that and gives the same bits: the same
    comparisons in float64, the leaf values added to the baseline tree by tree in the same order,
    and the model's own link."""

    predictors: list  # the model's, to notice a refit
    roots: np.ndarray  # each tree's first node
    feature: np.ndarray
    threshold: np.ndarray  # +inf at a leaf, so that every row stays there
    missing_left: np.ndarray  # where a NaN goes (true at a leaf)
    children: np.ndarray  # node i's left child at 2i, right at 2i + 1 (a leaf: itself)
    value: np.ndarray
    depth: int
    baseline: float

    @classmethod
    def of(cls, predictors: list, baseline: float) -> _Trees:
        nodes = [iteration[0].nodes for iteration in predictors]
        sizes = [len(tree) for tree in nodes]
        flat = np.concatenate(nodes)
        leaf = flat["is_leaf"].astype(bool)
        itself = np.arange(len(flat))
        offset = np.repeat(np.cumsum([0, *sizes[:-1]]), sizes)  # children are numbered per tree
        children = np.empty(2 * len(flat), dtype=np.intp)
        children[0::2] = np.where(leaf, itself, flat["left"] + offset)
        children[1::2] = np.where(leaf, itself, flat["right"] + offset)
        return cls(predictors, roots=np.cumsum([0, *sizes[:-1]]).astype(np.intp),
                   feature=flat["feature_idx"].astype(np.intp),
                   threshold=np.where(leaf, np.inf, flat["num_threshold"]),
                   missing_left=leaf | flat["missing_go_to_left"].astype(bool), children=children,
                   value=flat["value"], depth=int(flat["depth"].max()), baseline=baseline)

    def raw(self, features: np.ndarray) -> np.ndarray:
        x = np.asarray(features, dtype=np.float64)  # what scikit-learn's predict converts to
        n = len(x)
        columns = np.ascontiguousarray(x.T).ravel()  # feature f of row r at f * n + r
        rows = np.arange(n)
        missing = bool(np.isnan(columns).any())
        node = np.repeat(self.roots[:, None], n, axis=1)  # (trees, rows)
        for _ in range(self.depth):
            value = np.take(columns, np.take(self.feature, node) * n + rows)
            right = ~(value <= np.take(self.threshold, node))
            if missing:
                right &= ~(np.isnan(value) & np.take(self.missing_left, node))
            node = np.take(self.children, 2 * node + right)
        raw = np.full(n, self.baseline, dtype=np.float64)
        for leaf_values in np.take(self.value, node):  # tree by tree, as scikit-learn adds them
            raw += leaf_values
        return raw


_compiled: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _trees(model) -> _Trees | None:
    """The model's trees as _Trees; None for any other model (a stand-in, categorical splits,
    more than two classes, a preprocessor), which keeps its own predict_proba."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    if type(model) is not HistGradientBoostingClassifier:
        return None
    predictors = getattr(model, "_predictors", None)
    cached = _compiled.get(model)
    if cached is not None and cached.predictors is predictors:
        return cached
    if (not predictors or model.n_trees_per_iteration_ != 1 or model._preprocessor is not None
            or model.is_categorical_ is not None
            or any(iteration[0].nodes["is_categorical"].any() for iteration in predictors)):
        return None
    _compiled[model] = compiled = _Trees.of(predictors, float(model._baseline_prediction[0, 0]))
    return compiled


def score(model: HistGradientBoostingClassifier, features: np.ndarray) -> np.ndarray:
    """Probability-like score in [0, 1] for each row."""
    if len(features) == 0:
        return np.zeros(0, dtype=np.float64)
    trees = _trees(model)
    if trees is not None:
        if np.shape(features)[1] != model.n_features_in_:  # as scikit-learn refuses it
            raise ValueError(f"{np.shape(features)[1]} features given, the model has {model.n_features_in_}")
        return model._loss.predict_proba(trees.raw(features))[:, 1]
    # scikit-learn brings its own OpenMP runtime. Right after an encode, the encoder's threads
    # still spin on both cores, and a second pool fighting them cost about 3 ms of search p50 at
    # 2,000 entries (bench/retrieval_speed.py, before and after); a few dozen rows need no threads.
    # The limit applies to the calling thread only.
    with _openmp().limit(limits=1):
        return model.predict_proba(features)[:, 1]


def of(model: HistGradientBoostingClassifier, signals: Signals) -> np.ndarray:
    """Each candidate's confidence. A message that is exactly one entry's question or alternate (a
    phrasing staff added from the log, say) gets that entry at 1.0, whatever the other evidence."""
    scores = score(model, features(signals))
    scores[signals.ids == signals.exact] = 1.0
    return scores
