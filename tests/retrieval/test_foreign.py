"""The foreign-language path: dense ranking, the calibrated dense score, candidates first."""
from retrieval import Hit, foreign
from retrieval.evaluate import evaluate

from .conftest import DOCS


def hits(*scores):
    return [Hit(f"E{i}", s) for i, s in enumerate(scores)]


def test_candidates_unless_the_top_entry_stands_clear():
    d = foreign.decide(hits(0.5, 0.45, 0.1, 0.05))
    assert d.kind == "candidates" and [h.faq_id for h in d.hits] == ["E0", "E1", "E2"]
    d = foreign.decide(hits(0.6, 0.6 - foreign.ANSWER_MARGIN, 0.1))
    assert (d.kind, [h.faq_id for h in d.hits], [h.faq_id for h in d.related]) == ("answer", ["E0"], ["E1", "E2"])


def test_declined_only_at_or_below_the_dense_floor():
    """Before: the Japanese confidence of a foreign question sat near 0.001–0.01 whatever e5 said.
    Here a top score above the FAQ's calibrated floor is never declined, however low."""
    assert foreign.decide(hits(0.01, 0.009)).kind == "candidates"
    assert foreign.decide(hits(0.0, 0.0)).kind == "none"
    assert foreign.decide([]).kind == "none"


def test_an_english_question_is_ranked_by_the_multilingual_model(index):
    found = foreign.search(index, "I want to throw away my old sofa")
    assert found[0].faq_id == "G01"
    assert all(0.0 <= h.score <= 1.0 for h in found)
    assert [h.score for h in found] == sorted((h.score for h in found), reverse=True)
    assert foreign.search(index, "👍") == [] and foreign.search(index, "") == []


def test_evaluate_routes_by_language_and_reports_reach_per_language(embedder):
    queries = [{"query": "粗大ごみの出し方", "relevant": ["G01"]},
               {"query": "How do I throw away a big sofa?", "relevant": ["G01"]},
               {"query": "大件垃圾怎么扔", "relevant": ["G01"]}]
    result = evaluate(DOCS, queries, embedder, answer_threshold=0.96, candidate_threshold=0.0)
    assert [r["language"] for r in result.queries] == ["ja", "en", "zh"]
    assert set(result.by_language) == {"ja", "en", "zh"}
    assert result.by_language["en"]["n"] == 1 and result.by_language["en"]["reached"] == 1.0
