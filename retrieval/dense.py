"""FAISS inner-product search over every phrasing of every entry, max-pooled per entry.

Each entry contributes several passages: its question and each alternate phrasing, and the
question with the opening of its answer. An entry scores as its best-matching phrasing and,
separately, as its answer passage (a message can match the answer's wording without matching any
phrasing, which says less); a new alternate phrasing can only help the entry it belongs to.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

# Passages looked up by FAISS per query; entries outside it are scored exactly when BM25 asks.
_FAISS_DEPTH = 200


class DenseIndex:
    def __init__(self, vectors: np.ndarray, owners: Sequence[int], is_answer: Sequence[bool], n_entries: int):
        """vectors: (n_passages, dim) L2-normalised; owners[i]: the entry passage i belongs to;
        is_answer[i]: whether passage i is the entry's answer passage."""
        self.n_entries = n_entries
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        self.owners = np.asarray(owners, dtype=np.int64)
        self.is_answer = np.asarray(is_answer, dtype=bool)
        import faiss  # with the first index, not with the package (0.4 s)

        self.faiss = faiss.IndexFlatIP(self.vectors.shape[1])
        self.faiss.add(self.vectors)
        # The mean passage: a query's mean cosine to all passages is its product with this.
        self.mean = (self.vectors.mean(axis=0) if len(self.vectors)
                     else np.zeros(self.vectors.shape[1], dtype=np.float32))
        # passages of entry e are rows[starts[e]:starts[e + 1]] (for exact per-entry scores)
        self._rows = np.argsort(self.owners, kind="stable")
        self._starts = np.searchsorted(self.owners[self._rows], np.arange(n_entries + 1))

    def top(self, query: np.ndarray, depth: int = _FAISS_DEPTH) -> list[int]:
        """The entries owning the `depth` passages nearest the query, nearest first."""
        if self.faiss.ntotal == 0:
            return []
        _, rows = self.faiss.search(query.reshape(1, -1), min(depth, self.faiss.ntotal))
        return list(dict.fromkeys(int(self.owners[row]) for row in rows[0]))

    def exact(self, query: np.ndarray, entries: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
        """(best cosine over each entry's phrasings, cosine of its answer passage); -1 where an
        entry has no such passage. One matrix product over all the entries' passages."""
        entries = np.asarray(entries, dtype=np.int64)
        phrasing = np.full(len(entries), -1.0, dtype=np.float32)
        answer = np.full(len(entries), -1.0, dtype=np.float32)
        starts, ends = self._starts[entries], self._starts[entries + 1]
        lengths = ends - starts
        if not lengths.sum():
            return phrasing, answer
        # positions of every passage of every entry, entry by entry, in the owner-sorted order
        offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
        rows = self._rows[offsets + np.arange(lengths.sum())]
        sims = self.vectors[rows] @ query
        owner = np.repeat(np.arange(len(entries)), lengths)
        kinds = self.is_answer[rows]
        np.maximum.at(phrasing, owner[~kinds], sims[~kinds])
        np.maximum.at(answer, owner[kinds], sims[kinds])
        return phrasing, answer
