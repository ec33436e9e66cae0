"""The answer as a resident will see it in LINE (built by the bot's own reply code), with a
length warning. No Flask here."""
from __future__ import annotations

from dataclasses import dataclass

from faq.entries import EASY
from faq.live import EntryView
from retrieval.language import FOREIGN, NAMES

COMFORTABLE = 400  # about two phone screens; longer answers are better split or linked


@dataclass(frozen=True)
class LinePreview:
    text: str  # the first message the bot sends
    length: int  # of the answer and link, in LINE's characters (UTF-16 units)
    warning: str = ""
    error: str = ""


def line_preview(entry: EntryView, contact: str) -> LinePreview:
    from bot import replies  # line-bot-sdk: imported by the first preview, not with the admin

    if not entry.answer.strip():
        text = replies.not_ready(entry, contact)[0].text
        return LinePreview(text, 0, warning="回答が空です。この項目は「回答未入力」として集計され、"
                                            "ボットは上のように準備中と問い合わせ先を案内します。")
    text = _shown(replies.answer(entry, message_id=0))
    length = _units(entry.answer) + (_units(entry.url) + len("\n\n詳しくはこちら: ") if entry.url else 0)
    if length > replies.MAX_TEXT:
        return LinePreview(text, length, error=f"LINE で送れる長さ（{replies.MAX_TEXT}文字）を超えているため、"
                                               "回答の途中で切れます。短くするか、詳しい内容はURL先に載せてください。")
    if length > COMFORTABLE:
        return LinePreview(text, length, warning=f"{length}文字あります。スマートフォンでは長く感じられます"
                                                 f"（目安は{COMFORTABLE}文字以内）。要点を先に書き、詳細はURL先へ。")
    return LinePreview(text, length)


@dataclass(frozen=True)
class TranslatedPreview:
    label: str  # 「English」「やさしい日本語」
    question: str  # what the resident sees as the question (the translation, else the Japanese)
    text: str


def translated_previews(entry: EntryView) -> list[TranslatedPreview]:
    """The answer as a resident asking in each language the entry has, and in やさしい日本語."""
    from bot import easy, foreign, replies

    out = [TranslatedPreview(NAMES[code], foreign.question(entry, code), _shown(foreign.answer(entry, 0, code)))
           for code in FOREIGN if entry.translated(f"answer_{code}")]
    if entry.translated(EASY) and entry.answer.strip():
        out.append(TranslatedPreview("やさしい日本語", entry.question,
                                     _shown(replies.answer(easy.for_resident(entry, True), 0))))
    return out


def _shown(messages: list) -> str:
    """The first message's text; for a Flex card its altText (what it says, with its link)."""
    first = messages[0]
    return getattr(first, "text", None) or first.alt_text


def _units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2
