import numpy as np
import pytest

from retrieval.normalize import normalize
from retrieval.nouns import NounCoverage
from retrieval.tokenize import nouns


def test_nouns_are_what_the_message_is_about():
    found = nouns(normalize("猫を飼い始めました。登録は必要ですか？"))
    assert {"猫", "登録"} <= set(found)
    assert not {"飼う", "始める", "ます"} & set(found)  # verbs and endings are not nouns


@pytest.fixture
def coverage():
    return NounCoverage([["犬", "登録", "飼う", "狂犬病"], ["猫", "ごみ", "散乱"], ["登録", "印鑑"]])


def test_an_entry_lacking_the_rarest_noun_covers_less(coverage):
    cover, gap = coverage.features(["猫", "登録"], [0, 1])
    # the dog entry uses 登録 but lacks 猫; the ごみ entry uses 猫 but lacks the commoner 登録
    assert 0 < cover[0] < cover[1] < 1
    assert gap[0] == pytest.approx(1.0) and 0 < gap[1] < 1


def test_an_entry_with_every_noun_covers_all(coverage):
    cover, gap = coverage.features(["犬", "登録"], [0])
    assert cover[0] == pytest.approx(1.0) and gap[0] == 0


def test_a_message_without_nouns_is_not_judged_on_them(coverage):
    cover, gap = coverage.features([], [0, 1, 2])
    assert np.array_equal(cover, np.ones(3)) and np.array_equal(gap, np.zeros(3))
