"""/healthz and /metrics: open to a monitor, counts from the database, nothing personal."""
from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest

import db
from analytics.models import Message
from bot.models import PendingReply
from faq import services as faq_services

AT = datetime(2026, 5, 1, 3, tzinfo=timezone.utc)
SECRET_TEXT = "山田太郎の住民票がほしい"
PSEUDONYM = "u_0123456789abcdef"
# One sample line of the text exposition format: name, optional labels, a number.
SAMPLE = re.compile(r'^[a-z_]+(\{[a-z]+="[^"]*"(,[a-z]+="[^"]*")*\})? -?[0-9.e+-]+$|^[a-z_]+\{le="\+Inf"\} [0-9]+$')


class _Index:
    """Stands in for the loaded LiveIndex: /healthz only asks its version."""

    def __init__(self, version: int) -> None:
        self.version = version

    def close(self) -> None:
        pass


def _samples(body: str) -> dict[str, float]:
    samples = {}
    for line in body.splitlines():
        if line.startswith("#"):
            assert re.match(r"^# (HELP|TYPE) [a-z_]+ .+$", line), line
            continue
        assert SAMPLE.match(line), line
        key, value = line.rsplit(" ", 1)
        samples[key] = float(value)
    return samples


def test_healthz_is_503_until_the_index_is_loaded_then_200_with_its_version(app, client, session):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json == {"status": "unavailable", "database": "ok",
                             "index": {"loaded": False, "version": None, "faq_version": 0}}

    faq_services.bump_version(session)
    session.commit()
    app.extensions["cityfaq"]._live_index = _Index(1)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok",
                             "index": {"loaded": True, "version": 1, "faq_version": 1}}
    assert response.headers["Cache-Control"] == "no-store"


def test_healthz_is_503_when_the_database_is_unreachable(app, client, database_url, tmp_path):
    services = app.extensions["cityfaq"]
    services._live_index = _Index(3)
    if database_url.startswith("sqlite"):
        unreachable = f"sqlite:///{tmp_path / 'no-such-folder' / 'x.sqlite3'}"
    else:  # a port nothing listens on
        unreachable = "postgresql+psycopg://postgres@127.0.0.1:1/postgres?connect_timeout=3"
    services.sessionmaker = db.make_sessionmaker(db.make_engine(unreachable))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json["database"] == "unreachable"
    assert response.json["index"]["version"] == 3
    assert client.get("/metrics").status_code == 503


def test_healthz_with_the_real_index(app, client, session):
    """The real LiveIndex, as a gunicorn worker has it after post_worker_init."""
    from tests.faq.conftest import FAQ_CSV
    from faq.importer import import_faq, parse_faq_csv

    import_faq(session, parse_faq_csv(FAQ_CSV.encode()))
    session.commit()
    live = app.extensions["cityfaq"].live_index
    response = client.get("/healthz")
    assert response.status_code == 200, response.json
    assert response.json["index"]["version"] == live.version == faq_services.current_version(session) > 0


def test_metrics_counts_from_the_database_and_reveal_nothing_personal(app, client, session):
    session.add_all([
        Message(created_at=AT, user=PSEUDONYM, text=SECRET_TEXT, outcome="answered", latency_ms=20.0),
        Message(created_at=AT, user=PSEUDONYM, text=SECRET_TEXT, outcome="answered", latency_ms=40.0,
                reply_status="failed", reply_error="LINE 400: Invalid reply token"),
        Message(created_at=AT, user=PSEUDONYM, text=SECRET_TEXT, outcome="no_title", latency_ms=300.0),
        Message(created_at=AT, user=PSEUDONYM, text="こんにちは", outcome="excluded", latency_ms=3000.0),
        Message(created_at=AT, user=PSEUDONYM, text="history", outcome="answered", source="import"),  # no latency
    ])
    session.flush()
    session.add(PendingReply(reply_token="token-secret", messages=[{"type": "text", "text": SECRET_TEXT}],
                             received_at=AT, attempts=1))
    session.commit()

    response = client.get("/metrics")  # no login
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
    body = response.get_data(as_text=True)
    for secret in (SECRET_TEXT, "山田", PSEUDONYM, "token-secret", "Invalid reply token"):
        assert secret not in body
    samples = _samples(body)
    assert samples['cityfaq_questions_total{outcome="answered"}'] == 3
    assert samples['cityfaq_questions_total{outcome="no_title"}'] == 1
    assert samples['cityfaq_questions_total{outcome="excluded"}'] == 1
    assert samples['cityfaq_questions_total{outcome="no_answer"}'] == 0
    assert samples['cityfaq_question_seconds_bucket{le="0.025"}'] == 1
    assert samples['cityfaq_question_seconds_bucket{le="0.05"}'] == 2
    assert samples['cityfaq_question_seconds_bucket{le="0.25"}'] == 2
    assert samples['cityfaq_question_seconds_bucket{le="0.5"}'] == 3
    assert samples['cityfaq_question_seconds_bucket{le="5.0"}'] == 4
    assert samples['cityfaq_question_seconds_bucket{le="+Inf"}'] == 4
    assert samples["cityfaq_question_seconds_count"] == 4
    assert samples["cityfaq_question_seconds_sum"] == pytest.approx(3.36)
    assert samples["cityfaq_replies_failed_total"] == 1
    assert samples["cityfaq_replies_pending"] == 1
    assert samples["cityfaq_replies_retrying"] == 1
    assert samples["cityfaq_index_loaded"] == 0
    assert "cityfaq_index_version" not in samples

    app.extensions["cityfaq"]._live_index = _Index(7)
    samples = _samples(client.get("/metrics").get_data(as_text=True))
    assert samples["cityfaq_index_loaded"] == 1
    assert samples["cityfaq_index_version"] == 7


def test_metrics_agree_across_app_instances(app, settings, session):
    """Two workers (two apps on one database) report the same counts: they come from the log."""
    from wsgi import create_app

    session.add(Message(created_at=AT, outcome="answered", latency_ms=10.0))
    session.commit()
    other = create_app(settings)
    first = app.test_client().get("/metrics").get_data(as_text=True)
    second = other.test_client().get("/metrics").get_data(as_text=True)
    assert first == second
    assert 'cityfaq_questions_total{outcome="answered"} 1' in first
