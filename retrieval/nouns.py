"""Whether an entry speaks of the things a message asks about.

A question the FAQ cannot answer often shares most of its words with an entry and differs in one
noun: 「猫も登録がいるの？」 against the entry on registering a dog, 「住民票を英語で」 against the entry
on getting a 住民票. BM25 coverage and cosines both score such a pair high. These two features
look at the message's nouns only, against every word of the entry (question, alternates, answer):
the share of them the entry uses, weighted by rarity, and how rare the rarest one it lacks is.
"""
from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence

import numpy as np


class NounCoverage:
    def __init__(self, entry_words: Sequence[Iterable[str]]):
        # word -> the entries using it: small beside the entries' word sets, and fast to test
        postings: dict[str, list[int]] = defaultdict(list)
        for i, words in enumerate(entry_words):
            for word in set(words):
                postings[word].append(i)
        self.n_entries = len(entry_words)
        self.postings = {w: np.array(ids, dtype=np.int64) for w, ids in postings.items()}

    def _idf(self, word: str) -> float:
        df = len(self.postings.get(word, ()))
        return math.log(1 + (self.n_entries - df + 0.5) / (df + 0.5))

    def features(self, nouns: Sequence[str], entries: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
        """Per entry: (idf-weighted share of the nouns it uses, idf of the rarest noun it lacks
        relative to the rarest noun of the message). A message without nouns: (1, 0) for all."""
        if not nouns:
            return np.ones(len(entries), dtype=np.float32), np.zeros(len(entries), dtype=np.float32)
        weights = np.array([self._idf(w) for w in nouns])
        entries = np.asarray(entries, dtype=np.int64)
        used = np.column_stack([np.isin(entries, self.postings.get(w, entries[:0])) for w in nouns])
        cover = used @ weights / weights.sum()
        gap = np.where(used, 0.0, weights).max(axis=1) / weights.max()
        return cover.astype(np.float32), gap.astype(np.float32)
