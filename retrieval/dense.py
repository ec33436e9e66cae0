"""FAISS inner-product search over every phrasing of every entry, max-pooled per entry.

Each entry contributes several passages (its question, each alternate phrasing, and the
question with the opening of its answer); an entry scores as its best-matching passage, so a
new alternate phrasing can only help the entry it belongs to.
"""
from __future__ import annotations

from collections.abc import Sequence

import faiss
import numpy as np

# Passages looked up by FAISS per query; entries outside it are scored exactly when BM25 asks.
_FAISS_DEPTH = 200


class DenseIndex:
    def __init__(self, vectors: np.ndarray, owners: Sequence[int], n_entries: int):
        """vectors: (n_passages, dim) L2-normalised; owners[i]: the entry passage i belongs to."""
        self.n_entries = n_entries
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        self.owners = np.asarray(owners, dtype=np.int64)
        self.faiss = faiss.IndexFlatIP(self.vectors.shape[1])
        self.faiss.add(self.vectors)
        # passages of entry e are rows[starts[e]:starts[e + 1]] (for exact per-entry scores)
        self._rows = np.argsort(self.owners, kind="stable")
        self._starts = np.searchsorted(self.owners[self._rows], np.arange(n_entries + 1))

    def top(self, query: np.ndarray, depth: int = _FAISS_DEPTH) -> dict[int, float]:
        """Best cosine per entry among the `depth` nearest passages."""
        if self.faiss.ntotal == 0:
            return {}
        sims, ids = self.faiss.search(query.reshape(1, -1), min(depth, self.faiss.ntotal))
        best: dict[int, float] = {}
        for sim, row in zip(sims[0], ids[0]):
            entry = int(self.owners[row])
            if entry not in best:  # FAISS returns rows best first
                best[entry] = float(sim)
        return best

    def exact(self, query: np.ndarray, entries: Sequence[int]) -> dict[int, float]:
        """Best cosine of each given entry over all its passages (-1 if it has none)."""
        out: dict[int, float] = {}
        for e in entries:
            rows = self._rows[self._starts[e]:self._starts[e + 1]]
            out[e] = float((self.vectors[rows] @ query).max()) if len(rows) else -1.0
        return out
