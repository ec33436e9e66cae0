import pickle
import threading
import warnings

import numpy as np
import pytest
from sklearn.exceptions import InconsistentVersionWarning
from threadpoolctl import threadpool_info

from retrieval import confidence, hybrid


@pytest.fixture(scope="module")
def model():
    return confidence.load()


def test_shipped_model_matches_the_features_and_the_pinned_library(model):
    # Refit (bench/carryover.py --fit) whenever the features or scikit-learn change.
    assert model.ordinary.n_features_in_ == model.kana.n_features_in_ == len(confidence.MONOTONIC)
    with warnings.catch_warnings():
        warnings.simplefilter("error", InconsistentVersionWarning)
        pickle.loads(confidence.MODEL_PATH.read_bytes())


def test_a_model_fitted_on_other_features_is_refused(tmp_path):
    path = tmp_path / "old.pkl"
    path.write_bytes(pickle.dumps({"features": ("a", "b"), "model": None}))
    with pytest.raises(ValueError, match="carryover.py --fit"):
        confidence.load.__wrapped__(path)


@pytest.mark.parametrize("feature", [i for i, sign in enumerate(confidence.MONOTONIC) if sign])
def test_more_evidence_never_lowers_the_confidence(model, feature):
    rng = np.random.default_rng(feature)
    rows = rng.uniform(0, 1, size=(200, len(confidence.MONOTONIC)))
    raised = rows.copy()
    raised[:, feature] = np.minimum(rows[:, feature] + rng.uniform(0, 0.5, size=200), 1.0)
    change = confidence.score(model, raised) - confidence.score(model, rows)
    assert (change * confidence.MONOTONIC[feature] >= -1e-9).all()


def test_scores_are_probabilities_and_order_strong_over_weak_evidence(model):
    weak = dict(lexical=0.05, phrasing=0.2, answer=0.2, sentence=0.2, hiragana=0.3, noun_cover=0.0, noun_gap=1.0,
                lexical_lead=-0.3, phrasing_lead=-0.2, answer_lead=-0.2, sentence_lead=-0.2)
    strong = dict(lexical=1.0, phrasing=0.9, answer=0.8, sentence=0.8, hiragana=0.3, noun_cover=1.0, noun_gap=0.0,
                  lexical_lead=0.3, phrasing_lead=0.2, answer_lead=0.2, sentence_lead=0.2)
    scores = confidence.score(model, np.array([[row[name] for name in hybrid.FEATURE_NAMES] for row in (weak, strong)]))
    assert ((0 <= scores) & (scores <= 1)).all()
    assert scores[1] > 0.5 > scores[0]


class _Constant:
    def __init__(self, p):
        self.p = p

    def predict_proba(self, features):
        return np.column_stack([np.full(len(features), 1 - self.p), np.full(len(features), self.p)])


def test_messages_mostly_in_kana_are_scored_by_the_kana_trees():
    trees = confidence.Trees(ordinary=_Constant(0.2), kana=_Constant(0.7))
    features = np.zeros((3, len(confidence.MONOTONIC)))
    features[:, hybrid.column("hiragana")] = [0.5, confidence.KANA_SHARE, 1.0]
    assert list(confidence.score(trees, features)) == [0.2, 0.7, 0.7]


def test_no_candidates_score_nothing(model):
    assert confidence.score(model, np.zeros((0, len(confidence.MONOTONIC)))).shape == (0,)


def test_training_rows_are_the_candidates_with_the_most_evidence():
    features = np.zeros((12, len(confidence.MONOTONIC)))
    features[3, hybrid.column("lexical")] = 0.9
    features[7, hybrid.column("phrasing")] = 0.8
    features[5, hybrid.column("answer")] = 0.1
    assert list(confidence.promising(features, depth=3)) == [3, 7, 5]


def test_scoring_leaves_the_encoders_thread_pools_as_they_were(model):
    # score() runs the trees on one thread; the encoder's pools must keep theirs afterwards.
    # In a fresh thread: OpenMP limits are per thread, and this one has seen no other test.
    def pools():
        return [(lib["filepath"], lib["num_threads"]) for lib in threadpool_info()]

    seen = []
    thread = threading.Thread(target=lambda: seen.extend(
        [pools(), confidence.score(model, np.zeros((3, len(confidence.MONOTONIC)))), pools()]))
    thread.start()
    thread.join()
    before, _, after = seen
    assert after == before
