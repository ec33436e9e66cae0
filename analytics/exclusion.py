"""The rule that marks a resident's message 除外 (無意味な質問) before any search.

A message is meaningless when, after `retrieval.normalize.normalize` (NFKC, lower case, stretched
vowels and emphasis collapsed, ｗｗｗ dropped) and after removing everything that is not a letter
or digit (emoji, marks, punctuation, spaces, trailing ー), it is:

1. empty: nothing but emoji, symbols, punctuation or laughter (「👍」「？？？」「ｗｗｗ」);
2. greetings, thanks or acknowledgements only, alone or strung together
   (「こんにちは」「ありがとうございました！」「はい」「OK」「よろしくお願いします」),
   in hiragana or katakana (「アリガトウ」), or in a foreign resident's language (greetings.py:
   「Hello!」「xin chào」「你好」「감사합니다」), which the bot then answers in;
3. a test string: テスト / test (with a number or です) (「テスト」「test1」「テストです」);
4. a single kana or Latin letter (「あ」「a」), or the same kana/letter repeated
   (「ああ」「あああああ」「ｗｗｗｗ」); a repeated kana needs three or more unless it is a
   vowel or ん (「ここ」「はは」 are words, so they stay);
5. keyboard mash: four or more Latin letters, each next to the previous one on a QWERTY row
   (「ｓｄｆｇｈ」「asdf」「qwerty」).

Conservative on purpose: a wrongly excluded question vanishes from the 正答率 denominator, so
anything in doubt is NOT excluded — single kanji (「税」), digits (「110」), short words
(「ごみ」「住民票」), or a greeting followed by a question. Staff can override either way in review.
"""
from __future__ import annotations

import re
import unicodedata

from analytics import greetings

_HELLOS = (
    "こんにちは", "こんにちわ", "こんばんは", "こんばんわ", "おはよう", "おはようございます",
    "はじめまして", "もしもし", "さようなら", "さよなら", "ばいばい", "おやすみ", "おやすみなさい",
)
# thanks and apologies with nothing asked
_THANKS = (
    "ありがとう", "ありがと", "ありがとうございます", "ありがとうございました", "有難う", "有難うございます",
    "有難うございました", "どうも", "どうもありがとう", "感謝します", "すみません", "すいません",
)
_ACKNOWLEDGEMENTS = (
    "はい", "いいえ", "うん", "ok", "okay", "おけ", "おっけ", "了解", "了解です", "了解しました",
    "りょうかい", "わかりました", "分かりました", "承知しました", "よろしく", "宜しく",
    "よろしくお願いします", "よろしくおねがいします", "宜しくお願いします", "よろしくお願いいたします",
    "宜しくお願い致します", "よろしくお願い致します", "お願いします", "おねがいします",
)


def _word_core(word: str) -> str:
    """A listed word as _core leaves a message (the lists hold no kana stretches or laughter)."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", word).lower() if unicodedata.category(ch)[0] in "LN")


def _run(words) -> re.Pattern:
    # Longest first, so 「ありがとうございます」 is not read as 「ありがと」 + a remainder.
    return re.compile("(?:" + "|".join(sorted(map(re.escape, set(words)), key=len, reverse=True)) + ")+")


_FOREIGN_HELLOS = {language: tuple(map(_word_core, words)) for language, words in greetings.HELLOS.items()}
_FOREIGN_THANKS = {language: tuple(map(_word_core, words)) for language, words in greetings.THANKS.items()}
_GREETINGS = (_HELLOS + _THANKS + _ACKNOWLEDGEMENTS + sum(_FOREIGN_HELLOS.values(), ())
              + sum(_FOREIGN_THANKS.values(), ()))
_GREETING_RUN = _run(_GREETINGS)
# A language's own greetings, with the acknowledgements anyone types (「OK thanks」 is English).
_LANGUAGE_RUNS = {language: _run(_FOREIGN_HELLOS[language] + _FOREIGN_THANKS[language] + ("ok", "okay"))
                  for language in _FOREIGN_HELLOS}
_TEST = re.compile(r"(?:テスト|てすと|test)+(?:\d+|です|中|送信)?")
# Kana that repeated twice are a sound, not a word (「ああ」「んん」); 「ここ」「はは」 are words.
_SOUNDS = set("あいうえおぁぃぅぇぉんアイウエオァィゥェォン")
_TO_HIRAGANA = {code: code - 0x60 for code in range(0x30A1, 0x30F7)}
_ALL_THANKS = {w.translate(_TO_HIRAGANA) for w in _THANKS + sum(_FOREIGN_THANKS.values(), ())}
_QWERTY_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_KEY_POSITION = {ch: (row, col) for row, keys in enumerate(_QWERTY_ROWS) for col, ch in enumerate(keys)}


def is_meaningless(text: str) -> bool:
    """Whether a resident's message carries no question at all (the 除外 rule above)."""
    core = _core(text)
    return (
        not core
        or _GREETING_RUN.fullmatch(core.translate(_TO_HIRAGANA)) is not None
        or _TEST.fullmatch(core) is not None
        or _is_single_or_repeated(core)
        or _is_keyboard_mash(core)
    )


def greeting_kind(text: str) -> str | None:
    """"thanks" for a message that only thanks (or apologises), "greeting" for any other greeting or
    acknowledgement, None for everything else: the bot answers those kindly (they stay 除外)."""
    core = _core(text).translate(_TO_HIRAGANA)
    if not core or _GREETING_RUN.fullmatch(core) is None:
        return None
    return "thanks" if any(core.startswith(w) or core.endswith(w) for w in _ALL_THANKS) else "greeting"


def greeting_language(text: str) -> str | None:
    """The foreign language (retrieval.language.FOREIGN) a greeting or thanks is written in, for
    the bot to answer in it; None for a Japanese one, an OK alone, or one that mixes languages."""
    core = _core(text)
    if not core or core in ("ok", "okay"):
        return None
    found = [language for language, run in _LANGUAGE_RUNS.items() if run.fullmatch(core)]
    return found[0] if len(found) == 1 else None


def _core(text: str) -> str:
    """Letters and digits only; ー kept inside words (ケーキ) but not as a trailing stretch."""
    # Imported here so the analytics package loads without the retrieval package's dependencies.
    from retrieval.normalize import normalize

    kept = "".join(ch for ch in normalize(text) if unicodedata.category(ch)[0] in "LN")
    return kept.rstrip("ー").lstrip("ー")


def _is_kana_or_latin(ch: str) -> bool:
    return "\u3041" <= ch <= "\u30ff" or ("a" <= ch <= "z")


def _is_single_or_repeated(core: str) -> bool:
    first = core[0]
    if not _is_kana_or_latin(first) or core != first * len(core):
        return False
    return len(core) == 1 or len(core) >= 3 or first in _SOUNDS or "a" <= first <= "z"


def _is_keyboard_mash(core: str) -> bool:
    if len(core) < 4 or any(ch not in _KEY_POSITION for ch in core):
        return False
    for a, b in zip(core, core[1:]):
        (row_a, col_a), (row_b, col_b) = _KEY_POSITION[a], _KEY_POSITION[b]
        if row_a != row_b or abs(col_a - col_b) != 1:
            return False
    return True
