"""Replies off the request path: the webhook answers at once, the sender retries while the
reply token lives, picks up what a dead worker left, and never sends a reply twice; LINE's
stand-in in its fault modes (down, slow, 500, 429, 400)."""
from __future__ import annotations

import threading
import time
from datetime import timedelta

from sqlalchemy import select, update

from bot.models import PendingReply
from bot.sender import POLL_SECONDS, ReplySender
from db import utcnow
from bot import line_webhook as wh
from tests.bot.conftest import SECRET, messages


def post(client, *events) -> int:
    """POST without waiting for the sender (the deliver fixture waits)."""
    data = wh.body(*events)
    return client.post("/callback", data=data.encode(), headers=wh.headers(data, SECRET)).status_code


def sender_of(app) -> ReplySender:
    return app.extensions["cityfaq"].reply_sender


def test_the_webhook_answers_200_before_line_is_reached(app, client, faq, line_stub, session):
    release = threading.Event()
    line_stub.on_reply = lambda _reply: release.wait(10)  # LINE holds the reply until released
    event = wh.text("住民票はどこで取れますか")
    assert post(client, event) == 200  # answered while LINE still has the reply
    [row] = messages(session)
    assert (row.outcome, row.reply_status) == ("answered", None) and line_stub.replies == []
    release.set()
    assert sender_of(app).wait()
    assert len(line_stub.replies_to(event["replyToken"])) == 1
    assert messages(session)[0].reply_status == "sent"


def test_line_down_then_up_gets_the_reply_out_once(faq, deliver, line_stub, session):
    line_stub.down = True
    threading.Timer(0.8, lambda: setattr(line_stub, "down", False)).start()
    event = wh.text("住民票はどこで取れますか")
    deliver(event)
    assert len(line_stub.replies_to(event["replyToken"])) == 1
    assert (messages(session)[0].reply_status, messages(session)[0].reply_count) == ("sent", 1)


def test_500s_are_retried_with_growing_waits(faq, deliver, line_stub, session):
    line_stub.fail_with, line_stub.fail_times = 500, 3
    tried = []
    line_stub.on_reply = lambda _reply: tried.append(time.monotonic())
    event = wh.text("住民票はどこで取れますか")
    deliver(event)
    assert len(tried) == 4 and len(line_stub.replies_to(event["replyToken"])) == 1
    waits = [b - a for a, b in zip(tried, tried[1:])]
    assert waits[0] >= 0.2 and waits[1] >= 0.45 and waits[2] >= 0.95  # 0.25, 0.5, 1 s
    assert messages(session)[0].reply_status == "sent"


def test_429_waits_as_long_as_line_asks(faq, deliver, line_stub, session):
    line_stub.fail_with, line_stub.fail_times, line_stub.retry_after = 429, 1, 1
    tried = []
    line_stub.on_reply = lambda _reply: tried.append(time.monotonic())
    event = wh.text("住民票はどこで取れますか")
    deliver(event)
    assert len(tried) == 2 and tried[1] - tried[0] >= 0.95
    assert len(line_stub.replies_to(event["replyToken"])) == 1


def test_a_slow_line_is_waited_for_once(faq, deliver, line_stub, session):
    line_stub.delay = 1.0
    event = wh.text("住民票はどこで取れますか")
    deliver(event)
    assert line_stub.attempts == 1 and len(line_stub.replies_to(event["replyToken"])) == 1


def test_a_refusal_is_not_retried_and_is_noted(faq, deliver, line_stub, session):
    line_stub.fail_with = 400
    deliver(wh.text("住民票はどこで取れますか"))
    assert line_stub.attempts == 1
    [row] = messages(session)
    assert row.reply_status == "failed" and "LINE API 400" in row.reply_error


def test_a_reply_that_outlives_its_token_is_given_up_with_the_reason(faq, settings, deliver,
                                                                     line_stub, session):
    line_stub.fail_with = 503
    started = time.monotonic()
    deliver(wh.text("住民票はどこで取れますか"))
    assert time.monotonic() - started < settings.reply_token_seconds + 5  # slack for a loaded machine
    [row] = messages(session)
    assert row.reply_status == "failed"
    assert "LINE API 503" in row.reply_error and "reply token expires" in row.reply_error
    assert line_stub.replies == [] and line_stub.attempts >= 3


def send_with_another_sender(app, settings) -> None:
    """Start a second sender (another worker's), let it send what is due, stop it."""
    other = ReplySender(app.extensions["cityfaq"].sessionmaker, settings)
    other.start()
    try:
        assert other.wait()
    finally:
        other.stop()


def test_a_reply_left_by_a_dead_worker_is_sent_by_the_restarted_one(app, settings, client, faq,
                                                                     line_stub, session):
    sender_of(app).stop()  # the worker dies after committing the reply, before sending it
    event = wh.text("住民票はどこで取れますか")
    assert post(client, event) == 200
    time.sleep(0.3)
    assert line_stub.replies == [] and session.scalar(select(PendingReply.reply_token)) == event["replyToken"]

    send_with_another_sender(app, settings)  # the restarted worker's
    assert len(line_stub.replies_to(event["replyToken"])) == 1
    assert messages(session)[0].reply_status == "sent"


def test_a_lease_held_by_a_dead_sender_is_waited_out(app, settings, client, faq, line_stub, session):
    sender_of(app).stop()
    event = wh.text("住民票はどこで取れますか")
    post(client, event)
    held_until = utcnow() + timedelta(seconds=1)  # a sender died mid-send, holding the row
    session.execute(update(PendingReply).values(lease_until=held_until))
    session.commit()
    send_with_another_sender(app, settings)
    assert len(line_stub.replies_to(event["replyToken"])) == 1 and utcnow() >= held_until


def test_two_workers_senders_send_each_reply_once(app, settings, client, faq, line_stub, session):
    sender_of(app).stop()
    events = [wh.text(text) for text in ("住民票はどこで取れますか", "ソファを捨てたい", "住民税の払い方")
              for _ in range(4)]
    for event in events:
        assert post(client, event) == 200
    workers = [ReplySender(app.extensions["cityfaq"].sessionmaker, settings) for _ in range(2)]
    for worker in workers:
        worker.start()
    try:
        assert workers[0].wait()
    finally:
        for worker in workers:
            worker.stop()
    assert sorted(r.reply_token for r in line_stub.replies) == sorted(e["replyToken"] for e in events)
    assert line_stub.attempts == len(events)
    assert [m.reply_status for m in messages(session)] == ["sent"] * len(events)


def test_a_reply_another_sender_is_sending_is_not_polled_for_in_a_loop(app, settings, client, faq, line_stub,
                                                                         session):
    """While the other worker's sender holds a row (sending it), this sender has nothing due: it
    waits for its next poll or a wake instead of querying again at once."""
    sender_of(app).stop()
    post(client, wh.text("住民票はどこで取れますか"))
    session.execute(update(PendingReply).values(lease_until=utcnow() + timedelta(seconds=20)))
    session.commit()
    other = ReplySender(app.extensions["cityfaq"].sessionmaker, settings)
    assert other.send_due() >= 0.9 * POLL_SECONDS
    assert line_stub.replies == []


def test_a_retry_due_soon_is_waited_for_exactly(app, settings, client, faq, line_stub, session):
    sender_of(app).stop()
    post(client, wh.text("住民票はどこで取れますか"))
    session.execute(update(PendingReply).values(next_attempt_at=utcnow() + timedelta(seconds=0.5)))
    session.commit()
    wait = ReplySender(app.extensions["cityfaq"].sessionmaker, settings).send_due()
    assert 0.2 < wait <= 0.5
