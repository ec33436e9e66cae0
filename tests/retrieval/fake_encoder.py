"""An Embedder whose model is a stand-in: deterministic vectors, optionally slow, no torch.

For tests of the cache's locking, where loading the real model (seconds) would blur the timings."""
from __future__ import annotations

import hashlib
import time
from pathlib import Path
from typing import Callable
from unittest import mock

import numpy as np

from retrieval import embedder as embedder_module
from retrieval.embedder import Embedder

DIM = 8


class _SlowModel:
    def __init__(self, seconds_per_text: float, on_encode: Callable[[], None] | None) -> None:
        self.seconds_per_text = seconds_per_text
        self.on_encode = on_encode

    def get_embedding_dimension(self) -> int:
        return DIM

    def encode(self, texts, **_kwargs) -> np.ndarray:
        if self.on_encode:
            self.on_encode()
        time.sleep(self.seconds_per_text * len(texts))
        return np.stack([vector_of(t) for t in texts])


def vector_of(text: str) -> np.ndarray:
    raw = np.frombuffer(hashlib.sha256(text.encode()).digest()[:DIM], dtype=np.uint8).astype(np.float32)
    return raw / np.linalg.norm(raw)


def fake_embedder(cache_dir: Path, seconds_per_text: float = 0.0,
                  on_encode: Callable[[], None] | None = None) -> Embedder:
    """A real Embedder on the cache in `cache_dir`, with the stand-in model."""
    model = _SlowModel(seconds_per_text, on_encode)
    with mock.patch.object(embedder_module, "_load_model", lambda *_: model), \
            mock.patch.object(embedder_module, "_model_id", lambda _name: "fake"), \
            mock.patch.object(embedder_module, "configure_threads", lambda *_: None):
        embedder = Embedder("", cache_dir)
        embedder.load()  # the stand-in, now: the real model would load lazily after the patch
        return embedder
