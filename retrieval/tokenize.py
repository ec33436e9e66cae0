"""Japanese tokens for BM25: SudachiPy content words plus hiragana reading bigrams.

Words are Sudachi's normalized_form(), so 「ゴミ出し」 and 「ごみだし」 style variants meet. Readings
catch what words miss: a resident typing 「じゅうみんひょう」 or 「住民ひょう」 produces the same
reading bigrams (じゅ, ゅう, うみ, みん, …) as the entry's 住民票, though Sudachi splits the
hiragana into unrelated words. Abbreviations residents use (マイナカード, 国保) are rewritten to the
FAQ's words first, from a small built-in table plus the staff's synonyms.
"""
from __future__ import annotations

import re
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # SudachiPy is imported where it is first used, not with the package
    from sudachipy import Dictionary

# Common abbreviations in municipal questions → the words an FAQ entry uses.
BUILTIN_SYNONYMS: dict[str, str] = {
    "マイナカード": "マイナンバーカード",
    "マイナ保険証": "マイナンバーカード 健康保険証",
    "マイナ": "マイナンバー",
    "国保": "国民健康保険",
    "こくほ": "国民健康保険",  # readings of abbreviations, as residents type them in hiragana
    "まいなかーど": "マイナンバーカード",
    "後期高齢": "後期高齢者医療",
    "児手": "児童手当",
    "児扶手": "児童扶養手当",
    "住基": "住民基本台帳",
    "印鑑証明": "印鑑登録証明書",
    "粗大": "粗大ごみ",
    "保育所": "保育園",
    "役所": "市役所",
}

# Sudachi takes at most ~49 KB of UTF-8 per call; 4,000 characters is < 16 KB in any script.
_CHUNK_CHARS = 4000
_CONTENT_POS = {"名詞", "動詞", "形容詞", "形状詞", "副詞", "接頭辞", "接尾辞", "連体詞"}
# Words in nearly every question (「〜したいのですが」「教えてください」) carry no topic.
_STOP_WORDS = {"する", "ある", "いる", "なる", "できる", "出来る", "いう", "言う", "思う", "教える",
               "欲しい", "ほしい", "良い", "いい", "よい", "ない", "くださる", "下さる", "おる",
               "れる", "られる", "せる", "させる", "知る", "分かる", "わかる", "方法", "場合",
               "いく", "行く", "くる", "来る", "しまう", "おく", "みる", "もらう", "貰う", "くれる"}

_dictionary_lock = threading.Lock()
_local = threading.local()


@dataclass(frozen=True)
class TokenSettings:
    """Which tokens to emit: split mode(s) for words, and whether to add reading bigrams."""

    modes: str = "AC"  # "A", "C" or "AC" (short units plus the compounds they form)
    readings: bool = True


DEFAULT = TokenSettings()


@lru_cache(maxsize=1)
def _dictionary() -> Dictionary:
    from sudachipy import Dictionary

    with _dictionary_lock:
        return Dictionary(dict="core")


def _tokenizer():
    # A Sudachi tokenizer is not thread-safe: one per thread, over the one shared dictionary.
    tok = getattr(_local, "tokenizer", None)
    if tok is None:
        tok = _local.tokenizer = _dictionary().create()
    return tok


def _chunks(text: str) -> list[str]:
    return [text[i:i + _CHUNK_CHARS] for i in range(0, len(text), _CHUNK_CHARS)] or [""]


def _is_content(pos: tuple[str, ...], form: str) -> bool:
    if pos[0] not in _CONTENT_POS or pos[0] == "名詞" and pos[1] == "非自立可能":  # こと, ため
        return False
    return form not in _STOP_WORDS


def hiragana(katakana: str) -> str:
    return "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c for c in katakana)


def morphemes(text: str, mode) -> Iterator:
    """Sudachi's morphemes of a text of any length (tokenised in chunks Sudachi accepts)."""
    tok = _tokenizer()
    for chunk in _chunks(text):
        yield from tok.tokenize(chunk, mode)


def _bigrams(reading: str) -> list[str]:
    if len(reading) == 1:
        return [reading]
    return [reading[i:i + 2] for i in range(len(reading) - 1)]


def _words_and_readings(text: str, mode, readings: bool) -> tuple[list[str], list[str]]:
    words: list[str] = []
    bigrams: list[str] = []
    run = ""  # the reading of consecutive content words, joined across word borders
    for m in morphemes(text, mode):
        pos, form = m.part_of_speech(), m.normalized_form()
        if _is_content(pos, form):
            words.append(form)
            reading = m.reading_form()
            # Numbers, Latin letters and symbols have no kana reading worth matching.
            if readings and pos[1] != "数詞" and _KANA_ONLY.fullmatch(reading):
                run += hiragana(reading)
                continue
        if run:
            bigrams += _bigrams(run)
            run = ""
    if run:
        bigrams += _bigrams(run)
    return words, bigrams


_KANA_ONLY = re.compile("[ァ-ヶー]+")
_HIRAGANA_RUN = re.compile("[ぁ-ゖー]{2,}")


def kana_bigrams(text: str) -> list[str]:
    """Reading bigrams of the text's hiragana as typed. Sudachi cuts a message written in
    hiragana (「こせきとうほん」) into particles and unrelated words, so its readings miss; the kana
    themselves are the reading, and a caller keeps the bigrams an entry's reading has."""
    katakana = "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c for c in text)
    return [b for run in _HIRAGANA_RUN.findall(katakana) for b in _bigrams(run)]


def apply_synonyms(text: str, synonyms: Mapping[str, str]) -> str:
    """Rewrite each term to its canonical form, longest match first, canonical forms untouched
    (so マイナ → マイナンバー does not turn マイナンバーカード into マイナンバーンバーカード)."""
    return _synonym_pattern(tuple(sorted(synonyms.items())))(text)


@lru_cache(maxsize=16)
def _synonym_pattern(items: tuple[tuple[str, str], ...]):
    table = {term: canonical for term, canonical in items if term}
    keys = sorted(set(table) | {c for c in table.values() if c}, key=len, reverse=True)
    if not keys:
        return lambda text: text
    pattern = re.compile("|".join(map(re.escape, keys)))
    return lambda text: pattern.sub(lambda m: table.get(m.group(0), m.group(0)), text)


def with_readings(synonyms: Mapping[str, str]) -> dict[str, str]:
    """The synonyms plus each term's reading in hiragana (ハンコ → はんこ, 国保 → こくほ), so a
    resident who types the word in hiragana meets the same entry. Readings of under three kana
    are left out: as parts of longer hiragana words they would rewrite too much."""
    from sudachipy import SplitMode

    out = dict(synonyms)
    # the canonical form's own reading too, so that そだいごみ is not read as そだい + ごみ
    for term, canonical in [*synonyms.items(), *((c, c) for c in synonyms.values())]:
        reading = hiragana("".join(m.reading_form() for m in morphemes(term, SplitMode.C)))
        if len(reading) >= 3 and _HIRAGANA_RUN.fullmatch(reading) and reading not in out:
            out[reading] = canonical
    return out


def nouns(text: str, settings: TokenSettings = DEFAULT) -> list[str]:
    """The distinct common and proper nouns of an already normalised text (normalised forms, as in
    tokens()): the things a message is about, without its verbs and counters."""
    from sudachipy import SplitMode

    found: list[str] = []
    for mode in (SplitMode.A if unit == "A" else SplitMode.C for unit in settings.modes):
        for m in morphemes(text, mode):
            pos, form = m.part_of_speech(), m.normalized_form()
            if pos[0] == "名詞" and pos[1] in ("普通名詞", "固有名詞") and pos[2] != "助数詞可能" \
                    and form not in _STOP_WORDS:
                found.append(form)
    return list(dict.fromkeys(found))


def tokens(text: str, settings: TokenSettings = DEFAULT) -> tuple[list[str], list[str]]:
    """(content words, reading bigrams) of an already normalised text."""
    from sudachipy import SplitMode

    words: list[str] = []
    bigrams: list[str] = []
    if "A" in settings.modes:
        words, bigrams = _words_and_readings(text, SplitMode.A, settings.readings)
    if "C" in settings.modes:
        compounds, c_bigrams = _words_and_readings(text, SplitMode.C, settings.readings and not bigrams)
        short_units = set(words)
        words += [w for w in compounds if w not in short_units]
        bigrams = bigrams or c_bigrams
    return words, bigrams
