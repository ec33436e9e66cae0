"""Okapi BM25 over token lists, with a score normalised to [0, 1] by the query's self-score.

Raw BM25 grows with the query's length and rarity, so no fixed threshold fits it. Dividing by
what the query would score against a document made of itself gives "how much of this question
the entry covers", comparable across questions.
"""
from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence

import numpy as np

K1 = 1.2
B = 0.75


class Bm25:
    def __init__(self, documents: Sequence[Sequence[str]]):
        self.n_docs = len(documents)
        lengths = np.array([len(d) for d in documents], dtype=np.float32)
        self.avgdl = float(lengths.mean()) if self.n_docs and lengths.sum() else 1.0
        postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for i, doc in enumerate(documents):
            for term, tf in Counter(doc).items():
                postings[term].append((i, tf))
        self.idf: dict[str, float] = {}
        self._postings: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for term, plist in postings.items():
            df = len(plist)
            idf = math.log(1 + (self.n_docs - df + 0.5) / (df + 0.5))
            ids = np.array([i for i, _ in plist], dtype=np.int64)
            tf = np.array([t for _, t in plist], dtype=np.float32)
            norm = K1 * (1 - B + B * lengths[ids] / self.avgdl)
            self.idf[term] = idf
            self._postings[term] = (ids, (idf * tf * (K1 + 1) / (tf + norm)).astype(np.float32))

    def scores(self, query: Sequence[str]) -> np.ndarray:
        """Raw BM25 of every document (each distinct query term counted once)."""
        out = np.zeros(self.n_docs, dtype=np.float32)
        for term in set(query):
            posting = self._postings.get(term)
            if posting is not None:
                out[posting[0]] += posting[1]
        return out

    def self_score(self, query: Sequence[str]) -> float:
        """BM25 the query would get against a document holding exactly its own tokens."""
        counts = Counter(query)
        norm = K1 * (1 - B + B * len(query) / self.avgdl)
        # A term no entry has weighs as the rarest: a message mostly about something the FAQ
        # does not cover must not score high on the one common word it shares.
        unseen = math.log(1 + (self.n_docs + 0.5) / 0.5)
        return sum(self.idf.get(t, unseen) * tf * (K1 + 1) / (tf + norm) for t, tf in counts.items())


class WeightedBm25:
    """Several BM25 fields (e.g. question words, their readings, answer words) summed with
    weights, normalised together by the query's weighted self-score."""

    def __init__(self, fields: Sequence[tuple[Sequence[Sequence[str]], float]]):
        self.n_docs = len(fields[0][0]) if fields else 0
        self.fields = [(Bm25(docs) if weight > 0 else None, weight) for docs, weight in fields]

    def field_scores(self, queries: Sequence[Sequence[str]]) -> np.ndarray:
        """(n_fields, n_docs): each field's weighted score over the query's weighted self-score
        of all fields, so a row says how much of the question that field covers.
        queries: the query's tokens for each field, in the order of the fields given."""
        rows = np.zeros((len(self.fields), self.n_docs), dtype=np.float32)
        self_total = 0.0
        for row, ((bm25, weight), query) in enumerate(zip(self.fields, queries)):
            if bm25 is not None:
                rows[row] = weight * bm25.scores(query)
                self_total += weight * bm25.self_score(query)
        return rows / self_total if self_total > 0 else rows

    def normalized_scores(self, queries: Sequence[Sequence[str]]) -> np.ndarray:
        """All fields together, in [0, 1]."""
        return np.minimum(self.field_scores(queries).sum(axis=0), 1.0)
