import pytest

from retrieval.bm25 import Bm25, WeightedBm25

DOCS = [["住民票", "写し", "取る"], ["粗大ごみ", "出す"], ["住民税", "納付"], ["住民票", "住民票", "郵送"]]


def test_ranks_the_document_sharing_rare_terms_first():
    scores = Bm25(DOCS).scores(["住民票", "写し"])
    assert scores.argmax() == 0
    assert scores[1] == scores[2] == 0
    assert scores[3] > 0


def test_rare_terms_weigh_more():
    bm25 = Bm25(DOCS + [["住民票"]] * 5)
    assert bm25.idf["写し"] > bm25.idf["住民票"]


def test_normalised_score_is_one_for_the_query_itself_and_within_bounds():
    lexical = WeightedBm25([(DOCS, 1.0)])
    scores = lexical.normalized_scores([["粗大ごみ", "出す"]])
    assert scores[1] == pytest.approx(1.0)
    assert all(0 <= s <= 1 for s in scores)


def test_unknown_terms_score_zero():
    assert WeightedBm25([(DOCS, 1.0)]).normalized_scores([["宇宙"]]).tolist() == [0, 0, 0, 0]


def test_field_scores_split_the_normalised_score_by_field():
    lexical = WeightedBm25([(DOCS, 1.0), ([[], ["粗大ごみ"], [], []], 0.5)])
    fields = lexical.field_scores([["粗大ごみ", "出す"], ["粗大ごみ"]])
    assert fields.shape == (2, 4)
    assert fields[1, 1] > 0 and fields[1, 0] == 0  # only document 1 has the word in field 2
    assert fields.sum(axis=0) == pytest.approx(lexical.normalized_scores([["粗大ごみ", "出す"], ["粗大ごみ"]]))
