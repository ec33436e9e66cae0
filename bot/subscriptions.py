"""「通知設定」 in LINE: the consent text, the resident's topics as quick-reply buttons, and the
taps that subscribe or unsubscribe (no Flask here; bot/events.py calls it).

These are settings, not questions to the city: nothing here is logged as a question or counted
in the council report.
"""
from __future__ import annotations

import unicodedata
from urllib.parse import urlencode

from linebot.v3.messaging import PostbackAction, QuickReply, QuickReplyItem, TextMessage
from sqlalchemy.orm import Session

from bot.replies import MAX_TEXT, fit
from notices import subscriptions
from notices.crypto import IdBox
from notices.models import Topic

COMMANDS = {"通知設定", "通知の設定", "お知らせ設定", "お知らせの設定", "配信設定"}
MAX_BUTTONS = 13  # LINE's quick-reply limit

CONSENT = (
    "市からのお知らせを、選んだ分野だけLINEでお届けします。\n"
    "お届けするために、あなたのLINEのユーザーIDを暗号化して保存します。"
    "お知らせの配信にだけ使い、すべての分野を停止するか、このアカウントをブロックすると削除します。"
    "ご質問の記録とは結びつけません。"
)
OFF = (
    "ごめんなさい。このアカウントでは、お知らせの配信をまだ行っていません。\n"
    "始まりましたら、ご案内します。"
)
NO_TOPICS = "いまは、受け取れるお知らせの分野がありません。"
CHOOSE = "下のボタンで、分野ごとに「受け取る」「やめる」を選べます。"
STOP_ALL = "すべて停止"
STAFF_LINKED = "このLINEを、管理画面の試し送信先に登録しました。"
STAFF_NOT_LINKED = "コードが正しくないか、有効期限（10分）が過ぎています。管理画面でコードを出し直してください。"


def is_command(text: str) -> bool:
    return unicodedata.normalize("NFKC", text).strip().replace(" ", "") in COMMANDS


def menu(session: Session, user: str, headline: str = CONSENT) -> list[TextMessage]:
    """The headline, what the resident receives now, and one button per topic."""
    topics = subscriptions.active_topics(session)
    if not topics:
        return [TextMessage(text=f"{headline}\n\n{NO_TOPICS}")]
    mine = subscriptions.subscribed(session, user)
    names = [t.name for t in topics if t.id in mine]
    state = f"受け取り中：{'、'.join(names)}" if names else "いまは、どの分野も受け取っていません。"
    buttons = [_button(t, t.id not in mine) for t in topics[:MAX_BUTTONS - 1]]
    if names:
        buttons.append(_item(STOP_ALL, {"topic": "all", "on": 0}))
    text = fit(f"{headline}\n\n{state}\n{CHOOSE}", MAX_TEXT)
    return [TextMessage(text=text, quick_reply=QuickReply(items=buttons))]


def on_tap(session: Session, box: IdBox, user: str, line_user_id: str, data: dict) -> list[TextMessage]:
    """A topic button: subscribe (on=1) or unsubscribe (on=0, topic=all for every topic)."""
    topic, on = data.get("topic", ""), data.get("on") == "1"
    if topic == "all":
        subscriptions.unsubscribe(session, user)
        return menu(session, user, "すべてのお知らせを停止しました。保存していたLINEのユーザーIDは削除しました。")
    topic_id = int(topic) if topic.isascii() and topic.isdigit() and len(topic) < 10 else None
    row = session.get(Topic, topic_id) if topic_id else None
    if row is None or not row.active:
        return menu(session, user, "その分野のお知らせは、いまは配信していません。")
    if on:
        subscriptions.subscribe(session, box, user, line_user_id, row.id)
        return menu(session, user, f"「{row.name}」のお知らせを受け取る設定にしました。")
    subscriptions.unsubscribe(session, user, row.id)
    left = subscriptions.subscribed(session, user)
    note = "" if left else "保存していたLINEのユーザーIDは削除しました。"
    return menu(session, user, f"「{row.name}」のお知らせを停止しました。{note}")


def _button(topic: Topic, subscribe: bool) -> QuickReplyItem:
    label = f"{topic.name}を受け取る" if subscribe else f"{topic.name}をやめる"
    return _item(label, {"topic": topic.id, "on": int(subscribe)})


def _item(label: str, data: dict) -> QuickReplyItem:
    label = fit(label, 20)
    return QuickReplyItem(action=PostbackAction(label=label, data=urlencode(data), display_text=label))
