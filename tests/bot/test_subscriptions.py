"""「通知設定」 in LINE: consent and topic buttons; subscribing keeps the LINE user id encrypted,
unsubscribing or blocking deletes it; nothing of it is logged as a question."""
from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import func, select

import config
from notices import subscriptions
from notices.crypto import IdBox
from notices.models import Subscriber, Subscription
from bot import line_webhook as wh
from tests.bot.conftest import messages

KEY = Fernet.generate_key().decode()


@pytest.fixture
def settings(settings):
    settings.line_id_keys = KEY
    return settings


@pytest.fixture
def topics(session):
    rows = [subscriptions.save_topic(session, name) for name in ("防災", "子育て", "ごみ")]
    session.commit()
    return {t.name: t.id for t in rows}


def _menu(line_stub, event):
    [reply] = line_stub.replies_to(event["replyToken"])
    [message] = reply.messages
    return message["text"], {i["action"]["label"]: i["action"]["data"] for i in message["quickReply"]["items"]}


def _stored(session) -> list[Subscriber]:
    session.expire_all()
    return list(session.scalars(select(Subscriber)))


def test_a_resident_subscribes_and_the_id_is_kept_encrypted(deliver, line_stub, session, topics):
    ask = wh.text("通知設定")
    deliver(ask)
    text, buttons = _menu(line_stub, ask)
    assert "暗号化して保存" in text and "ブロックすると削除" in text
    assert "いまは、どの分野も受け取っていません" in text
    assert list(buttons) == ["防災を受け取る", "子育てを受け取る", "ごみを受け取る"]

    tap = wh.postback(buttons["防災を受け取る"])
    deliver(tap)
    text, buttons = _menu(line_stub, tap)
    assert "「防災」のお知らせを受け取る設定にしました" in text and "受け取り中：防災" in text
    assert "防災をやめる" in buttons and "すべて停止" in buttons
    [subscriber] = _stored(session)
    assert wh.USER_ID not in subscriber.line_user_id and wh.USER_ID not in subscriber.user  # encrypted, pseudonym
    assert IdBox([KEY]).open(subscriber.line_user_id) == wh.USER_ID
    assert subscriptions.recipients(session, IdBox([KEY]), [topics["防災"]]) == ([wh.USER_ID], 0)
    assert subscriptions.recipients(session, IdBox([KEY]), [topics["ごみ"]]) == ([], 0)
    assert messages(session) == []  # settings are not questions: nothing logged, nothing counted

    deliver(wh.postback(f"topic={topics['防災']}&on=1"))  # the same tap again: still one row
    assert session.scalar(select(func.count()).select_from(Subscription)) == 1


def test_unsubscribing_the_last_topic_deletes_the_id(deliver, line_stub, session, topics):
    deliver(wh.postback(f"topic={topics['防災']}&on=1"), wh.postback(f"topic={topics['ごみ']}&on=1"))
    assert len(_stored(session)) == 1
    stop = wh.postback(f"topic={topics['防災']}&on=0")
    deliver(stop)
    assert "「防災」のお知らせを停止しました" in _menu(line_stub, stop)[0]
    assert len(_stored(session)) == 1  # still receives ごみ
    stop_all = wh.postback("topic=all&on=0")
    deliver(stop_all)
    assert "IDは削除しました" in _menu(line_stub, stop_all)[0]
    assert _stored(session) == [] and session.scalar(select(func.count()).select_from(Subscription)) == 0


def test_blocking_the_account_deletes_the_id(deliver, session, topics):
    deliver(wh.postback(f"topic={topics['防災']}&on=1"))
    assert len(_stored(session)) == 1
    deliver(wh.unfollow())
    assert _stored(session) == []


def test_a_topic_staff_stopped_cannot_be_chosen(deliver, line_stub, session, topics):
    subscriptions.save_topic(session, "ごみ", topic_id=topics["ごみ"], active=False)
    session.commit()
    tap = wh.postback(f"topic={topics['ごみ']}&on=1")
    deliver(tap)
    text, buttons = _menu(line_stub, tap)
    assert "いまは配信していません" in text and "ごみを受け取る" not in buttons
    assert _stored(session) == []


@pytest.mark.parametrize("data", ["topic=abc&on=1", "topic=99999999999&on=1", "topic=-1&on=1", "topic=1"])
def test_odd_topic_taps_change_nothing(deliver, line_stub, session, topics, data):
    tap = wh.postback(data)
    assert deliver(tap).status_code == 200
    assert _stored(session) == [] and line_stub.replies_to(tap["replyToken"])


def test_without_a_key_the_feature_is_off_and_says_so(settings, deliver, line_stub, session, topics):
    settings.line_id_keys = ""
    for event in (wh.text("通知設定"), wh.postback(f"topic={topics['防災']}&on=1")):
        deliver(event)
        assert "お知らせの配信をまだ行っていません" in line_stub.texts(event["replyToken"])[0]
    assert _stored(session) == []


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_bad_key_stops_the_app_at_start(new_settings):
    new_settings.line_id_keys = f"{KEY},not-a-key"
    with pytest.raises(config.ConfigError, match="LINE_ID_KEYS の2番目の鍵"):
        config.check(new_settings)


def test_a_new_key_first_rotates_without_losing_anyone(session, topics):
    old, new = KEY, Fernet.generate_key().decode()
    subscriptions.subscribe(session, IdBox([old]), "p1", wh.USER_ID, topics["防災"])
    session.commit()
    both = IdBox([new, old])
    assert subscriptions.rotate(session, both) == 1
    session.commit()
    assert subscriptions.recipients(session, IdBox([new]), [topics["防災"]]) == ([wh.USER_ID], 0)
    assert subscriptions.recipients(session, IdBox([Fernet.generate_key().decode()]), [topics["防災"]]) == ([], 1)


def test_keygen_and_rotate_keys_commands(app, runner, session, topics):
    made = runner.invoke(args=["notices", "keygen"])
    assert made.exit_code == 0
    new = made.output.strip()
    subscriptions.subscribe(session, IdBox([KEY]), "p1", wh.USER_ID, topics["防災"])
    session.commit()
    app.extensions["cityfaq"].settings.line_id_keys = f"{new},{KEY}"
    rotated = runner.invoke(args=["notices", "rotate-keys"])
    assert rotated.exit_code == 0 and "1件" in rotated.output
    assert subscriptions.recipients(session, IdBox([new]), [topics["防災"]]) == ([wh.USER_ID], 0)
