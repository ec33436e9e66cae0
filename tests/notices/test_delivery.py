"""Approved notices go out by multicast in batches of 500, each with a retry key stored before
the call: a retry never sends twice, an unsubscribed resident gets nothing."""
from __future__ import annotations

import dataclasses

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select

from notices import delivery, service, subscriptions
from notices.crypto import IdBox
from notices.models import Notice, NoticeBatch

KEY = Fernet.generate_key().decode()
BOX = IdBox([KEY])


@pytest.fixture
def settings(settings, line_stub):
    return dataclasses.replace(settings, line_api_base_url=line_stub.url, line_id_keys=KEY)


@pytest.fixture
def topics(session):
    rows = [subscriptions.save_topic(session, name) for name in ("防災", "ごみ")]
    session.commit()
    return {t.name: t.id for t in rows}


@pytest.fixture
def sender(app, monkeypatch):
    monkeypatch.setattr(delivery, "BACKOFF_FIRST", 0.05)
    return delivery.NoticeSender(app.extensions["cityfaq"].sessionmaker, app.extensions["cityfaq"].settings)


def user(n: int) -> str:
    return f"U{n:032x}"


def approved(session, topic_ids, **kw) -> Notice:
    notice = service.draft_notice(session, service.Draft(
        title="避難所の開設", text="市内の避難所を開設しました。", topic_ids=topic_ids,
        url="https://city.example.jp/hinan", **kw), by="editor")
    service.approve(session, notice, by="admin")
    session.commit()
    return notice


def run(sender, session, notice_id, rounds=200) -> Notice:
    for _ in range(rounds):
        sender.run_once()
        session.expire_all()
        notice = session.get(Notice, notice_id)
        if notice.status in ("sent", "failed"):
            return notice
    raise AssertionError(f"notice still {notice.status}")


def test_only_subscribers_of_the_topic_get_it_once(session, topics, sender, line_stub):
    subscriptions.subscribe(session, BOX, "p1", user(1), topics["防災"])
    subscriptions.subscribe(session, BOX, "p1", user(1), topics["ごみ"])  # both topics: still once
    subscriptions.subscribe(session, BOX, "p2", user(2), topics["ごみ"])
    subscriptions.subscribe(session, BOX, "p3", user(3), topics["防災"])
    subscriptions.unsubscribe(session, "p3", topics["防災"])
    session.commit()
    notice = run(sender, session, approved(session, [topics["防災"]]).id)
    assert (notice.status, notice.recipients, notice.sent, notice.failed) == ("sent", 1, 1, 0)
    [card] = line_stub.delivered(user(1))
    assert card["type"] == "flex" and card["altText"].startswith("【避難所の開設】")
    assert line_stub.delivered(user(2)) == [] and line_stub.delivered(user(3)) == []
    assert [h["action"] for h in notice.history] == ["drafted", "approved", "sending", "sent"]
    [batch] = session.scalars(select(NoticeBatch))
    assert batch.recipients == "" and batch.status == "sent"  # ids not kept once sent


def test_a_lost_answer_is_retried_with_the_same_key_and_not_sent_twice(session, topics, sender, line_stub):
    subscriptions.subscribe(session, BOX, "p1", user(1), topics["防災"])
    session.commit()
    line_stub.accept_then_drop = 1  # LINE takes the multicast, the answer never arrives
    notice = run(sender, session, approved(session, [topics["防災"]]).id)
    assert (notice.status, notice.sent) == ("sent", 1)
    assert len(line_stub.delivered(user(1))) == 1 and len(line_stub.multicasts) == 1
    [batch] = session.scalars(select(NoticeBatch))
    assert batch.attempts == 1 and batch.retry_key in line_stub.retry_keys


def test_1201_subscribers_go_out_in_batches_of_500(session, topics, sender, line_stub):
    line_stub.quota = 10_000
    for n in range(1201):
        subscriptions.subscribe(session, BOX, f"p{n}", user(n), topics["防災"])
    session.commit()
    line_stub.fail_with, line_stub.fail_times = 500, 1  # the first call fails: retried
    notice = run(sender, session, approved(session, [topics["防災"]]).id)
    assert (notice.status, notice.recipients, notice.sent) == ("sent", 1201, 1201)
    assert sorted(len(m.to) for m in line_stub.multicasts) == [201, 500, 500]
    assert len({m.retry_key for m in line_stub.multicasts}) == 3
    assert sorted(u for m in line_stub.multicasts for u in m.to) == sorted(user(n) for n in range(1201))


def test_a_refused_batch_is_counted_failed(session, topics, sender, line_stub, monkeypatch):
    subscriptions.subscribe(session, BOX, "p1", user(1), topics["防災"])
    session.commit()
    line_stub.fail_with = 500  # LINE never takes it
    monkeypatch.setattr(delivery, "MAX_ATTEMPTS", 3)
    notice = run(sender, session, approved(session, [topics["防災"]]).id)
    assert (notice.status, notice.sent, notice.failed) == ("failed", 0, 1)
    assert [h["action"] for h in notice.history][-1] == "failed"


def test_a_scheduled_notice_waits_for_its_time(session, topics, sender, line_stub):
    from datetime import timedelta

    from db import utcnow
    subscriptions.subscribe(session, BOX, "p1", user(1), topics["防災"])
    session.commit()
    notice = approved(session, [topics["防災"]], send_at=utcnow() + timedelta(hours=1))
    sender.run_once()
    session.expire_all()
    assert session.get(Notice, notice.id).status == "approved" and line_stub.multicasts == []


def test_a_notice_with_no_subscriber_is_done_at_once(session, topics, sender, line_stub):
    notice = run(sender, session, approved(session, [topics["ごみ"]]).id)
    assert (notice.status, notice.recipients, notice.sent) == ("sent", 0, 0) and line_stub.multicasts == []


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("change, problem", [
    ({"title": ""}, "件名を入力"),
    ({"text": "あ" * 1001}, "本文は1000文字まで"),
    ({"url": "javascript:alert(1)"}, "リンクは http://"),
    ({"image_url": "http://city.example.jp/a.png"}, "画像のURLは https://"),
    ({"topic_ids": []}, "分野を1つ以上"),
    ({"topic_ids": [999]}, "ない分野"),
])
def test_a_bad_draft_is_refused_with_reasons(session, topics, change, problem):
    draft = dict(title="t", text="本文", topic_ids=[topics["防災"]])
    with pytest.raises(service.NoticeError, match=problem):
        service.draft_notice(session, service.Draft(**{**draft, **change}), by="editor")
