"""Hiragana messages rewritten into the FAQ's own words (「だんぼーる すてかた」 → 「段ボール 捨て方」).

Sudachi cuts a message typed in hiragana into particles and unrelated words, and the e5 model
reads it poorly, so such messages scored low even when the right entry was on top. The FAQ's
words come with their readings, so the FAQ itself is the dictionary: each reading of three kana or
more maps back to the word. The answers add their katakana words (「そふぁ」 → 「ソファ」, where only
an answer names the thing) and their kanji nouns (「ほけんしさん」 → 「保健師さん」), these only where
they take no kana Sudachi reads as a particle or auxiliary: matched anywhere, they misread
inflections and endings (「したい」 → 死体, 「ねんきんから」 → 年金課ら, 「でしょうか」 → で消火), and no word
takes a polite ending (「でしょうか」, 「ください」), whatever its source. Only
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
_KANJI_NOUN = re.compile("[一-龥々ァ-ヶー]{2,}")
_WORD_CHARS = re.compile("[一-龥々ァ-ヶぁ-ゖ]")
_SPACE_BEFORE_PUNCTUATION = re.compile(" +([、。，．,.!?！？])")
# Polite endings are never part of a word: 「いいでしょうか」 gave で消火 or で証か wherever an FAQ's
# words read しょうか, and 「うけてくださいと」 くだサイト (47 development questions were so misread).
_POLITE_ENDING = re.compile("でしょう|ましょう|ください|ません|ました|でした|ですか|ますか")
# Sudachi reads a hiragana message's particles and auxiliaries right even where it misreads its
# nouns, so an answer's noun may not take a kana of those.
_FUNCTION_POS = frozenset({"助詞", "助動詞"})


class ReadingTable:
    def __init__(self, texts: Iterable[str], answers: Iterable[str] = ()):
        """texts: the FAQ's normalised texts (its questions and alternate phrasings); answers: its
        normalised answers, whose katakana words (「ソファ」「ペットボトル」) and kanji nouns
        (「保健師」) fill readings the phrasings lack."""
        from sudachipy import SplitMode

        counts: dict[str, Counter] = defaultdict(Counter)
        for text in texts:
            for mode in (SplitMode.A, SplitMode.C):
                for m in morphemes(text, mode):
                    surface, reading = m.surface(), hiragana(m.reading_form())
                    if (_HAS_WORD_CHARS.search(surface) and len(reading) >= MIN_READING
                            and _READING.fullmatch(reading)):
                        counts[reading][surface] += 1
        answers = list(answers)
        self.answer_nouns: dict[str, str] = {}  # used only where they take no particle (_rewrite_run)
        for answer in answers:
            for m in morphemes(answer, SplitMode.C):
                surface, reading = m.surface(), hiragana(m.reading_form())
                if (m.part_of_speech()[0] == "名詞" and _KANJI_NOUN.fullmatch(surface)
                        and len(reading) >= MIN_READING and _READING.fullmatch(reading)):
                    self.answer_nouns.setdefault(reading, surface)
        self.words = {hiragana(word): word for answer in answers for word in _KATAKANA_WORD.findall(answer)
                      if len(word) >= MIN_READING}
        self.words.update((reading, c.most_common(1)[0][0]) for reading, c in counts.items())
        self.longest = max(map(len, [*self.words, *self.answer_nouns]), default=0)

    def rewrite(self, text: str, typed: str = "") -> str:
        """The normalised message with the FAQ's words for their readings, if it is mostly
        hiragana; otherwise unchanged. Longest reading first, left to right. `typed`: the message
        as the resident typed it (before normalisation), to tell half-width katakana."""
        if _HALFWIDTH_KANA.search(typed):
            text = hiragana(text)  # kana as typed, okurigana included: whatever its hiragana share
        elif hiragana_share(text) < MIN_HIRAGANA_SHARE:
            return text
        function = _function_positions(text)
        polite = {i for m in _POLITE_ENDING.finditer(text) for i in range(m.start(), m.end())}
        return _READING.sub(lambda m: self._rewrite_run(m.group(0), m.start(), function, polite), text)

    def _rewrite_run(self, run: str, start: int, function: set[int], polite: set[int]) -> str:
        out, i = [], 0
        while i < len(run):
            for length in range(min(self.longest, len(run) - i), MIN_READING - 1, -1):
                reading = run[i:i + length]
                if polite.intersection(range(start + i, start + i + length)):
                    continue
                word = self.words.get(reading)
                if word is None and not function.intersection(range(start + i, start + i + length)):
                    word = self.answer_nouns.get(reading)
                # a word never ends inside a mora (センチ in せんちゃく)
                if word and run[i + length:i + length + 1] not in _MORA_TAILS:
                    out.append(word)
                    i += length
                    break
            else:
                out.append(run[i])
                i += 1
        return "".join(out)


def _function_positions(text: str) -> set[int]:
    """The positions of the characters Sudachi reads as particles or auxiliaries."""
    from sudachipy import SplitMode

    positions, at = set(), 0
    for m in morphemes(text, SplitMode.C):
        end = at + len(m.surface())
        if m.part_of_speech()[0] in _FUNCTION_POS:
            positions.update(range(at, end))
        at = end
    return positions


def spelled_in_hiragana(text: str, spaced: bool = False, katakana_kept: bool = False) -> str:
    """The text as typed by someone who does not convert kana (「住民票を取りたい」 →
    「じゅうみんひょうをとりたい」): Sudachi's readings in hiragana. spaced: a space after each
    particle, as many type; katakana_kept: katakana words as written (「バス」). The trees learn
    from development questions spelled so how evidence reads for such messages (bench/carryover.py)."""
    from sudachipy import SplitMode

    out = []
    for m in morphemes(text, SplitMode.C):
        surface, reading = m.surface(), m.reading_form()
        if not _WORD_CHARS.search(surface) or not _KATAKANA_WORD.fullmatch(reading):
            out.append(surface)  # digits, Latin letters and symbols as typed
            continue
        out.append(surface if katakana_kept and _KATAKANA_WORD.fullmatch(surface) else hiragana(reading))
        if spaced and m.part_of_speech()[0] == "助詞":
            out.append(" ")
    return _SPACE_BEFORE_PUNCTUATION.sub(r"\1", re.sub(" +", " ", "".join(out))).strip()
