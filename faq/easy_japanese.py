"""やさしい日本語: a resident's request for it, and a checker for staff drafts. No Flask here.

The checker marks a draft against the rules of 「在留支援のためのやさしい日本語ガイドライン」
(出入国在留管理庁・文化庁, 2020): short sentences, one idea per sentence, no double negatives, no
尊敬語/謙譲語, few kanji, katakana loanwords explained, numbers and dates written plainly. Each mark
says what to change; the rules are heuristics for a person to judge, not a gate. It can also make
a first draft from the Japanese answer, with Sudachi's readings for the kanji words, for staff to
rewrite.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# A sentence longer than this is hard to follow (the guideline: about 24 characters and one idea).
MAX_SENTENCE_CHARS = 30
MAX_KANJI_SHARE = 0.3
_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]?")
# Polite forms the guideline asks to replace with です/ます.
_HONORIFICS = ("いらっしゃ", "おっしゃ", "召し上が", "ご覧", "くださいませ", "いたします", "致します", "申し上げ",
               "申します", "参ります", "伺", "拝見", "存じ", "頂", "いただ", "ございま", "なさ", "お越し", "ご了承",
               "ご利用ください", "ご確認ください")
_DOUBLE_NEGATIVES = ("ないわけではない", "ないわけではありません", "なくはない", "なくもない",
                     "ないことはない", "ないことはありません", "ないではない", "なければならない", "なければなりません",
                     "ざるを得ない", "ざるをえない")
# Dates and numbers the guideline asks to write plainly: 和暦, kanji numerals, ranges with ～.
_PLAIN_NUMBERS = (
    (re.compile(r"(令和|平成|昭和)\s*\d+"), "和暦は西暦で（例: 2026年）"),
    (re.compile(r"[〇一二三四五六七八九十百千]+(円|人|日|月|年|時|分|歳|回|件|枚|個)"), "数字は算用数字で（例: 3日）"),
    (re.compile(r"\d+\s*[～〜~]\s*\d+"), "「～」は「から」「まで」で（例: 9時から17時まで）"),
)
_KATAKANA_WORD = re.compile(r"[ァ-ヺー]{3,}")
_REQUEST_ON = ("やさしいにほんご", "やさしい日本語", "やさしいにほんごで", "簡単な日本語", "かんたんなにほんご",
               "easyjapanese", "yasashiinihongo")
_REQUEST_OFF = ("ふつうのにほんご", "普通の日本語", "やさしいにほんごをやめる", "やさしい日本語をやめる",
                "やさしいにほんごやめる", "やさしい日本語やめる")


@dataclass(frozen=True)
class Mark:
    sentence: str  # the sentence marked ("" for the whole text)
    rule: str  # which rule, in Japanese
    advice: str  # what to change, in Japanese


def request(text: str) -> bool | None:
    """True: the resident asks for やさしい日本語; False: asks to stop; None: neither (a question)."""
    core = "".join(ch for ch in unicodedata.normalize("NFKC", text).lower() if ch.isalnum())
    for suffix in ("でおねがいします", "でお願いします", "でおねがい", "でお願い", "でください", "にして", "で"):
        if core.endswith(suffix):
            core = core.removesuffix(suffix)
            break
    if core in _REQUEST_OFF or core.replace("で", "") in _REQUEST_OFF:
        return False
    if core in _REQUEST_ON:
        return True
    return None


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.findall(text) if s.strip()]


def _kanji_share(text: str) -> float:
    letters = [ch for ch in text if unicodedata.category(ch)[0] in "LN"]
    return sum("\u4e00" <= ch <= "\u9fff" for ch in letters) / len(letters) if letters else 0.0


def check(text: str) -> list[Mark]:
    """What in a draft goes against the guideline, sentence by sentence."""
    marks: list[Mark] = []
    seen_loanwords: set[str] = set()
    for sentence in sentences(text):
        length = len("".join(sentence.split()))  # the spaces of 分かち書き are not length
        if length > MAX_SENTENCE_CHARS:
            marks.append(Mark(sentence, "文の長さ", f"{length}文字です。{MAX_SENTENCE_CHARS}文字くらいまでに分けてください。"))
        if sentence.count("、") >= 2 or re.search(r"(ので|けれど|が、|て、.*て、)", sentence):
            marks.append(Mark(sentence, "1文に1つのこと", "いくつものことが1文に入っています。文を分けてください。"))
        if any(word in sentence for word in _DOUBLE_NEGATIVES):
            marks.append(Mark(sentence, "二重否定", "「〜ないわけではない」などは、肯定の文にしてください（例: 〜してください）。"))
        if found := [word for word in _HONORIFICS if word in sentence]:
            marks.append(Mark(sentence, "尊敬語・謙譲語", f"「{found[0]}」などの敬語を「です・ます」にしてください。"))
        for pattern, advice in _PLAIN_NUMBERS:
            if pattern.search(sentence):
                marks.append(Mark(sentence, "数字・日付", advice))
        if loanwords := [w for w in _KATAKANA_WORD.findall(sentence) if w not in seen_loanwords]:
            seen_loanwords.update(loanwords)  # each word once: staff explain it once
            marks.append(Mark(sentence, "カタカナ語", f"「{loanwords[0]}」は、わかりやすい言葉にするか説明を添えてください。"))
    share = _kanji_share(text)
    if share > MAX_KANJI_SHARE:
        marks.append(Mark("", "漢字の割合", f"漢字が{share:.0%}です。{MAX_KANJI_SHARE:.0%}くらいまでにし、ふりがなを付けてください。"))
    return marks


def draft(text: str) -> str:
    """A first draft: each sentence on its own line, kanji words in hiragana (Sudachi's readings),
    words separated by spaces (分かち書き). Staff rewrite it; it is not a translation."""
    from sudachipy import SplitMode

    from retrieval.tokenize import hiragana, morphemes  # Sudachi, as the search reads Japanese

    lines = []
    for sentence in sentences(text):
        words = []
        for morpheme in morphemes(sentence, SplitMode.C):
            surface = morpheme.surface()
            if any("\u4e00" <= ch <= "\u9fff" for ch in surface):
                surface = hiragana(morpheme.reading_form())
            pos = morpheme.part_of_speech()[0]
            if words and pos in ("助詞", "助動詞", "補助記号", "接尾辞"):
                words[-1] += surface
            else:
                words.append(surface)
        lines.append(" ".join(words))
    return "\n".join(lines)
