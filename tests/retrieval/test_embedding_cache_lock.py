"""The embedding cache shared by processes: a reader never waits for a writer, and a process
waits at most for the passages it needs (issue 10, item 6)."""
from __future__ import annotations

import gc
import subprocess
import sys
import time

import numpy as np
import pytest

from tests.conftest import ROOT
from tests.immutable import immutable, skip_without_chattr

pytestmark = pytest.mark.slow  # other processes filling the cache, with waits

from .fake_encoder import fake_embedder, vector_of

FAQ = [f"よくある質問 {i}" for i in range(300)]


def _start_slow_fill(cache_dir, count: int, seconds_per_text: float) -> subprocess.Popen:
    """Another process in a long cold fill; returns once it is embedding its first chunk."""
    ready = cache_dir / "filler-ready"
    filler = subprocess.Popen([sys.executable, "-m", "tests.retrieval.slow_fill_worker", str(cache_dir),
                               str(ready), str(count), str(seconds_per_text)], cwd=ROOT)
    deadline = time.monotonic() + 120
    while not ready.exists():
        assert filler.poll() is None, "the filling process ended early"
        assert time.monotonic() < deadline, "the filling process never started embedding"
        time.sleep(0.05)
    return filler


def test_a_cached_faq_loads_and_new_passages_embed_while_another_process_fills(tmp_path):
    fake_embedder(tmp_path).passages(FAQ)  # the FAQ the live bot serves, cached earlier
    # 2,000 new texts at 0.5 s each: its first chunk of 256 alone takes two minutes.
    filler = _start_slow_fill(tmp_path, 2000, 0.5)
    try:
        started = time.monotonic()
        worker = fake_embedder(tmp_path)  # a freshly started worker opens the cache ...
        vectors = worker.passages(FAQ)  # ... and reads the FAQ from it
        loaded = time.monotonic() - started
        assert worker.encoder_calls == 0
        assert np.allclose(vectors[7], vector_of(FAQ[7]))

        started = time.monotonic()  # an index refresh after an edit: three new passages
        new = ["新しい質問 1", "新しい質問 2", "新しい質問 3"]
        vectors = worker.passages([*FAQ, *new])
        refreshed = time.monotonic() - started
        assert worker.encoder_calls == 3  # its own three, embedded by itself
        assert np.allclose(vectors[-1], vector_of(new[-1]))
        assert fake_embedder(tmp_path).passages(new).shape == (3, 8)  # and saved for the others

        # Generous for a loaded machine; waiting for the filler would take minutes.
        assert loaded < 5 and refreshed < 5, (loaded, refreshed)
        assert filler.poll() is None  # the fill is still running: nothing above waited for it
    finally:
        filler.kill()
        filler.wait()


def test_a_process_that_needs_the_chunk_being_filled_waits_for_it_and_reuses_it(tmp_path):
    texts = [f"冷たいキャッシュの文 {i}" for i in range(10)]  # what the filler's first chunk holds
    filler = _start_slow_fill(tmp_path, 10, 0.3)  # about 3 s for those ten
    try:
        started = time.monotonic()
        worker = fake_embedder(tmp_path)
        vectors = worker.passages(texts)
        assert worker.encoder_calls == 0  # waited for exactly these passages, then read them
        assert np.allclose(vectors[3], vector_of(texts[3]))
        assert time.monotonic() - started < 60
    finally:
        filler.kill()
        filler.wait()


def test_a_chunk_left_by_a_process_that_died_is_embedded_by_the_next(tmp_path):
    filler = _start_slow_fill(tmp_path, 10, 30.0)
    filler.kill()  # died inside its chunk: the kernel drops its lock, nothing was saved
    filler.wait()
    worker = fake_embedder(tmp_path)
    worker.passages([f"冷たいキャッシュの文 {i}" for i in range(10)])
    assert worker.encoder_calls == 10


_READ_CACHED = """
import sys
from pathlib import Path
from tests.retrieval.fake_encoder import fake_embedder
embedder = fake_embedder(Path(sys.argv[1]))
embedder.passages(["よくある質問 0"])
print("ready", flush=True)
sys.stdin.readline()  # the files are read-only now
embedder.passages([f"よくある質問 {i}" for i in range(300)])
print(embedder.encoder_calls, flush=True)
sys.stdin.readline()  # the files are writable again: exit
"""


def test_a_worker_reading_the_cache_survives_its_files_becoming_read_only(tmp_path):
    """A worker reading the cache while the file system is read-only lives: closing a process's
    last connection to a WAL file writes the memory-mapped -shm, which is a SIGBUS there."""
    skip_without_chattr(tmp_path)
    fake_embedder(tmp_path).passages(FAQ)
    gc.collect()  # this process's connections closed: the worker below is the cache's only user
    worker = subprocess.Popen([sys.executable, "-c", _READ_CACHED, str(tmp_path)], cwd=ROOT, text=True,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert worker.stdout.readline().strip() == "ready"
        cache = tmp_path / "embeddings.sqlite3"
        with immutable(cache, f"{cache}-wal", f"{cache}-shm"):
            worker.stdin.write("go\n")
            worker.stdin.flush()
            encoded = worker.stdout.readline().strip()
            alive = worker.poll() is None
        worker.stdin.write("exit\n")
        worker.stdin.flush()
        worker.wait(timeout=60)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    assert alive and encoded == "0", worker.stderr.read()[-2000:]
