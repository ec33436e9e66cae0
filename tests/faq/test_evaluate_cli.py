"""`faq evaluate`: a throw-away index over a CSV, scored on labelled queries; the DB is untouched."""
from __future__ import annotations

import json

from faq import services
from tests.faq.conftest import write_csv

CONTRACT_KEYS = {"n", "hit@1", "hit@3", "hit@5", "mrr@10", "no_answer_precision", "no_answer_recall",
                 "latency_ms_p50", "latency_ms_p95"}
QUERIES = [
    {"query": "ソファを捨てたいんだけど", "relevant": ["B01"]},
    {"query": "住民票はどこでもらえますか", "relevant": ["A01"]},
    {"query": "住民税をコンビニで払いたい", "relevant": ["D01"]},
    {"query": "児童手当の申請をしたい", "relevant": ["C01"]},
    {"query": "図書館の開館時間", "relevant": []},
    {"query": "ありがとう", "relevant": []},
]


def _queries_file(tmp_path):
    path = tmp_path / "queries.jsonl"
    path.write_text("\n".join(json.dumps(q, ensure_ascii=False) for q in QUERIES) + "\n", encoding="utf-8")
    return path


def test_evaluate_json_gives_the_contract_keys_and_leaves_the_database_alone(runner, session, faq_csv, tmp_path):
    result = runner.invoke(args=["faq", "evaluate", "--faq", str(faq_csv), "--queries",
                                 str(_queries_file(tmp_path)), "--json"])
    assert result.exit_code == 0, result.output
    metrics = json.loads(result.stdout)
    assert CONTRACT_KEYS <= set(metrics)
    assert metrics["n"] == 6
    assert metrics["hit@1"] >= 0.75 and metrics["hit@3"] >= metrics["hit@1"]
    for key in CONTRACT_KEYS - {"n", "latency_ms_p50", "latency_ms_p95", "no_answer_precision"}:
        assert 0.0 <= metrics[key] <= 1.0, key
    # null when nothing was declined: a precision over no decision is not a number
    assert metrics["no_answer_precision"] is None or 0.0 <= metrics["no_answer_precision"] <= 1.0
    assert metrics["latency_ms_p95"] >= metrics["latency_ms_p50"] > 0
    assert services.entry_count(session) == 0 and services.current_version(session) == 0


def test_evaluate_prints_a_table_and_bm25_works_too(runner, faq_csv, tmp_path):
    result = runner.invoke(args=["faq", "evaluate", "--faq", str(faq_csv), "--queries",
                                 str(_queries_file(tmp_path)), "--method", "bm25"])
    assert result.exit_code == 0, result.output
    assert "hit@1" in result.stdout and "方式 bm25" in result.stdout and "p95" in result.stdout


def test_evaluate_reports_bad_files(runner, faq_csv, tmp_path):
    bad_csv = write_csv(tmp_path / "bad.csv", "id,category,question\nA01,c,q\n")
    result = runner.invoke(args=["faq", "evaluate", "--faq", str(bad_csv), "--queries", str(_queries_file(tmp_path))])
    assert result.exit_code == 1 and "必要な列" in result.stderr
    bad_jsonl = tmp_path / "bad.jsonl"
    bad_jsonl.write_text('{"query": "住民票", "relevant": ["A01"]}\n{oops\n', encoding="utf-8")
    result = runner.invoke(args=["faq", "evaluate", "--faq", str(faq_csv), "--queries", str(bad_jsonl)])
    assert result.exit_code == 1 and "2行目" in result.stderr
