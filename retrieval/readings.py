"""Hiragana messages rewritten into the FAQ's own words (「だんぼーる すてかた」 → 「段ボール 捨て方」).

Sudachi cuts a message typed in hiragana into particles and unrelated words, and the e5 model
reads it poorly, so such messages scored low even when the right entry was on top. The FAQ's
words come with their readings, so the FAQ itself is the dictionary: each reading of three kana or
more maps back to the word. The answers add their katakana words (「そふぁ」 → 「ソファ」, where only
an answer names the thing); their kanji words would misread inflections (「したい」 → 死体). Only
messages that are mostly hiragana are rewritten — in ordinary mixed text, kana runs are
inflections (「している」 would become 「指定る」). A message typed in
half-width katakana (「ｴｱｺﾝ 捨ﾃﾀｲ」) is kana as typed too, okurigana included: it is read as hiragana
first (「えあこん 捨てたい」), then rewritten (「エアコン 捨てたい」).
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable

from .normalize import hiragana_share
from .tokenize import hiragana, morphemes

MIN_READING = 3  # two-kana readings (かい, しょ) match too much by chance
MIN_HIRAGANA_SHARE = 0.85
_HAS_WORD_CHARS = re.compile("[一-龥々ァ-ヶ]")
_READING = re.compile("[ぁ-ゖー]+")
_KATAKANA_WORD = re.compile("[ァ-ヶー]+")
_MORA_TAILS = frozenset("ぁぃぅぇぉゃゅょゎー")  # no word starts with one (っ can: 「って」)
_HALFWIDTH_KANA = re.compile("[ｦ-ﾟ]")


class ReadingTable:
    def __init__(self, texts: Iterable[str], answers: Iterable[str] = ()):
        """texts: the FAQ's normalised texts (its questions and alternate phrasings); answers: its
        normalised answers, whose katakana words (「ソファ」「ペットボトル」) fill readings the
        phrasings lack. Only katakana: an answer's kanji words would turn a message's 「したい」 into
        死体 (a reading of katakana is the word itself, so no dictionary is needed either)."""
        from sudachipy import SplitMode

        counts: dict[str, Counter] = defaultdict(Counter)
        for text in texts:
            for mode in (SplitMode.A, SplitMode.C):
                for m in morphemes(text, mode):
                    surface, reading = m.surface(), hiragana(m.reading_form())
                    if (_HAS_WORD_CHARS.search(surface) and len(reading) >= MIN_READING
                            and _READING.fullmatch(reading)):
                        counts[reading][surface] += 1
        self.words = {hiragana(word): word for answer in answers for word in _KATAKANA_WORD.findall(answer)
                      if len(word) >= MIN_READING}
        self.words.update((reading, c.most_common(1)[0][0]) for reading, c in counts.items())
        self.longest = max(map(len, self.words), default=0)

    def rewrite(self, text: str, typed: str = "") -> str:
        """The normalised message with the FAQ's words for their readings, if it is mostly
        hiragana; otherwise unchanged. Longest reading first, left to right. `typed`: the message
        as the resident typed it (before normalisation), to tell half-width katakana."""
        if _HALFWIDTH_KANA.search(typed):
            text = hiragana(text)  # kana as typed, okurigana included: whatever its hiragana share
        elif hiragana_share(text) < MIN_HIRAGANA_SHARE:
            return text
        return _READING.sub(lambda m: self._rewrite_run(m.group(0)), text)

    def _rewrite_run(self, run: str) -> str:
        out, i = [], 0
        while i < len(run):
            for length in range(min(self.longest, len(run) - i), MIN_READING - 1, -1):
                word = self.words.get(run[i:i + length])
                # a word never ends inside a mora (センチ in せんちゃく)
                if word and run[i + length:i + length + 1] not in _MORA_TAILS:
                    out.append(word)
                    i += length
                    break
            else:
                out.append(run[i])
                i += 1
        return "".join(out)
