"""The foreign-language path: dense ranking, the calibrated dense score, candidates first."""
from retrieval import Hit, build_index, foreign
from retrieval.evaluate import evaluate

from .conftest import DOCS


def hits(*scores):
    return [Hit(f"E{i}", s) for i, s in enumerate(scores)]


def test_candidates_unless_the_top_entry_stands_clear():
    d = foreign.decide(hits(0.5, 0.45, 0.1, 0.05))
    assert d.kind == "candidates" and [h.faq_id for h in d.hits] == ["E0", "E1", "E2", "E3"]
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


def _sample_with_english(with_translations: bool):
    """The sample FAQ's entries that have an English question, and the two a question about the
    city hall's hours otherwise meets first (A028, A165); with or without the English questions."""
    import dataclasses

    from faq import services
    from faq.importer import parse_faq_csv
    from tests.conftest import ROOT

    docs = [services.document_of(row) for row in parse_faq_csv(ROOT / "faq/sample/city_faq.csv").rows]
    kept = [d for d in docs if d.translated_questions or d.faq_id in ("A028", "A165")]
    return kept if with_translations else [dataclasses.replace(d, translated_questions=()) for d in kept]


def test_a_translated_question_helps_its_own_language_and_changes_nothing_else(embedder):
    plain = build_index(_sample_with_english(False), embedder)
    translated = build_index(_sample_with_english(True), embedder)
    assert set(translated.translated) == {"en"} and len(translated.translated["en"].vectors) >= foreign.MIN_TRANSLATED
    question = "What are the city hall opening hours?"
    # Before: ranked on the Japanese passages alone, the hours entry is not even first.
    assert foreign.search(plain, question, language="en")[0].faq_id != "A171"
    assert foreign.search(translated, question, language="en")[0].faq_id == "A171"
    # A message in another language, or with no language given, is ranked as before.
    for text, language in ((question, None), ("Giờ làm việc của tòa thị chính là mấy giờ?", "vi")):
        assert foreign.search(translated, text, language=language) == foreign.search(plain, text, language=language)
    # Japanese questions: the same hits, scores and calibration.
    assert translated.calibration == plain.calibration
    for text in ("市役所は何時まで開いていますか", "燃えるごみの出し方", "国民健康保険に入りたい"):
        assert translated.search(text) == plain.search(text)
