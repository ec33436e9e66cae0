"""Group and room chats: the bot answers residents 1:1 only. In a group or room it says once how
to ask privately (on join, or to the first message if the join got no notice through) and never
logs what is said there as a question."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from bot.models import GroupChat, WebhookEvent
from bot import line_webhook as wh
from tests.bot.conftest import messages

CHATS = [pytest.param(wh.group, id="group"), pytest.param(wh.room, id="room")]


def notices(line_stub, *events) -> list[str]:
    return [text for event in events for text in line_stub.texts(event.get("replyToken", ""))]


def _is_notice(text: str) -> bool:
    return "友だち追加" in text and "1対1のトーク" in text


@pytest.mark.parametrize("chat", CHATS)
def test_on_join_the_bot_says_how_to_ask_privately_and_then_keeps_quiet(faq, deliver, line_stub,
                                                                         session, chat):
    joined = wh.join(source=chat())
    assert deliver(joined).status_code == 200
    [notice] = notices(line_stub, joined)
    assert _is_notice(notice)

    asked = [wh.text("住民票はどこで取れますか", source=chat()), wh.sticker(source=chat()),
             wh.text("粗大ごみの出し方", source=chat(user_id=None))]
    assert deliver(*asked).status_code == 200
    assert notices(line_stub, *asked) == []
    assert messages(session) == []  # not residents' questions: not in the log or the report
    assert sorted(session.scalars(select(WebhookEvent.type))) == ["join", "message", "message", "message"]


@pytest.mark.parametrize("chat", CHATS)
def test_a_join_without_a_notice_leaves_it_to_the_first_message(faq, deliver, line_stub, session,
                                                                 chat):
    line_stub.fail_with = 500  # LINE down when the bot joined
    deliver(wh.join(source=chat()))
    line_stub.fail_with = None
    first, second = wh.text("住民票はどこで取れますか", source=chat()), wh.text("ありがとう", source=chat())
    deliver(first)
    deliver(second)
    [notice] = notices(line_stub, first, second)
    assert _is_notice(notice)
    assert messages(session) == []


def test_a_group_joined_before_this_version_is_told_once(faq, deliver, line_stub, session):
    asked = [wh.text("住民票はどこで取れますか", source=wh.group()) for _ in range(3)]
    deliver(asked[0])
    deliver(*asked[1:])
    assert len(notices(line_stub, *asked)) == 1 and messages(session) == []


def test_each_chat_is_told_once_for_itself(faq, deliver, line_stub, session):
    other = wh.group(group_id="C" + "9" * 32)
    asked = [wh.text("住民票", source=wh.group()), wh.text("住民票", source=other),
             wh.text("住民票", source=wh.room()), wh.text("住民票", source=other)]
    deliver(*asked)
    assert [len(notices(line_stub, e)) for e in asked] == [1, 1, 1, 0]
    stored = session.scalars(select(GroupChat.chat)).all()
    assert len(stored) == 3 and not any(i in json.dumps(stored) for i in (wh.GROUP_ID, wh.ROOM_ID))


def test_invited_again_after_leaving_it_says_so_again(faq, deliver, line_stub, session):
    first, again = wh.join(source=wh.group()), wh.join(source=wh.group())
    deliver(first)
    deliver(wh.leave(source=wh.group(user_id=None)))
    deliver(again)
    assert len(notices(line_stub, first)) == len(notices(line_stub, again)) == 1


def test_a_redelivered_join_is_told_once(faq, deliver, line_stub, session):
    joined = wh.join(source=wh.room())
    deliver(joined)
    deliver(dict(joined, deliveryContext={"isRedelivery": True}))
    assert len(notices(line_stub, joined)) == 1


def test_the_same_resident_is_still_answered_one_to_one(faq, deliver, line_stub, session):
    deliver(wh.join(source=wh.group()), wh.text("住民票はどこで取れますか", source=wh.group()))
    private = wh.text("住民票はどこで取れますか")
    deliver(private)
    assert line_stub.texts(private["replyToken"])[0].startswith("住民票の写しは")
    assert [m.faq_id for m in messages(session)] == ["J01"]
