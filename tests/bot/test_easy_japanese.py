"""やさしい日本語 for residents who ask for it, remembered by pseudonym (SQLite and PostgreSQL)."""
from __future__ import annotations

from urllib.parse import parse_qs

import pytest
from sqlalchemy import select

from bot import easy
from bot.models import ResidentPreference
from faq import services
from bot import line_webhook as wh
from tests.bot.conftest import messages

EASY_ANSWER = "じゅうみんひょう は、しやくしょ の しみんか で とれます。"


@pytest.fixture
def easy_faq(faq, session):
    entry = services.get_entry(session, "J01")
    entry.translations = {"answer_easy": EASY_ANSWER}
    services.bump_version(session)
    session.commit()


def quick_reply(reply) -> list[dict]:
    items = reply.messages[-1]["quickReply"]["items"]
    return [{"label": i["action"]["label"], **{k: v[0] for k, v in parse_qs(i["action"]["data"]).items()}}
            for i in items]


def test_asking_for_easy_japanese_is_remembered_until_turned_off(easy_faq, deliver, line_stub, session):
    before = wh.text("住民票はどこで取れますか？")
    deliver(before)
    assert line_stub.texts(before["replyToken"])[0].startswith("住民票の写しは")

    ask = wh.text("やさしい にほんご で")
    deliver(ask)
    assert line_stub.texts(ask["replyToken"]) == [easy.TURNED_ON]
    after = wh.text("住民票はどこで取れますか？")
    deliver(after)
    assert line_stub.texts(after["replyToken"])[0].startswith(EASY_ANSWER)

    stop = wh.text("ふつうの にほんご")
    deliver(stop)
    again = wh.text("住民票はどこで取れますか？")
    deliver(again)
    assert line_stub.texts(again["replyToken"])[0].startswith("住民票の写しは")
    assert [m.outcome for m in messages(session)] == ["answered", "excluded", "answered", "excluded", "answered"]
    [preference] = session.scalars(select(ResidentPreference))
    assert preference.easy_japanese is False and preference.user == messages(session)[0].user


def test_the_button_under_an_answer_turns_it_on(easy_faq, deliver, line_stub, session):
    question = wh.text("住民票はどこで取れますか？")
    deliver(question)
    [reply] = line_stub.replies_to(question["replyToken"])
    [button] = [b for b in quick_reply(reply) if b["label"] == easy.BUTTON]
    tap = wh.postback(f"easy=1&m={button['m']}")
    deliver(tap)
    assert line_stub.texts(tap["replyToken"])[0].startswith(EASY_ANSWER)
    assert session.scalar(select(ResidentPreference.easy_japanese)) is True
    assert len(messages(session)) == 1  # a tap is not a question


def test_no_button_under_an_answer_without_easy_japanese(faq, deliver, line_stub):
    question = wh.text("ソファを捨てたい")
    deliver(question)
    [reply] = line_stub.replies_to(question["replyToken"])
    assert easy.BUTTON not in [b["label"] for b in quick_reply(reply)]
