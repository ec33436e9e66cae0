import numpy as np
import pytest

from retrieval import hybrid


def _signals(n: int) -> hybrid.Signals:
    rng = np.random.default_rng(n)
    return hybrid.Signals(ids=np.arange(10, 10 + n), fields=rng.uniform(0, 0.4, size=(3, n)),
                          phrasing=rng.uniform(0.7, 0.95, n), answer=rng.uniform(0.7, 0.95, n),
                          sentence=rng.uniform(0.7, 0.95, n), hiragana=0.0, noun_cover=rng.uniform(0, 1, n),
                          noun_gap=np.zeros(n), dense_range=(0.7, 0.95))


def test_a_lead_is_the_distance_to_the_best_other_candidate():
    assert hybrid.lead(np.array([0.5, 0.9, 0.7])).tolist() == pytest.approx([-0.4, 0.2, -0.2])
    assert hybrid.lead(np.array([0.8, 0.8])).tolist() == [0.0, 0.0]  # a tie: nobody leads
    assert hybrid.lead(np.array([0.3])).tolist() == [0.0]  # alone: nothing to lead


def test_each_kind_of_evidence_has_its_lead_as_a_feature():
    signals = _signals(6)
    features = hybrid.features(signals)
    assert features.shape == (6, len(hybrid.FEATURES))
    for name in hybrid.LEADS:
        own = features[:, hybrid.column(name)]
        np.testing.assert_allclose(features[:, hybrid.column(f"{name}_lead")], hybrid.lead(own))


def test_without_an_entry_the_others_are_compared_among_themselves():
    signals = _signals(4)
    rest = signals.without(11)
    assert rest.ids.tolist() == [10, 12, 13]
    np.testing.assert_array_equal(rest.phrasing, signals.phrasing[[0, 2, 3]])
    np.testing.assert_array_equal(rest.fields, signals.fields[:, [0, 2, 3]])
    own = len(hybrid.FEATURES) - len(hybrid.LEADS)  # the columns that do not compare candidates
    np.testing.assert_array_equal(hybrid.features(rest)[:, :own], hybrid.features(signals)[[0, 2, 3], :own])

