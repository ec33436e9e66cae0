"""FAISS inner-product search over every phrasing of every entry, max-pooled per entry.

Each entry contributes several passages of three kinds (KINDS): its question and each alternate
phrasing; the question with the opening of its answer; and the question with each sentence of its
answer. An entry scores as its best passage of each kind, separately (a message can match the
answer's wording without matching any phrasing, which says less; a resident describing their
situation often matches one sentence of a long answer and not its opening); a new alternate
phrasing can only help the entry it belongs to.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

# Passages looked up by FAISS per query; entries outside it are scored exactly when BM25 asks.
_FAISS_DEPTH = 200
PHRASING, ANSWER, SENTENCE = 0, 1, 2
KINDS = (PHRASING, ANSWER, SENTENCE)


class DenseIndex:
    def __init__(self, vectors: np.ndarray, owners: Sequence[int], kinds: Sequence[int], n_entries: int):
        """vectors: (n_passages, dim) L2-normalised; owners[i]: the entry passage i belongs to;
        kinds[i]: which of KINDS passage i is."""
        self.n_entries = n_entries
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        self.owners = np.asarray(owners, dtype=np.int64)
        self.kinds = np.asarray(kinds, dtype=np.int8)
        import faiss  # with the first index, not with the package (0.4 s)

        # FAISS finds entries by their phrasings and answer openings only: a long answer's many
        # sentences would crowd the depth with one entry. Sentences are scored in exact().
        self.searched = np.flatnonzero(self.kinds != SENTENCE)
        self.faiss = faiss.IndexFlatIP(self.vectors.shape[1])
        self.faiss.add(self.vectors[self.searched])
        # The mean searched passage: a query's mean cosine to those passages is its product with this.
        self.mean = (self.vectors[self.searched].mean(axis=0) if len(self.searched)
                     else np.zeros(self.vectors.shape[1], dtype=np.float32))
        # passages of entry e are rows[starts[e]:starts[e + 1]] (for exact per-entry scores)
        self._rows = np.argsort(self.owners, kind="stable")
        self._starts = np.searchsorted(self.owners[self._rows], np.arange(n_entries + 1))

    def top(self, query: np.ndarray, depth: int = _FAISS_DEPTH) -> list[int]:
        """The entries owning the `depth` passages nearest the query, nearest first."""
        if self.faiss.ntotal == 0:
            return []
        _, rows = self.faiss.search(query.reshape(1, -1), min(depth, self.faiss.ntotal))
        return list(dict.fromkeys(int(self.owners[self.searched[row]]) for row in rows[0]))

    def exact(self, query: np.ndarray, entries: Sequence[int]) -> tuple[np.ndarray, ...]:
        """Per kind of KINDS, each entry's best cosine over its passages of that kind; -1 where
        an entry has no such passage. One matrix product over all the entries' passages."""
        entries = np.asarray(entries, dtype=np.int64)
        best = np.full((len(KINDS), len(entries)), -1.0, dtype=np.float32)
        starts, ends = self._starts[entries], self._starts[entries + 1]
        lengths = ends - starts
        if not lengths.sum():
            return tuple(best)
        # positions of every passage of every entry, entry by entry, in the owner-sorted order
        offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
        rows = self._rows[offsets + np.arange(lengths.sum())]
        sims = self.vectors[rows] @ query
        owner = np.repeat(np.arange(len(entries)), lengths)
        np.maximum.at(best, (self.kinds[rows], owner), sims)
        return tuple(best)
