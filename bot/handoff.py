"""「職員と話したい」 in LINE (no Flask here; bot/events.py calls it): what the bot says when a
resident asks for a person, and the button offered after 👎 and after a no-answer."""
from __future__ import annotations

import unicodedata
from datetime import datetime

from linebot.v3.messaging import PostbackAction, QuickReply, QuickReplyItem, TextMessage

from handoff.office_hours import OfficeHours, spoken

COMMANDS = {"職員と話したい", "職員と話す", "担当者と話したい", "人と話したい", "有人対応"}
BUTTON_LABEL = "職員と話したい"
POSTBACK = "handoff=1"

OPENED = (
    "職員におつなぎします。\n"
    "このままメッセージを送ってください。職員が順番に返信します。\n"
    "（その間、自動の回答はお休みします。職員がやりとりを終えると、また自動でお答えします）"
)
ALREADY = "職員とのやりとりを続けています。このままメッセージを送ってください。"
OFF = "ごめんなさい。このアカウントでは、職員とのやりとりを受け付けていません。\nお問い合わせはこちらへ。\n"


def is_command(text: str) -> bool:
    return unicodedata.normalize("NFKC", text).strip().replace(" ", "") in COMMANDS


def out_of_hours(hours: OfficeHours, now: datetime) -> str:
    return (f"ただいま受付時間外です。\nいただいたメッセージは保存し、{spoken(hours.next_open(now))}以降に"
            "職員が読んで返信します。\n（その間、自動の回答はお休みします）")


def opened(hours: OfficeHours, now: datetime) -> str:
    return OPENED if hours.is_open(now) else out_of_hours(hours, now)


def with_button(messages: list) -> list:
    """Offer 「職員と話したい」 under the last message (added to its quick replies, if it has room)."""
    last = messages[-1]
    if not isinstance(last, TextMessage):
        return messages
    items = list(last.quick_reply.items) if last.quick_reply else []
    if len(items) < 13:
        items.append(QuickReplyItem(action=PostbackAction(label=BUTTON_LABEL, data=POSTBACK,
                                                          display_text=BUTTON_LABEL)))
        last.quick_reply = QuickReply(items=items)
    return messages
