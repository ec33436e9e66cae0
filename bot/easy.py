"""やさしい日本語 for a resident who asked for it (faq/easy_japanese.py): the remembered choice,
the button under an answer that has it, and what the bot says. Kept apart from replies.py."""
from __future__ import annotations

import dataclasses

from linebot.v3.messaging import TextMessage
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot import replies
from bot.models import ResidentPreference
from faq.entries import EASY
from faq.live import EntryView

BUTTON = "やさしい にほんご"
TURNED_ON = ("わかりました。これから、やさしい にほんご で こたえます。\n"
             "（やさしい にほんご の こたえが ない ときは、ふつうの にほんご で こたえます）\n"
             "やめる ときは「ふつうの にほんご」と おくって ください。")
TURNED_OFF = "わかりました。これから、ふつうの 日本語で お答えします。"
NOT_YET = "ごめんなさい。この しつもん には、まだ やさしい にほんご の こたえが ありません。"


def wants_easy(session: Session, user: str) -> bool:
    return bool(session.scalar(select(ResidentPreference.easy_japanese).where(ResidentPreference.user == user)))


def remember(session: Session, user: str, easy: bool) -> None:
    """Keep the resident's choice (uncommitted: it commits with the question's log row)."""
    preference = session.scalar(select(ResidentPreference).where(ResidentPreference.user == user))
    if preference is None:
        session.add(preference := ResidentPreference(user=user))
        try:
            with session.begin_nested():
                session.flush()
        except IntegrityError:  # the same resident's other message, in another worker, just made it
            preference = session.scalar(select(ResidentPreference).where(ResidentPreference.user == user))
    preference.easy_japanese = easy


def has_easy(entry: EntryView) -> bool:
    return bool(entry.translated(EASY))


def for_resident(entry: EntryView, easy: bool) -> EntryView:
    """The entry with its やさしい日本語 answer in place of the answer, when the resident wants it."""
    return dataclasses.replace(entry, answer=entry.translated(EASY)) if easy and has_easy(entry) else entry


def with_button(messages: list[TextMessage], entry: EntryView, message_id: int) -> list[TextMessage]:
    """The answer's quick reply, plus 「やさしい にほんご」 when the entry has it."""
    last = messages[-1]
    if has_easy(entry) and last.quick_reply is not None:
        last.quick_reply.items.append(replies._postback(BUTTON, {"easy": 1, "m": message_id}))
    return messages
