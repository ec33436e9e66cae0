"""Which language a resident's message is written in, offline (no Flask, no network).

The writing system decides most messages by itself, and decides them surely: kana is Japanese (so
「LINEでマイナンバーの手続き」 stays Japanese), hangul Korean, Devanagari Nepali (the Devanagari
language of Japan's foreign residents). Kanji without kana is Japanese unless a character is one
Japanese does not use (a simplified one such as 办 or 垃, outside Shift_JIS): then it is Chinese, so
「児童手当」 stays Japanese and 「垃圾分类」 is Chinese. Latin letters count a third of a kanji each (a
kanji is a word, a Latin letter is not) and kana three kanji (a particle such as の is
written only by someone writing Japanese), so 「PayPayで税金払える？」 and 「my number card の申請」 stay
Japanese while "Where can I get 住民票?" is English. Latin-script messages are told apart by py3langid (a kept fork
of langid.py with its model in the wheel), restricted to the languages residents write in Latin
letters; measured on short chat messages in bench/language_detection.py (README).
"""
from __future__ import annotations

import unicodedata
from functools import lru_cache

JAPANESE = "ja"
# The languages the bot speaks besides Japanese, in the order staff see them.
FOREIGN = ("en", "zh", "ko", "vi", "pt", "tl", "ne", "id")
LANGUAGES = (JAPANESE, *FOREIGN)
NAMES = {"ja": "日本語", "en": "English", "zh": "中文", "ko": "한국어", "vi": "Tiếng Việt",
         "pt": "Português", "tl": "Filipino", "ne": "नेपाली", "id": "Bahasa Indonesia"}
_LATIN = ("en", "vi", "pt", "tl", "id")
_WEIGHTS = {"latin": 1 / 3, "kana": 3.0}


def _script(ch: str) -> str | None:
    code = ord(ch)
    if 0x3040 <= code <= 0x30FF or 0xFF66 <= code <= 0xFF9F or code == 0x31F0:
        return "kana"
    if 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0xF900 <= code <= 0xFAFF or ch == "々":
        return "han"
    if 0xAC00 <= code <= 0xD7AF or 0x1100 <= code <= 0x11FF or 0x3130 <= code <= 0x318F:
        return "hangul"
    if 0x0900 <= code <= 0x097F:
        return "devanagari"
    if unicodedata.category(ch).startswith("L") and unicodedata.name(ch, "").startswith("LATIN"):
        return "latin"
    return None


def _japanese_kanji(ch: str) -> bool:
    try:
        ch.encode("cp932")
        return True
    except UnicodeEncodeError:
        return False


@lru_cache(maxsize=1)
def _latin_identifier():
    # Imported and loaded once per process, on first use (about 100 MB: README).
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(_LATIN))
    return identifier


def preload() -> None:
    """Load the Latin-script model now (a worker at start), not in a resident's first question."""
    _latin_identifier()


def detect(text: str) -> str:
    """The message's language code, one of LANGUAGES; Japanese when nothing says otherwise
    (an empty message, digits only, emoji)."""
    text = unicodedata.normalize("NFKC", text)
    counts: dict[str, float] = {}
    for ch in text:
        script = _script(ch)
        if script is not None:
            counts[script] = counts.get(script, 0.0) + _WEIGHTS.get(script, 1.0)
    cjk = counts.get("kana", 0.0) + counts.get("han", 0.0)
    scores = {"cjk": cjk, **{k: v for k, v in counts.items() if k not in ("kana", "han")}}
    if not any(scores.values()):
        return JAPANESE
    script = max(scores, key=lambda k: scores[k])
    if script == "cjk":
        if counts.get("kana") or all(_japanese_kanji(ch) for ch in text if _script(ch) == "han"):
            return JAPANESE
        return "zh"
    if script == "hangul":
        return "ko"
    if script == "devanagari":
        return "ne"
    return _latin_identifier().classify(text)[0]
