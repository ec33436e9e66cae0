"""A message's words the FAQ never uses, replaced by a synonym it does use (「入籍」 → 「婚姻」,
「ハンコ」 → 「印鑑」, 「育休」 → 「育児休業」), from Sudachi's synonym dictionary.

Residents name things in their own words; the city writes its own. BM25 cannot meet a word the FAQ
lacks, and the small embedding model meets many such pairs only weakly. The dictionary (SudachiDict's
synonyms, Apache-2.0, installed by npm into vendor/: `make setup`) groups words of one meaning:
spelling variants, abbreviations, everyday and formal words. A word of the message is replaced only
where the FAQ has not the word itself (as written or as Sudachi normalises it) and writes a word of
one of its groups, the one most of its texts use; the FAQ's own words are never touched, so its
entries' questions search as before. Nouns only: a verb's replacement would not take its
inflection, and an adverb's is rarely the same word (chosen on the development questions: README).
"""
from __future__ import annotations

import hashlib
import json
import logging
import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from .tokenize import morphemes

log = logging.getLogger(__name__)

DICTIONARY = (Path(__file__).resolve().parent.parent / "vendor" / "node_modules" / "sudachi-synonyms-dictionary"
              / "sudachi-synonyms-dictionary.json")
MIN_CHARS = 2  # one-character words (姓, 件) are parts of too many others
_LATIN = re.compile("[ -~]+")  # the groups' English glosses (marriage, stamp) are not the FAQ's words


@lru_cache(maxsize=2)
def _groups(path: Path) -> dict[str, list[tuple[str, ...]]]:
    """Each word that may be replaced → the words of each of its groups that may replace it."""
    from .normalize import normalize

    by_word: dict[str, list[tuple[str, ...]]] = {}
    for group in json.loads(path.read_text(encoding="utf-8")):
        items = [item for item in group["items"]
                 if item["expandControl"] != 2  # 2: kept in the source only as a removed word
                 and item["taigenYogen"] != "用言" and not _LATIN.fullmatch(item["midashi"])]
        # A word marked a mistake (誤表記) may be replaced but never replaces another.
        targets = tuple(normalize(item["midashi"]) for item in items
                        if item["gokeiSyubetsu"] != "間違い" and item["hyoukiYure"] != "間違い表記")
        for item in items:
            word = normalize(item["midashi"])
            if item["expandControl"] == 0 and len(word) >= MIN_CHARS:  # 1: replaced by others only
                by_word.setdefault(word, []).append(targets)
    return by_word


def load(path: Path = DICTIONARY) -> dict[str, list[tuple[str, ...]]]:
    """The dictionary's groups by word; empty (with a warning) where it is not installed."""
    if not path.is_file():
        log.warning("Sudachi's synonym dictionary is not installed (%s): run `make setup`", path)
        return {}
    return _groups(path)


@lru_cache(maxsize=2)
def fingerprint(path: Path = DICTIONARY) -> str:
    """Which dictionary a FAQ's replacements were measured with ("" where none is installed)."""
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""


class Thesaurus:
    """One FAQ's replacements: each word it lacks whose synonym it writes → that synonym. Measured
    once per FAQ and kept beside the embedding cache (Index), so a restart reads neither the
    dictionary nor the FAQ's texts again."""

    def __init__(self, replacements: dict[str, str]):
        self.replacements = replacements

    @classmethod
    def of(cls, texts: Iterable[str], groups: dict[str, list[tuple[str, ...]]]) -> Thesaurus:
        """texts: the FAQ's normalised questions, alternates and answers; groups: load()'s."""
        from sudachipy import SplitMode

        uses: Counter[str] = Counter()  # how many of the FAQ's texts use each word as written
        known: set[str] = set()  # those words and Sudachi's normalised forms of them
        for text in texts if groups else ():
            found = [m for mode in (SplitMode.A, SplitMode.C) for m in morphemes(text, mode)]
            uses.update({m.surface() for m in found})
            known.update(m.normalized_form() for m in found)
        known.update(uses)

        def most_used(word: str) -> str | None:
            found = [synonym for group in groups[word] for synonym in group
                     if synonym != word and len(synonym) >= MIN_CHARS and synonym in uses]
            # The first of the most used: a group lists its representative word first.
            return max(found, key=uses.__getitem__, default=None)

        return cls({word: synonym for word in groups if word not in known and (synonym := most_used(word))})

    def rewrite(self, text: str) -> str:
        """The normalised message with its words the FAQ lacks in the FAQ's words."""
        from sudachipy import SplitMode

        if not self.replacements:
            return text
        return "".join(self.replacements.get(m.surface(), m.surface()) if _is_noun(m) else m.surface()
                       for m in morphemes(text, SplitMode.C))


def _is_noun(morpheme) -> bool:
    """A noun as Sudachi reads the message: not the stem of a verb (「思い」), nor an adverb or a
    noun used as one (「かなり」「今日」), whatever the dictionary's entry for the same letters is."""
    pos = morpheme.part_of_speech()
    return pos[0] == "名詞" and pos[2] != "副詞可能"
