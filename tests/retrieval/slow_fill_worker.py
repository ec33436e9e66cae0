"""A process embedding a long list of new texts into a shared cache with a slow stand-in encoder
(tests/retrieval/test_embedding_cache_lock.py): it touches READY once it is inside its first
chunk, then keeps embedding, slower than any test waits."""
from __future__ import annotations

import sys
from pathlib import Path

from tests.retrieval.fake_encoder import fake_embedder


def main(cache_dir: str, ready: str, count: str, seconds_per_text: str) -> None:
    embedder = fake_embedder(Path(cache_dir), seconds_per_text=float(seconds_per_text),
                             on_encode=lambda: Path(ready).touch())
    embedder.passages([f"冷たいキャッシュの文 {i}" for i in range(int(count))])


if __name__ == "__main__":
    main(*sys.argv[1:])
