"""Signed webhooks with hostile or broken contents: never a 5xx, and one bad event never costs the
others of its batch (each of these gave a 500 before, and LINE redelivers a failed batch whole)."""
from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from bot import events as bot_events
from bot.models import WebhookEvent
from bot import line_webhook as wh
from tests.bot.conftest import event_count, messages


def raw_body(*events: dict) -> str:
    """A body that need not conform to webhook.yml, JSON-escaped like LINE's (lone surrogates
    travel as \\ud800)."""
    return json.dumps({"destination": wh.DESTINATION, "events": list(events)})


def _near_now(at: datetime) -> bool:
    return abs(datetime.now(timezone.utc) - at) < timedelta(minutes=1)


# -- each event on its own -------------------------------------------------------------------------

def test_a_failing_event_is_rolled_back_alone_and_logged(faq, deliver, line_stub, session,
                                                         monkeypatch, caplog):
    """The middle event fails after its claim: the others are answered, its claim is rolled back
    (so a redelivery handles it) and the failure is in the log."""
    record = bot_events.record_question

    def fail_on_sofa(session, **fields):
        if "ソファ" in fields["text"]:
            raise RuntimeError("disk full")
        return record(session, **fields)
    monkeypatch.setattr(bot_events, "record_question", fail_on_sofa)
    first, bad, third = wh.text("住民票はどこで取れますか"), wh.text("ソファを捨てたい"), wh.text("住民税の払い方")

    with caplog.at_level(logging.ERROR, logger="bot.events"):
        assert deliver(first, bad, third).status_code == 200

    assert [m.faq_id for m in messages(session)] == ["J01", "T01"]
    assert line_stub.replies_to(first["replyToken"]) and line_stub.replies_to(third["replyToken"])
    assert line_stub.replies_to(bad["replyToken"]) == []
    assert bad["webhookEventId"] not in session.scalars(select(WebhookEvent.webhook_event_id)).all()
    [failure] = caplog.records
    assert bad["webhookEventId"] in failure.getMessage() and "disk full" in failure.exc_text

    monkeypatch.setattr(bot_events, "record_question", record)
    assert deliver(dict(bad, deliveryContext={"isRedelivery": True})).status_code == 200
    assert [m.faq_id for m in messages(session)] == ["J01", "T01", "G01"]


def test_an_event_line_bot_sdk_refuses_is_skipped_and_the_rest_handled(faq, deliver, line_stub,
                                                                       session, caplog):
    good = wh.text("住民票はどこで取れますか")
    with caplog.at_level(logging.WARNING, logger="bot.events"):
        response = deliver(raw=raw_body({"type": "message"}, "not an event", good))
    assert response.status_code == 200
    assert [m.faq_id for m in messages(session)] == ["J01"] and event_count(session) == 1
    assert len(caplog.records) == 2


@pytest.mark.parametrize("timestamp", [10**18, 26 * 10**13, 10**400, 0, -1, -10**18],
                         ids=["1e18", "2.6e14", "1e400", "0", "-1", "-1e18"])
def test_an_impossible_timestamp_is_logged_at_the_receive_time(faq, deliver, line_stub, session,
                                                               timestamp):
    """[valid, odd timestamp, valid]: all three answered; the odd one dated when received."""
    batch = [wh.text("住民票はどこで取れますか"), wh.text("ソファを捨てたい"), wh.text("住民税の払い方")]
    batch[1]["timestamp"] = timestamp
    assert deliver(raw=raw_body(*batch)).status_code == 200
    rows = messages(session)
    assert [m.faq_id for m in rows] == ["J01", "G01", "T01"]
    assert all(_near_now(m.created_at) for m in rows)
    assert all(line_stub.replies_to(e["replyToken"]) for e in batch)


def test_a_plausible_event_time_is_kept(faq, deliver, session):
    """A redelivery arrives after the question was asked: the log keeps when it was asked."""
    asked = datetime.now(timezone.utc) - timedelta(hours=5)
    event = wh.text("住民票はどこで取れますか")
    event["timestamp"] = int(asked.timestamp() * 1000)
    deliver(event)
    assert abs(messages(session)[0].created_at - asked) < timedelta(seconds=1)


@pytest.mark.parametrize("depth", [990, 100_000])
def test_json_nested_too_deep_to_read_is_a_bad_body(faq, deliver, line_stub, session, depth):
    raw = '{"destination": "U", "events": [' + "[" * depth + "]" * depth + "]}"
    assert deliver(raw=raw).status_code == 400
    assert line_stub.replies == [] and event_count(session) == 0


# -- text that cannot be stored as it came -----------------------------------------------------------

@pytest.mark.parametrize("typed, stored", ids=["surrogate", "surrogates", "NUL"], argvalues=[
    ("住民票\ud800はどこで取れますか", "住民票\ufffdはどこで取れますか"),  # a lone surrogate
    ("住民票\udfffはどこで取れますか\ud83d", "住民票\ufffdはどこで取れますか\ufffd"),
    ("住民票\x00はどこで\x00取れますか", "住民票はどこで取れますか"),  # NUL: PostgreSQL text refuses it
])
def test_unstorable_characters_are_replaced_or_dropped(faq, deliver, line_stub, session, typed,
                                                       stored):
    event = wh.text(typed)
    assert deliver(raw=raw_body(event)).status_code == 200
    [row] = messages(session)
    assert (row.text, row.faq_id, row.reply_status) == (stored, "J01", "sent")


# -- webhookEventIds that are not ULIDs ------------------------------------------------------------

@pytest.mark.parametrize("event_id", ["A" * 65, "x" * 100_000, "住民票" * 30, "01H\x00NUL", "01H\ud800"],
                         ids=["65", "100000", "kanji", "NUL", "surrogate"])
def test_an_odd_event_id_is_claimed_by_its_hash_and_still_deduplicated(faq, deliver, line_stub,
                                                                       session, event_id):
    event = wh.text("住民票はどこで取れますか", webhook_event_id="placeholder")
    event["webhookEventId"] = event_id
    assert deliver(raw=raw_body(event)).status_code == 200
    again = dict(event, deliveryContext={"isRedelivery": True})
    assert deliver(raw=raw_body(again)).status_code == 200
    assert len(messages(session)) == 1 and len(line_stub.replies) == 1
    [key] = session.scalars(select(WebhookEvent.webhook_event_id))
    assert len(key) <= 64 and key.isascii() and key.isprintable()


def test_empty_event_ids_do_not_merge_unrelated_events(faq, deliver, line_stub, session):
    first, second = wh.text("住民票はどこで取れますか"), wh.text("ソファを捨てたい")
    first["webhookEventId"] = second["webhookEventId"] = ""
    assert deliver(raw=raw_body(first, second)).status_code == 200
    assert [m.faq_id for m in messages(session)] == ["J01", "G01"]
    # ... while the same event delivered again is still answered once
    assert deliver(raw=raw_body(dict(first, deliveryContext={"isRedelivery": True}))).status_code == 200
    assert len(messages(session)) == 2 and len(line_stub.replies) == 2


# -- postback data -----------------------------------------------------------------------------------

@pytest.mark.parametrize("data", ["fb=up&m=²", "fb=up&m=١٢", f"fb=up&m={2**63}", f"fb=up&m={2**31}",
                                  "fb=up&m=" + "9" * 5000, "fb=up&m=-1", "fb=up&m=0",
                                  "pick=²&m={m}", f"pick={10**30}&m={{m}}", "pick=" + "1" * 5000 + "&m={m}",
                                  "pick=-1&m={m}"],
                         ids=["m²", "m-arabic", "m2^63", "m2^31", "m5000digits", "m-1", "m0",
                              "pick²", "pick1e30", "pick5000digits", "pick-1"])
def test_postback_numbers_that_are_not_ours_change_nothing(faq, settings, deliver, line_stub, session,
                                                           data):
    settings.answer_threshold, settings.candidate_threshold = 1.01, 0.0  # もしかして: picks offered
    deliver(wh.text("住民票と住民税のこと"))
    [row] = messages(session)
    tap = wh.postback(data.format(m=row.id))
    assert deliver(tap).status_code == 200
    [after] = messages(session)
    assert (after.outcome, after.faq_id, after.feedback) == ("no_title", None, None)
    assert line_stub.replies_to(tap["replyToken"]) == []
