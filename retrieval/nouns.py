"""Whether an entry speaks of the things a message asks about.

A question the FAQ cannot answer often shares most of its words with an entry and differs in one
noun: 「猫も登録がいるの？」 against the entry on registering a dog, 「住民票を英語で」 against the entry
on getting a 住民票. BM25 coverage and cosines both score such a pair high. These two features
look at the message's nouns only, against every word of the entry (question, alternates, answer):
the share of them the entry uses, weighted by rarity, and how rare the rarest one it lacks is.
"""
from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np


class NounCoverage:
    def __init__(self, entry_words: Iterable[Iterable[str]]):
        self.entries = [frozenset(words) for words in entry_words]
        self.df = Counter(w for words in self.entries for w in words)

    def _idf(self, word: str) -> float:
        n, df = len(self.entries), self.df.get(word, 0)
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def features(self, nouns: Sequence[str], entries: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
        """Per entry: (idf-weighted share of the nouns it uses, idf of the rarest noun it lacks
        relative to the rarest noun of the message). A message without nouns: (1, 0) for all."""
        cover = np.ones(len(entries), dtype=np.float32)
        gap = np.zeros(len(entries), dtype=np.float32)
        if not nouns:
            return cover, gap
        weights = np.array([self._idf(w) for w in nouns])
        for i, e in enumerate(entries):
            used = np.array([w in self.entries[e] for w in nouns])
            cover[i] = weights[used].sum() / weights.sum()
            gap[i] = weights[~used].max() / weights.max() if not used.all() else 0.0
        return cover, gap
