"""evaluate() on a tiny labelled set whose numbers are known by hand (BM25: deterministic)."""
import json

import pytest

from retrieval.evaluate import QueryFileError, evaluate, load_queries

from .conftest import DOCS

QUERIES = [
    {"query": "粗大ごみの出し方", "relevant": ["G01"]},  # rank 1
    {"query": "住民税の納付方法", "relevant": ["T01"]},  # rank 1
    {"query": "粗大ごみの出し方", "relevant": ["K01"]},  # K01 shares no word: not ranked
    {"query": "宇宙飛行士", "relevant": []},  # no word in the FAQ: declined
    {"query": "児童手当の申請", "relevant": []},  # labelled unanswerable, yet answered
]


@pytest.fixture(scope="module")
def result(embedder):
    return evaluate(DOCS, QUERIES, embedder, answer_threshold=0.6, candidate_threshold=0.3, method="bm25")


def test_ranking_metrics(result):
    assert result.n == 5
    assert (result.n_answerable, result.n_unanswerable) == (3, 2)
    assert result.hit_at_1 == result.hit_at_3 == result.hit_at_5 == pytest.approx(2 / 3)
    assert result.mrr_at_10 == pytest.approx(2 / 3)


def test_no_answer_metrics(result):
    assert [r["decision"] for r in result.queries] == ["answer", "answer", "answer", "none", "answer"]
    assert result.no_answer_precision == 1.0
    assert result.no_answer_recall == 0.5
    assert result.reached == pytest.approx(2 / 3)
    assert result.answer_precision == pytest.approx(2 / 4)
    # K01's question was answered with another entry; one of two unanswerable ones was answered
    assert result.answered_right == pytest.approx(2 / 3)
    assert result.answered_wrong == pytest.approx(1 / 3)
    assert result.oos_answered == result.oos_declined == 0.5
    assert result.latency_ms_p50 >= 0 and result.latency_ms_p95 >= result.latency_ms_p50


def test_a_right_entry_offered_under_a_wrong_answer_counts_as_reached(embedder):
    query = {"query": "住民票の写しを取りたい 住民税", "relevant": ["T01"]}  # T01 ranks second
    r = evaluate(DOCS, [query], embedder, 0.0, 0.0, method="bm25")
    assert r.queries[0]["decided"] != ["T01"] and "T01" in r.queries[0]["related"]
    assert (r.reached, r.answered_right) == (1.0, 0.0)
    assert evaluate(DOCS, [query], embedder, 0.0, 1.01, method="bm25").reached == 0.0


def test_second_rank_counts_half_in_mrr(embedder):
    r = evaluate(DOCS, [{"query": "住民票の写しを取りたい 住民税", "relevant": ["T01"]}], embedder,
                 0.6, 0.3, method="bm25")
    assert r.queries[0]["rank"] == 2
    assert (r.hit_at_1, r.hit_at_3, r.mrr_at_10) == (0.0, 1.0, 0.5)


def test_dense_and_hybrid_methods_run(embedder):
    for method in ("dense", "hybrid"):
        r = evaluate(DOCS, QUERIES[:2], embedder, 0.6, 0.3, method=method)
        assert r.hit_at_1 == 1.0 and r.method == method


def test_load_queries(tmp_path):
    path = tmp_path / "q.jsonl"
    path.write_text('{"query": "住民票", "relevant": ["R01"]}\n\n{"query": "宇宙", "relevant": []}\n',
                    encoding="utf-8")
    assert load_queries(path) == [{"query": "住民票", "relevant": ["R01"]}, {"query": "宇宙", "relevant": []}]


@pytest.mark.parametrize("line, message", [
    ('{"query": "住民票", "relevant": ["R01"]', "2行目: JSONとして読めません"),
    ('{"relevant": ["R01"]}', "2行目: \"query\""),
    ('{"query": "住民票", "relevant": "R01"}', "2行目: \"relevant\""),
    ('["住民票"]', "2行目: \"query\""),
    ('{"query": "住民票", "answers": ["R01"]}', "2行目: \"relevant\""),  # wrong key: refused, not "unanswerable"
])
def test_bad_query_lines_are_named(tmp_path, line, message):
    path = tmp_path / "q.jsonl"
    path.write_text(json.dumps({"query": "ok", "relevant": []}) + "\n" + line + "\n", encoding="utf-8")
    with pytest.raises(QueryFileError, match=message):
        load_queries(path)


JSON_KEYS = ["n", "n_answerable", "n_unanswerable", "method", "hit@1", "hit@3", "hit@5", "mrr@10",
             "no_answer_precision", "no_answer_recall", "reached", "by_language", "answered_right",
             "answered_wrong", "oos_answered", "oos_declined", "answer_precision", "answer_threshold",
             "candidate_threshold", "latency_ms_p50", "latency_ms_p95", "queries"]


def test_the_json_form_keeps_the_names_and_order_of_faq_evaluate_json(result):
    """`faq evaluate --json` prints to_dict(): the same keys, in the same order, as before the dataclass."""
    as_json = json.loads(json.dumps(result.to_dict()))
    assert list(as_json) == JSON_KEYS
    assert (as_json["hit@1"], as_json["mrr@10"], as_json["n"]) == (result.hit_at_1, result.mrr_at_10, 5)
    assert [r["decision"] for r in as_json["queries"]] == ["answer", "answer", "answer", "none", "answer"]
