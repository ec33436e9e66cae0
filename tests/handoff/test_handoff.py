"""A resident asks for a person: the conversation moves to the admin's inbox, staff reply by
push, the bot stays quiet until staff close it; outside office hours it says when staff read."""
from __future__ import annotations

import time
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from admin.accounts import create_user
from handoff.models import Conversation, ConversationMessage
from handoff.office_hours import JST
from bot import line_webhook as wh
from tests.admin.conftest import PASSWORD, login, post
from tests.bot.conftest import messages

@pytest.fixture
def staff_client(app, session):
    create_user(session, "tanaka", PASSWORD, "editor")
    session.commit()
    client = app.test_client()
    assert login(client, "tanaka").status_code == 302
    return client


@pytest.fixture
def deliver(app, client):
    def deliver(*events):
        data = wh.body(*events)
        response = client.post("/callback", data=data.encode(), headers=wh.headers(data, "test-channel-secret"))
        assert response.status_code == 200
        assert app.extensions["cityfaq"].reply_sender.wait(timeout=30)
    return deliver


def _conversations(session) -> list[Conversation]:
    session.expire_all()
    return list(session.scalars(select(Conversation)))


def test_staff_answer_from_the_admin_and_the_bot_stays_quiet_until_closed(
        faq, deliver, line_stub, session, staff_client):
    asked = wh.text("住民票はどこで取れますか")
    deliver(asked)  # a question before: staff will see it
    request = wh.text("職員と話したい")
    deliver(request)
    assert "職員におつなぎします" in line_stub.texts(request["replyToken"])[0]
    [conversation] = _conversations(session)
    assert conversation.status == "open" and wh.USER_ID not in (conversation.line_user_id or "")

    talk = wh.text("住民票の住所が古いままです。電話は090-1234-5678です")
    deliver(talk)
    assert line_stub.replies_to(talk["replyToken"]) == []  # no FAQ answer while staff have it
    assert [m.text for m in messages(session)] == ["住民票はどこで取れますか"]  # not a question

    page = staff_client.get(f"/admin/inbox/{conversation.id}").get_data(as_text=True)
    assert "住民票はどこで取れますか" in page  # the recent question, as logged
    assert "〔電話番号〕" in page and "090-1234-5678" not in page  # masked as stored
    assert "住民" in staff_client.get("/admin/inbox").get_data(as_text=True)

    sent = post(staff_client, f"/admin/inbox/{conversation.id}", {"text": "市民課の田中です。窓口で変更できます。"},
                token_page=f"/admin/inbox/{conversation.id}", follow_redirects=True)
    assert "返信しました" in sent.get_data(as_text=True)
    [push] = line_stub.pushes
    assert push.to == wh.USER_ID and push.messages == [{"type": "text", "text": "市民課の田中です。窓口で変更できます。"}]
    assert push.retry_key

    closed = post(staff_client, f"/admin/inbox/{conversation.id}/close", token_page="/admin/inbox")
    assert closed.status_code == 302
    [conversation] = _conversations(session)
    assert (conversation.status, conversation.line_user_id, conversation.closed_by) == ("closed", None, "tanaka")
    again = wh.text("住民票はどこで取れますか")
    deliver(again)
    assert line_stub.replies_to(again["replyToken"])[0].messages[0]["type"] == "flex"  # the bot answers again


def test_outside_office_hours_the_bot_says_when_staff_will_read(settings, faq, deliver, line_stub, session):
    today = datetime.now(JST).date()
    settings.office_hours = "月-日 08:30-17:15"
    settings.office_holidays = ",".join(str(today + timedelta(days=d)) for d in range(2))  # closed today and tomorrow
    request = wh.text("職員と話したい")
    deliver(request)
    day_after = today + timedelta(days=2)
    reply = line_stub.texts(request["replyToken"])[0]
    assert "受付時間外" in reply and f"{day_after.month}月{day_after.day}日" in reply and "8:30以降" in reply
    talk = wh.text("ごみの収集日を知りたい")
    deliver(talk)
    assert "受付時間外" in line_stub.texts(talk["replyToken"])[0]
    session.expire_all()
    assert [m.text for m in session.scalars(select(ConversationMessage))] == ["ごみの収集日を知りたい"]


def test_a_button_after_thumbs_down_and_no_answer_asks_for_a_person(settings, faq, deliver, line_stub, session):
    settings.answer_threshold, settings.candidate_threshold = 1.01, 1.01  # nothing is sure: no answer
    question = wh.text("宇宙旅行の補助金はありますか")
    deliver(question)
    [message] = line_stub.replies_to(question["replyToken"])[0].messages
    [button] = [i["action"] for i in message["quickReply"]["items"]]
    assert button["label"] == "職員と話したい"
    tap = wh.postback(button["data"])
    deliver(tap)
    assert "職員におつなぎします" in line_stub.texts(tap["replyToken"])[0]
    assert len(_conversations(session)) == 1
    deliver(wh.postback(button["data"]))  # asked twice: still one conversation
    assert len(_conversations(session)) == 1


def test_blocking_closes_the_conversation_and_deletes_the_id(settings, deliver, session):
    deliver(wh.text("職員と話したい"))
    deliver(wh.unfollow())
    [conversation] = _conversations(session)
    assert (conversation.status, conversation.line_user_id, conversation.open_user) == ("closed", None, None)


def test_without_a_key_a_person_cannot_be_asked_for(settings, deliver, line_stub, session):
    settings.line_id_keys = ""
    request = wh.text("職員と話したい")
    deliver(request)
    assert "受け付けていません" in line_stub.texts(request["replyToken"])[0]
    assert _conversations(session) == []


def test_a_reply_whose_answer_was_lost_is_sent_again_once(settings, deliver, line_stub, session, staff_client, app):
    deliver(wh.text("職員と話したい"))
    [conversation] = _conversations(session)
    line_stub.accept_then_drop = 1  # LINE takes the push, its answer never arrives
    page = post(staff_client, f"/admin/inbox/{conversation.id}", {"text": "お待たせしました。"},
                token_page=f"/admin/inbox/{conversation.id}", follow_redirects=True).get_data(as_text=True)
    assert "自動で送り直します" in page
    session.expire_all()
    [reply] = session.scalars(select(ConversationMessage).where(ConversationMessage.sender == "staff"))
    assert (reply.status, reply.attempts) == ("sending", 1)
    session.execute(ConversationMessage.__table__.update().values(next_attempt_at=reply.created_at))
    session.commit()
    app.extensions["cityfaq"].notice_sender.wake()  # the same key again: LINE says 409, taken before
    deadline = time.monotonic() + 30
    while session.get(ConversationMessage, reply.id).status == "sending" and time.monotonic() < deadline:
        time.sleep(0.1)
        session.expire_all()
    assert session.get(ConversationMessage, reply.id).status == "sent"
    assert len(line_stub.delivered(wh.USER_ID)) == 1


def test_a_reply_to_a_closed_conversation_is_refused(settings, deliver, session, staff_client):
    deliver(wh.text("職員と話したい"))
    [conversation] = _conversations(session)
    post(staff_client, f"/admin/inbox/{conversation.id}/close", token_page="/admin/inbox")
    page = post(staff_client, f"/admin/inbox/{conversation.id}", {"text": "遅れてすみません"},
                token_page="/admin/inbox", follow_redirects=True).get_data(as_text=True)
    assert "この会話は終了しています" in page
