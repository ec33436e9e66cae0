"""The bot under real gunicorn with 2 workers (each loads the model in post_worker_init)."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select

from analytics.models import Message
from bot.models import PendingReply
from bot import line_webhook as wh
from tests.bot.conftest import SECRET

pytestmark = pytest.mark.slow  # real gunicorn, two workers loading the model

ROOT = Path(__file__).resolve().parents[2]
WORKERS = 2


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def gunicorn(settings, faq, line_stub, tmp_path):
    port = _free_port()
    log = tmp_path / "gunicorn.log"
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "LINE_CHANNEL_SECRET": SECRET,
        "LINE_CHANNEL_ACCESS_TOKEN": settings.line_channel_access_token,
        "LINE_API_BASE_URL": line_stub.url,
        "SECRET_KEY": settings.secret_key,
        "EMBEDDING_CACHE_DIR": str(settings.embedding_cache_dir),
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "HF_HUB_OFFLINE": "1",
        "TOKENIZERS_PARALLELISM": "false",
    }
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "-w", str(WORKERS), "-b", f"127.0.0.1:{port}",
         "--error-logfile", str(log), "wsgi:app"], cwd=ROOT, env=env)
    deadline = time.monotonic() + 300
    while not (log.exists() and log.read_text().count("FAQ index ready") == WORKERS):
        assert process.poll() is None, "gunicorn exited before its workers were ready"
        assert time.monotonic() < deadline, "workers did not get ready in 300 s"
        time.sleep(0.5)
    yield f"http://127.0.0.1:{port}"
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=30)


def _settled(session, timeout: float = 10.0) -> None:
    """Wait until the workers' senders have sent every queued reply (off the request path)."""
    deadline = time.monotonic() + timeout
    while session.scalar(select(func.count()).select_from(PendingReply)):
        assert time.monotonic() < deadline, "replies still pending"
        session.rollback()  # end the read transaction: SQLite would keep showing its snapshot
        time.sleep(0.05)


def _post(base: str, raw: str, secret: str = SECRET) -> int:
    return requests.post(f"{base}/callback", data=raw.encode(), headers=wh.headers(raw, secret),
                         timeout=60).status_code


def test_two_workers_answer_refuse_and_deduplicate(gunicorn, line_stub, session):
    question = wh.text("粗大ごみの出し方")  # its own question: answered whatever the calibration
    assert _post(gunicorn, wh.body(question)) == 200
    _settled(session)
    [reply] = line_stub.replies_to(question["replyToken"])
    assert "粗大ごみ受付センター" in reply.messages[0]["altText"]

    assert _post(gunicorn, wh.body(wh.text("住民票")), secret="forged") == 400

    redelivered = wh.body(wh.text("住民票はどこで取れますか"))
    with ThreadPoolExecutor(4) as pool:  # the same event, to both workers at once
        assert list(pool.map(lambda _: _post(gunicorn, redelivered), range(4))) == [200] * 4

    _settled(session)
    session.expire_all()
    rows = list(session.scalars(select(Message).order_by(Message.id)))
    assert [(m.outcome, m.faq_id, m.reply_status) for m in rows] == [
        ("answered", "G01", "sent"), ("answered", "J01", "sent")]
    assert len(line_stub.replies) == 2  # the forged one got nothing, the redelivery one reply

    # /healthz and /metrics under both workers (a request may land on either): ready, and the same
    # counts from each, since they come from the database
    bodies = set()
    for _ in range(8):
        health = requests.get(f"{gunicorn}/healthz", timeout=30)
        assert health.status_code == 200 and health.json()["index"]["loaded"], health.text
        bodies.add(requests.get(f"{gunicorn}/metrics", timeout=30).text)
    assert len(bodies) == 1
    metrics = bodies.pop()
    assert 'cityfaq_questions_total{outcome="answered"} 2' in metrics
    assert 'cityfaq_question_seconds_bucket{le="+Inf"} 2' in metrics and "cityfaq_index_loaded 1" in metrics
