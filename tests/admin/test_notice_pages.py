"""The notice pages of the admin: topics residents choose from, notices drafted, approved, sent."""
from __future__ import annotations

from sqlalchemy import select

from audit.models import AuditEvent
from notices.models import Topic
from tests.admin.conftest import post


def _topics(session) -> list[tuple[str, bool]]:
    session.expire_all()
    return [(t.name, t.active) for t in session.scalars(select(Topic).order_by(Topic.id))]


def test_an_editor_defines_topics(editor, session):
    page = editor.get("/admin/topics").get_data(as_text=True)
    assert "LINE_ID_KEYS が設定されていない" in page  # the test settings have no key
    added = post(editor, "/admin/topics", {"name": "防災", "description": "避難情報", "active": "y"})
    assert added.status_code == 302
    assert _topics(session) == [("防災", True)]
    again = post(editor, "/admin/topics", {"name": " 防災 ", "active": "y"})
    assert again.status_code == 200 and "分野「防災」はすでにあります" in again.get_data(as_text=True)
    too_long = post(editor, "/admin/topics", {"name": "あ" * 15})
    assert too_long.status_code == 200 and "14文字までです" in too_long.get_data(as_text=True)
    topic_id = session.scalar(select(Topic.id))
    post(editor, f"/admin/topics/{topic_id}", {"name": "防災・避難", "description": ""})  # unchecked: stopped
    assert _topics(session) == [("防災・避難", False)]
    assert "防災・避難" in editor.get("/admin/topics").get_data(as_text=True)


def test_a_viewer_cannot_define_topics(viewer, session):
    assert viewer.get("/admin/topics").status_code == 403
    assert _topics(session) == []


# -- notices, end to end: LINE → admin → LINE ------------------------------------------------

import re  # noqa: E402

import pytest  # noqa: E402
from cryptography.fernet import Fernet  # noqa: E402

from notices.models import Notice, StaffLink  # noqa: E402
from bot import line_webhook as wh  # noqa: E402

SECRET = "test-channel-secret"
RESIDENT, OTHER, STAFF_PHONE = "U" + "a" * 32, "U" + "b" * 32, "U" + "c" * 32


@pytest.fixture
def reach(settings, line_stub):
    settings.line_api_base_url = line_stub.url
    settings.line_id_keys = Fernet.generate_key().decode()
    return settings


def _deliver(app, *events):
    data = wh.body(*events)
    response = app.test_client().post("/callback", data=data.encode(), headers=wh.headers(data, SECRET))
    assert response.status_code == 200
    assert app.extensions["cityfaq"].reply_sender.wait(timeout=30)


def _notice(session) -> Notice:
    session.expire_all()
    return session.scalars(select(Notice)).one()


def test_a_notice_approved_in_the_admin_reaches_subscribers_once(reach, app, editor, administrator, session,
                                                                  line_stub):
    topic_id = subscriptions_save(session, "防災")
    other_topic = subscriptions_save(session, "ごみ")
    _deliver(app, wh.postback(f"topic={topic_id}&on=1", user_id=RESIDENT),
             wh.postback(f"topic={topic_id}&on=1", user_id=OTHER),
             wh.postback(f"topic={other_topic}&on=1", user_id=OTHER))
    _deliver(app, wh.postback(f"topic={topic_id}&on=0", user_id=OTHER))  # OTHER keeps only ごみ

    form = {"title": "避難所を開設しました", "text": "市内10か所に避難所を開設しました。",
            "url": "https://city.example.jp/hinan", "topics": str(topic_id)}
    preview = post(editor, "/admin/notices/new", {**form, "action": "preview"}).get_data(as_text=True)
    assert "避難所を開設しました" in preview and "詳しく見る" in preview and session.scalar(select(Notice)) is None
    saved = post(editor, "/admin/notices/new", {**form, "action": "save"})
    assert saved.status_code == 302
    notice = _notice(session)
    assert notice.status == "draft"
    assert post(editor, f"/admin/notices/{notice.id}/approve").status_code == 403  # editors cannot approve

    line_stub.accept_then_drop = 1  # LINE takes the first call, its answer is lost: retried
    approved = post(administrator, f"/admin/notices/{notice.id}/approve")
    assert approved.status_code == 302
    assert app.extensions["cityfaq"].notice_sender.wait(timeout=60)
    notice = _notice(session)
    assert (notice.status, notice.recipients, notice.sent, notice.failed) == ("sent", 1, 1, 0)
    [card] = line_stub.delivered(RESIDENT)  # once, although the call was made twice
    assert card["contents"]["footer"]["contents"][0]["action"]["uri"] == "https://city.example.jp/hinan"
    assert line_stub.delivered(OTHER) == []
    assert [(h["action"], h["by"]) for h in notice.history][:2] == [("drafted", "editor"), ("approved", "admin")]
    trail = session.scalars(select(AuditEvent).where(AuditEvent.action.like("notice_%"))).all()
    assert [(e.action, e.actor_name, e.target) for e in trail] == [
        ("notice_draft", "editor", f"お知らせ #{notice.id}"), ("notice_approve", "admin", f"お知らせ #{notice.id}")]
    page = administrator.get(f"/admin/notices/{notice.id}").get_data(as_text=True)
    assert "配信済み" in page and "送信済み 1人" in page
    listing = administrator.get("/admin/notices").get_data(as_text=True)
    assert "今月のメッセージ数：<strong>1</strong> / 上限 1,000（残り 999）" in listing  # the retry (409) costs nothing


def test_a_test_send_goes_to_the_staff_members_own_line(reach, app, editor, session, line_stub):
    topic_id = subscriptions_save(session, "防災")
    page = post(editor, "/admin/notices/link").get_data(as_text=True)
    code = re.search(r"職員連携 (\d{8})", page).group(1)
    linking = wh.text(f"職員連携 {code}", user_id=STAFF_PHONE)
    _deliver(app, linking)
    assert "試し送信先に登録しました" in line_stub.texts(linking["replyToken"])[0]
    session.expire_all()
    [link] = session.scalars(select(StaffLink))
    assert STAFF_PHONE not in link.line_user_id and link.code_hash is None  # encrypted; the code is spent
    again = wh.text(f"職員連携 {code}", user_id=RESIDENT)
    _deliver(app, again)
    assert "コードが正しくない" in line_stub.texts(again["replyToken"])[0]

    post(editor, "/admin/notices/new", {"title": "t", "text": "本文", "topics": str(topic_id), "action": "save"})
    notice = _notice(session)
    sent = post(editor, f"/admin/notices/{notice.id}/test", follow_redirects=True).get_data(as_text=True)
    assert "あなたのLINEに試し送信しました" in sent
    [push] = line_stub.pushes
    assert push.to == STAFF_PHONE and push.retry_key and line_stub.delivered(RESIDENT) == []
    assert _notice(session).status == "draft"


def test_a_bad_notice_form_keeps_what_was_typed(reach, editor, session):
    subscriptions_save(session, "防災")
    page = post(editor, "/admin/notices/new", {"title": "件名の下書き", "text": "本文", "url": "javascript:x",
                                                "action": "save"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "件名の下書き" in text and "分野を1つ以上" in text
    assert session.scalar(select(Notice)) is None


def subscriptions_save(session, name: str) -> int:
    from notices import subscriptions
    topic = subscriptions.save_topic(session, name)
    session.commit()
    return topic.id
