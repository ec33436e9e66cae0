"""Several worker processes, each with its own index: a relearn reaches every one of them, even a
worker that gets no question meanwhile, so its very next answer already knows the new phrasing."""
from __future__ import annotations

import json
import os
import selectors
import subprocess
import sys

import pytest

from faq import services
from faq.importer import import_faq, parse_faq_csv
from tests.conftest import ROOT
from tests.faq.test_live import NEW_PHRASING

pytestmark = pytest.mark.slow  # several worker processes, each loading the model

POLL_SECONDS = 0.5
PATIENCE = 120  # seconds; loading the model on a busy machine is slow, this is no speed test


def _start_worker(settings):
    return subprocess.Popen(
        [sys.executable, "-m", "tests.faq.live_worker", settings.database_url, str(settings.embedding_cache_dir),
         str(POLL_SECONDS), NEW_PHRASING],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        env={**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"})


def _read_line(worker) -> str:
    with selectors.DefaultSelector() as selector:
        selector.register(worker.stdout, selectors.EVENT_READ)
        assert selector.select(timeout=PATIENCE), "the worker said nothing"
    return worker.stdout.readline().strip()


# One backend is enough: what is tested is the processes, and each loads the model (slow).
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_every_idle_worker_rebuilds_and_answers_a_relearned_phrasing(session, settings, faq_csv):
    import_faq(session, parse_faq_csv(faq_csv))
    session.commit()
    workers = [_start_worker(settings) for _ in range(2)]
    try:
        assert [_read_line(worker) for worker in workers] == ["ready", "ready"]
        services.relearn(session, "C01", NEW_PHRASING)
        session.commit()
        assert [_read_line(worker) for worker in workers] == ["rebuilt", "rebuilt"]  # with no question asked
        answers = []
        for worker in workers:
            worker.stdin.write("go\n")
            worker.stdin.flush()
            answers.append(json.loads(_read_line(worker)))
    finally:
        for worker in workers:
            worker.kill()
            worker.wait()
    for answer in answers:
        assert answer["faq_id"] == "C01" and answer["score"] >= settings.answer_threshold
        assert answer["version"] == services.current_version(session)
