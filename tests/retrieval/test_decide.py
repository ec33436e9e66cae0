from retrieval import Hit, decide


def hits(*scores):
    return [Hit(f"E{i}", s) for i, s in enumerate(scores)]


def test_answer_at_or_above_the_answer_threshold():
    d = decide(hits(0.6, 0.55), 0.6, 0.4)
    assert (d.kind, d.hits) == ("answer", [Hit("E0", 0.6)])


def test_candidates_between_thresholds_at_most_three_above_the_lower():
    d = decide(hits(0.59, 0.5, 0.45, 0.44), 0.6, 0.4)
    assert d.kind == "candidates" and [h.faq_id for h in d.hits] == ["E0", "E1", "E2"]
    d = decide(hits(0.5, 0.39), 0.6, 0.4)
    assert d.kind == "candidates" and [h.faq_id for h in d.hits] == ["E0"]


def test_none_below_the_candidate_threshold_or_without_hits():
    assert decide(hits(0.39, 0.3), 0.6, 0.4).kind == "none"
    assert decide([], 0.6, 0.4).kind == "none"
    assert decide([], 0.6, 0.4).hits == []


def test_an_answer_offers_the_next_hits_above_the_candidate_threshold_as_related():
    d = decide(hits(0.7, 0.5, 0.45, 0.44), 0.6, 0.4)
    assert (d.kind, [h.faq_id for h in d.related]) == ("answer", ["E1", "E2"])
    assert decide(hits(0.7, 0.39), 0.6, 0.4).related == []
    assert decide(hits(0.5, 0.45), 0.6, 0.4).related == []  # candidates have no related
