"""Text normalisation shared by FAQ entries and residents' messages.

Residents type on phones: full-width letters, half-width katakana, 〜 and ～ stretching vowels,
ーーー and ！！！ for emphasis, ｗｗｗ for laughter, and pasted text carries zero-width characters.
Both sides of a match go through the same function, so these differences never decide a score.
"""
from __future__ import annotations

import re
import unicodedata

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)
_KANA = "\u3041-\u309f\u30a0-\u30ff"
# A wave dash or a dash right after kana stretches the vowel (すご〜い, ケーキ―, ライタ- typed
# with the hyphen key): write it ー.
_STRETCH = re.compile(f"(?<=[{_KANA}])[-~〜〰∼\u2010-\u2015\u2212]+")
# Between digits or words, 〜 and ～ (NFKC makes ～ a ~) mean "to": one form is enough.
_WAVE = re.compile("[〜〰∼]")
_LONG_VOWELS = re.compile("ー{2,}")
# Laughter: a run of w after a non-Latin character (「ですｗｗ」), not inside a word or URL.
_LAUGH = re.compile(r"(?<![a-z0-9./:])w{2,}(?![a-z0-9./])|(?<=[^\x00-\x7f])w(?![a-z0-9])")
# Emphasis: a run of the same mark (！！！, ？？) says no more than one (not // of a URL).
_REPEATED_SYMBOL = re.compile(r"([^\w\s/])\1+")
_SPACES = re.compile(r"\s+")


def normalize(text: str) -> str:
    """NFKC, lower case, no zero-width characters, one form of long vowel and wave dash,
    emphasis runs collapsed, whitespace collapsed to single spaces."""
    text = unicodedata.normalize("NFKC", text).translate(_ZERO_WIDTH).lower()
    text = _STRETCH.sub("ー", text)
    text = _WAVE.sub("~", text)
    text = _LONG_VOWELS.sub("ー", text)
    text = _LAUGH.sub(" ", text)
    text = _REPEATED_SYMBOL.sub(r"\1", text)
    return _SPACES.sub(" ", text).strip()


def has_content(text: str) -> bool:
    """Whether a normalised text holds a letter, digit, kana or kanji (not only emoji or marks)."""
    return any(unicodedata.category(ch)[0] in "LN" for ch in text)


def hiragana_share(text: str) -> float:
    """Share of the letters, digits, kana and kanji that are hiragana (「こくほ かにゅう」: 1.0)."""
    chars = [ch for ch in text if unicodedata.category(ch)[0] in "LN"]
    return sum("ぁ" <= ch <= "ゖ" for ch in chars) / len(chars) if chars else 0.0
