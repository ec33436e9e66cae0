from retrieval import Hit, decide
from retrieval.decide import Decision, DecisionKind


def hits(*scores):
    return [Hit(f"E{i}", s) for i, s in enumerate(scores)]


def test_answer_at_or_above_the_answer_threshold_with_the_next_two_as_related():
    d = decide(hits(0.6, 0.55, 0.1, 0.05), 0.6, 0.4)
    assert (d.kind, d.hits) == ("answer", [Hit("E0", 0.6)])
    assert [h.faq_id for h in d.related] == ["E1", "E2"]  # whatever their score
    assert decide(hits(0.7), 0.6, 0.4).related == []


def test_candidates_between_thresholds_the_top_five():
    d = decide(hits(0.59, 0.5, 0.1, 0.44, 0.3, 0.2), 0.6, 0.4)
    assert d.kind == "candidates" and [h.faq_id for h in d.hits] == ["E0", "E1", "E2", "E3", "E4"]
    assert d.related == []
    d = decide(hits(0.4), 0.6, 0.4)
    assert d.kind == "candidates" and [h.faq_id for h in d.hits] == ["E0"]


def test_none_below_the_candidate_threshold_or_without_hits():
    assert decide(hits(0.39, 0.3), 0.6, 0.4).kind == "none"
    assert decide([], 0.6, 0.4).kind == "none"
    assert decide([], 0.6, 0.4).hits == []


def test_decisions_are_typed():
    assert decide([], 0.6, 0.3) == Decision(DecisionKind.NONE, [])
    assert decide([Hit("A", 0.7), Hit("B", 0.5)], 0.6, 0.3).kind is DecisionKind.ANSWER
    assert decide([Hit("A", 0.4)], 0.6, 0.3).kind is DecisionKind.CANDIDATES
