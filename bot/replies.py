"""What the bot says, as LINE message objects within the Messaging API's limits.

Limits (LINE Messaging API reference): at most 5 messages per reply, 5,000 characters per text,
13 quick-reply buttons, 20 characters per button label, 300 characters of postback data and of
display text. LINE counts characters in UTF-16 code units (an emoji may count as 2), so do we.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from linebot.v3.messaging import FlexMessage, PostbackAction, QuickReply, QuickReplyItem, TextMessage

from bot import flex
from common.line_text import line_length
from faq.live import EntryView

MAX_TEXT = 5000
MAX_LABEL = 20
MAX_DISPLAY_TEXT = 300
MAX_CANDIDATES = 5  # as retrieval.decide, which this light module does not import
MAX_RELATED = 2
ELLIPSIS = "…"

GREETING = (
    "友だち追加ありがとうございます。\n"
    "市役所によく寄せられる質問に、自動でお答えします。\n"
    "\n"
    "知りたいことを、ふだんの言葉で送ってください。\n"
    "（例）\n"
    "・住民票はどこで取れますか\n"
    "・粗大ごみの出し方を教えて\n"
    "・児童手当の手続きは？\n"
    "\n"
    "24時間いつでも使えます。くわしい内容は、回答にある窓口でご確認ください。"
)
GROUP_NOTICE = (
    "市役所によく寄せられる質問に、自動でお答えするアカウントです。\n"
    "グループやトークルームでのメッセージには、お答えしていません。\n"
    "\n"
    "質問があるときは、このアカウントを友だち追加して、1対1のトークで送ってください。\n"
    "（アイコンをタップして「追加」を選ぶと、友だちになれます）\n"
    "ほかの人に見られずに、24時間いつでもお答えします。"
)
FEEDBACK_QUESTION = "この回答は役に立ちましたか？"
RELATED_INTRO = "お探しの内容と違うときは、下のボタンの質問もご覧ください。"
CANDIDATES_INTRO = "もしかして、次のどれかですか？"
NONE_OF_THESE = "どれでもない"
UNREADABLE = (
    "ごめんなさい。ご質問の内容を読み取れませんでした。\n"
    "知りたいことを文章で送ってください。\n"
    "（例）「住民票はどこで取れますか」"
)
HELLO = (
    "こんにちは。市役所によく寄せられる質問に、自動でお答えします。\n"
    "知りたいことを、ふだんの言葉で送ってください。\n"
    "（例）「住民票はどこで取れますか」"
)
YOU_ARE_WELCOME = "こちらこそ、ありがとうございます。\nほかにも知りたいことがあれば、いつでも送ってください。"
TEXT_ONLY = (
    "ごめんなさい。このチャットボットは、文字で送られた質問にだけお答えできます。\n"
    "スタンプや画像などの内容は読み取れません。\n"
    "知りたいことを文字で送ってください。"
)
THANKS_UP = "ありがとうございます。お役に立ててうれしいです。"
THANKS_DOWN = "ご意見ありがとうございます。\nいただいた声は担当の職員が確認し、回答の改善に役立てます。\n"
NO_ANSWER = "申し訳ありません。お答えできる情報が見つかりませんでした。\n言葉を変えて、もう一度送ってみてください。\n"
URGENT = "お急ぎの場合は、こちらへお問い合わせください。\n"


def fit(text: str, limit: int) -> str:
    """The text cut to at most `limit` UTF-16 units, ending in 「…」 when cut: after the last
    sentence or line if one ends near the limit, so the reader is not left mid-word."""
    if line_length(text) <= limit:
        return text
    kept, used = [], line_length(ELLIPSIS)
    for ch in text:
        used += line_length(ch)
        if used > limit:
            break
        kept.append(ch)
    cut = "".join(kept)
    boundary = max(cut.rfind("。"), cut.rfind("\n"))
    if boundary >= len(cut) * 4 // 5:
        cut = cut[: boundary + 1]
    return cut.rstrip("\n") + ELLIPSIS


def link_line(url: str) -> str:
    """The line under an answer that names its page ("" without a URL)."""
    return f"\n\n詳しくはこちら: {url}" if url else ""


def answer(entry: EntryView, message_id: int, related: Sequence[EntryView] = ()) -> list[TextMessage]:
    """The entry's answer with its link (kept even when a long answer is cut), then 👍/👎 and
    the related entries as buttons (the question's `candidates` are [entry, *related])."""
    link = link_line(entry.url)
    body = fit(entry.answer, MAX_TEXT - line_length(link)) + link
    return [answer_card(entry.answer, entry.url, body), feedback_request(message_id, related[:MAX_RELATED])]


def answer_card(text: str, url: str, plain_text: str) -> FlexMessage | TextMessage:
    """The answer as a Flex card with a button to the city's page; its altText (old clients,
    notifications) is the plain answer with the link. An answer too long for a card is sent as
    `plain_text`, whole, as before."""
    if line_length(text) > flex.FLEX_TEXT:
        return TextMessage(text=plain_text)
    link = link_line(url)
    alt = fit(text, flex.MAX_ALT_TEXT - line_length(link)) + link
    shown = text if flex.linkable(url) else text + link  # a URL LINE cannot open stays readable
    return flex.bubble(alt, shown, url=url)


def feedback_request(message_id: int, related: Sequence[EntryView] = ()) -> TextMessage:
    items = [
        _postback("👍 役に立った", {"fb": "up", "m": message_id}),
        _postback("👎 役に立たなかった", {"fb": "down", "m": message_id}),
    ]
    items += [_postback(e.question, {"pick": index, "m": message_id}, display=e.question)
              for index, e in enumerate(related, start=1)]
    text = f"{FEEDBACK_QUESTION}\n{RELATED_INTRO}" if related else FEEDBACK_QUESTION
    return TextMessage(text=text, quick_reply=QuickReply(items=items))


def not_ready(entry: EntryView, contact: str) -> list[TextMessage]:
    """A matched entry whose answer is not written yet: say so and name who to ask, never
    another entry's text."""
    department = entry.department or "担当窓口"
    text = (
        f"「{entry.question}」についてのご案内は、ただいま準備中です。\n"
        f"お手数ですが、{department}にお問い合わせください。\n"
        f"{contact}"
    )
    return [TextMessage(text=fit(text, MAX_TEXT))]


@dataclass(frozen=True)
class Preview:
    """What a resident is first shown for an entry, built by the reply code itself (the admin's
    preview): staff see exactly the link and the cut the bot applies."""

    text: str  # the first message: its text, or a Flex card's altText (the answer with its link)
    length: int  # the answer with its link, in LINE's units; 0 for an empty answer (回答未入力)
    cut: bool  # over MAX_TEXT: the bot sends the answer cut, ending in 「…」, the link kept


def preview(entry: EntryView, contact: str) -> Preview:
    """The reply to a question this entry answers, as the preview shows it."""
    if not entry.answer.strip():
        return Preview(shown(not_ready(entry, contact)), 0, False)
    length = line_length(entry.answer + link_line(entry.url))
    return Preview(shown(answer(entry, message_id=0)), length, length > MAX_TEXT)


def shown(messages: Sequence[FlexMessage | TextMessage]) -> str:
    """The first message's text; for a Flex card its altText (what it says, with its link)."""
    first = messages[0]
    return getattr(first, "text", None) or first.alt_text


def candidates(entries: list[EntryView], message_id: int) -> list[TextMessage]:
    """「もしかして」: up to 5 entries as quick-reply buttons, plus 「どれでもない」."""
    entries = entries[:MAX_CANDIDATES]
    lines = [CANDIDATES_INTRO]
    lines += [f"{number}. {entry.question}" for number, entry in enumerate(entries, 1)]
    lines.append("下のボタンから選んでください。")
    # The button carries the candidate's position, not its id: any id fits in 300 characters.
    items = [
        _postback(entry.question, {"pick": index, "m": message_id}, display=entry.question)
        for index, entry in enumerate(entries)
    ]
    items.append(_postback(NONE_OF_THESE, {"none": 1, "m": message_id}))
    return [TextMessage(text=fit("\n".join(lines), MAX_TEXT), quick_reply=QuickReply(items=items))]


def no_answer(contact: str) -> list[TextMessage]:
    return plain(NO_ANSWER + URGENT + contact)


def thanks_down(contact: str) -> list[TextMessage]:
    return plain(THANKS_DOWN + URGENT + contact)


def plain(text: str) -> list[TextMessage]:
    return [TextMessage(text=fit(text, MAX_TEXT))]


def _postback(label: str, data: dict, display: str | None = None) -> QuickReplyItem:
    return QuickReplyItem(action=PostbackAction(
        label=fit(label, MAX_LABEL),
        data=urlencode(data),
        display_text=fit(display or label, MAX_DISPLAY_TEXT),
    ))
