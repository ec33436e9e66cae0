"""How long a worker waits on the embedding cache while another process fills it cold.

    .venv/bin/python bench/embedding_cache_wait.py [--fill 1024] [--ms-per-text 20] [--faq 2000]

A child process embeds --fill new texts into a fresh cache with a stand-in encoder taking
--ms-per-text per text (the bundled model takes about that per passage here). Once it is
embedding, this process times what a freshly started worker does: open the cache and read an
already-cached FAQ of --faq passages, then embed three new passages of its own. Run in an export of
an older commit, the script times that commit's cache (which held one lock for the whole fill).
"""
from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from unittest import mock

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from retrieval import embedder as embedder_module  # noqa: E402


class StandIn:
    """Deterministic 8-dimensional vectors, `delay` seconds per text, no torch."""

    def __init__(self, delay: float, ready: Path | None = None) -> None:
        self.delay, self.ready = delay, ready

    def get_embedding_dimension(self) -> int:
        return 8

    def encode(self, texts, **_kwargs) -> np.ndarray:
        if self.ready:
            self.ready.touch()
        time.sleep(self.delay * len(texts))
        raw = np.array([np.frombuffer(hashlib.sha256(t.encode()).digest()[:8], dtype=np.uint8) for t in texts],
                       dtype=np.float32)
        return raw / np.linalg.norm(raw, axis=1, keepdims=True)


def embedder(cache: Path, delay: float, ready: Path | None = None):
    with mock.patch.object(embedder_module, "_load_model", lambda *_: StandIn(delay, ready)), \
            mock.patch.object(embedder_module, "_model_id", lambda _m: "stand-in"), \
            mock.patch.object(embedder_module, "configure_threads", lambda *_: None):
        made = embedder_module.Embedder("", cache)
        made.load()  # the stand-in, now: the real model would load lazily after the patch
        return made


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--fill", type=int, default=1024)
    parser.add_argument("--ms-per-text", type=float, default=20.0)
    parser.add_argument("--faq", type=int, default=2000)
    parser.add_argument("--child", nargs=2, metavar=("CACHE", "READY"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        cache, ready = map(Path, args.child)
        embedder(cache, args.ms_per_text / 1000, ready).passages([f"新しい文 {i}" for i in range(args.fill)])
        return
    with tempfile.TemporaryDirectory() as tmp:
        cache, ready = Path(tmp), Path(tmp) / "ready"
        faq = [f"よくある質問 {i}" for i in range(args.faq)]
        embedder(cache, 0.0).passages(faq)
        started = time.monotonic()
        child = subprocess.Popen([sys.executable, __file__, "--fill", str(args.fill), "--ms-per-text",
                                  str(args.ms_per_text), "--child", str(cache), str(ready)])
        while not ready.exists():
            time.sleep(0.01)
        began = time.monotonic()
        worker = embedder(cache, args.ms_per_text / 1000)
        worker.passages(faq)
        loaded = time.monotonic() - began
        began = time.monotonic()
        worker.passages([*faq, "追加 1", "追加 2", "追加 3"])
        added = time.monotonic() - began
        child.wait()
        print(f"cold fill of {args.fill} texts at {args.ms_per_text:g} ms each: {time.monotonic() - started:.1f} s")
        print(f"meanwhile, open the cache and read {args.faq} cached passages: {loaded * 1000:.0f} ms")
        print(f"then embed 3 new passages of its own: {added * 1000:.0f} ms (encoded {worker.encoder_calls})")


if __name__ == "__main__":
    main()
