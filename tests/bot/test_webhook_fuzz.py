"""A webhook fuzzer: signed bodies generated from webhook.yml's event shapes, valid and mutated
(odd types, huge and negative numbers, any Unicode, lone surrogates and NUL, missing and extra
fields, deep nesting, redelivered and duplicate ids), posted through Flask's test client.

Whatever comes in: never a 5xx (the test client raises what would be one), LINE's stand-in never
sees a request LINE would refuse, and every valid 1:1 text event is answered exactly once, its
claim linked to its logged question, even when the batch also holds bad events or is delivered
again; a message in a group or room is never logged as a question.

The query encoder is replaced by a hash of the text: at 15 ms a message (far more when the machine
is busy) it would cap the run at a few hundred bodies, and it is not what a body can break; the
tests in test_webhook_inputs.py send the odd characters through the real one. Everything else —
normalisation, Sudachi, BM25, the confidence trees, the log, the claims, the replies — is real.
"""
from __future__ import annotations

import copy
import hashlib
import itertools
import json
import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from sqlalchemy import select

from bot.models import WebhookEvent
from retrieval.embedder import Embedder
from bot import handoff as handoff_bot, line_webhook as wh, subscriptions as topic_settings
from notices import staff_links
from tests.bot.conftest import SECRET

pytestmark = pytest.mark.slow  # hundreds of generated webhook bodies

# Examples per backend: 38 s on SQLite and 9 s on PostgreSQL here, on 2 cores shared with others.
EXAMPLES = {"sqlite": 1000, "postgresql": 200}
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_serial = itertools.count()  # ids unique across examples: the database lives for the whole test
_DEEP = "__deep_%d__"  # nesting json.dumps cannot write: a placeholder, replaced in the text
_DEEP_VALUE = re.compile(r'"__deep_(\d+)__"')


def _hashed_vectors(self, texts):
    """A unit vector per text, the same for the same text (in place of the encoder)."""
    out = np.zeros((len(texts), self.dim), dtype=np.float32)
    for row, text in enumerate(texts):
        seed = int.from_bytes(hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()[:8])
        vector = np.random.default_rng(seed).standard_normal(self.dim)
        out[row] = vector / np.linalg.norm(vector)
    return out


# -- values ------------------------------------------------------------------------------------------

ODD_STRINGS = ["", " ", "\x00", "\ud800", "a\udfffb", "²", "١٢٣", "-1", "0", "9" * 30, "住民票",
               "message", "text", "user", "group", "standby", "\u200b", "😊" * 3, "%00", "&m=1"]
ODD_NUMBERS = [0, -1, 1, 2**31, 2**63, -(2**63), 10**18, 26 * 10**13, 10**400, -(10**400),
               0.5, float("inf"), float("-inf"), float("nan")]
unicode_text = st.text(max_size=60) | st.lists(
    st.sampled_from(ODD_STRINGS) | st.text(max_size=8), max_size=6).map("".join)
scalars = (st.none() | st.booleans() | st.integers() | st.sampled_from(ODD_NUMBERS)
           | st.floats() | unicode_text
           # deep, yet readable: deeper bodies are refused whole (whole_body_oddities)
           | st.integers(50, 800).map(lambda n: _DEEP % n))
odd_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3)
                          | st.dictionaries(unicode_text, inner, max_size=3), max_leaves=6)


def postback_data():
    number = st.integers(-5, 60).map(str) | st.sampled_from(ODD_STRINGS) | st.integers().map(str)
    return st.one_of(
        unicode_text,
        st.builds(lambda fb, m: f"fb={fb}&m={m}", st.sampled_from(["up", "down", "x", ""]), number),
        st.builds(lambda pick, m: f"pick={pick}&m={m}", number, number),
        st.builds(lambda m: f"none=1&m={m}", number),
    )


# -- events -----------------------------------------------------------------------------------------

def _is_command(text: str) -> bool:
    """What the bot treats as a command, not a question (a reply, but nothing logged; the handover
    would also route the user's later messages to staff). Hypothesis draws the codebase's own
    string constants, 「人と話したい」 among them; commands have their own tests."""
    return (handoff_bot.is_command(text) or topic_settings.is_command(text)
            or bool(staff_links.COMMAND.match(text)))


MAKERS = {
    "text": lambda d: wh.text(d(unicode_text.filter(lambda text: not _is_command(text)))),
    "sticker": lambda d: wh.sticker(),
    "image": lambda d: wh.image(),
    "location": lambda d: wh.location(),
    "postback": lambda d: wh.postback(d(postback_data())),
    "follow": lambda d: wh.follow(),
    "unfollow": lambda d: wh.unfollow(),
    "unsend": lambda d: wh.unsend(),
    "join": lambda d: wh.join(),
    "leave": lambda d: wh.leave(),
}
USERS = [wh.USER_ID, "U" + "1" * 32, "U" + "2" * 32]
CHATS = [wh.group(), wh.group("C" + "3" * 32), wh.room(), wh.room(user_id=None)]


@st.composite
def valid_event(draw) -> dict:
    """An event as LINE sends it (webhook.yml), with an id no other example uses, from a 1:1
    chat (join and leave: always a group or room) or, one in four, a group or room."""
    event = MAKERS[draw(st.sampled_from([*MAKERS, "text", "text"]))](draw)
    event["webhookEventId"] = f"{next(_serial):08d}" + draw(st.text(_CROCKFORD, min_size=18,
                                                                      max_size=18))
    if event["type"] in ("join", "leave") or draw(st.integers(0, 3)) == 0:
        event["source"] = copy.deepcopy(draw(st.sampled_from(CHATS)))
    else:
        event["source"]["userId"] = draw(st.sampled_from(USERS))
    return event


@st.composite
def mutated_event(draw) -> object:
    """A valid event with one thing wrong (or odd but allowed), or no event object at all."""
    event = draw(valid_event())
    how = draw(st.sampled_from(["set", "set", "delete", "add", "replace"]))
    if how == "replace":
        return draw(odd_values)
    parts = [part for part in (event, event.get("message"), event.get("source"), event.get("postback"),
                               event.get("deliveryContext")) if isinstance(part, dict)]
    part = draw(st.sampled_from(parts))
    if how == "add":
        part[draw(unicode_text)] = draw(odd_values)
        return event
    key = draw(st.sampled_from(sorted(part)))
    if how == "delete":
        del part[key]
    else:
        part[key] = draw(odd_values)
    return event


@st.composite
def batch(draw) -> tuple[list, list[dict], list[dict]]:
    """(events as sent, the valid 1:1 text events among them that must be answered exactly once,
    the valid group and room messages that must not be logged)."""
    sent, must_answer, must_not_log = [], [], []
    for _ in range(draw(st.integers(0, 5))):
        kind = draw(st.sampled_from(["valid", "valid", "mutated", "again"]))
        if kind == "again" and sent:  # a redelivery, or a new event reusing an earlier id
            event = copy.deepcopy(draw(st.sampled_from(sent)))
            if isinstance(event, dict) and draw(st.booleans()):
                event["deliveryContext"] = {"isRedelivery": True}
            elif isinstance(event, dict):
                event["replyToken"] = wh.reply_token()  # same id, another event: answered once
            sent.append(event)
        elif kind == "mutated":
            sent.append(draw(mutated_event()))
        else:
            event = draw(valid_event())
            sent.append(event)
            if event["type"] == "message" and event["source"]["type"] != "user":
                must_not_log.append(event)
            elif event["type"] == "message" and event["message"]["type"] == "text":
                must_answer.append(event)
    return sent, must_answer, must_not_log


def body(events: list) -> str:
    raw = json.dumps({"destination": wh.DESTINATION, "events": events})
    return _DEEP_VALUE.sub(lambda m: "[" * int(m[1]) + "]" * int(m[1]), raw)


def whole_body_oddities():
    """Bodies that are no webhook at all, or barely one."""
    return st.one_of(
        unicode_text,
        odd_values.map(lambda v: json.dumps({"destination": wh.DESTINATION, "events": v})),
        st.integers(500, 5000).map(lambda n: '{"events": [' + "[" * n + "]" * n + "]}"),
        st.builds(lambda events, cut: body(events)[:cut], st.lists(valid_event(), max_size=2),
                  st.integers(0, 200)),
    )


# -- the fuzzer --------------------------------------------------------------------------------------

@pytest.fixture
def post(app, faq, monkeypatch):
    monkeypatch.setattr(Embedder, "queries", _hashed_vectors)
    app.extensions["cityfaq"].live_index.search("warm up")  # build the index before the clock runs
    client = app.test_client()

    def post(raw: str) -> int:
        data = raw.encode("utf-8", "surrogatepass")
        return client.post("/callback", data=data, headers=wh.headers(data, SECRET)).status_code
    return post


def test_no_body_gives_a_5xx_and_valid_text_is_answered_exactly_once(app, post, line_stub, session,
                                                                     request):
    backend = request.node.callspec.params["database_url"]

    @settings(max_examples=EXAMPLES[backend], deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                     HealthCheck.data_too_large])
    @given(batch(), st.booleans(), st.none() | whole_body_oddities())
    def deliver(events_and_expected, deliver_twice, oddity):
        events, must_answer, must_not_log = events_and_expected
        assert post(body(events)) == 200
        if deliver_twice:
            assert post(body(events)) == 200
        if oddity is not None:
            assert post(oddity) in (200, 400)
        assert app.extensions["cityfaq"].reply_sender.wait()
        for event in must_answer:
            assert len(line_stub.replies_to(event["replyToken"])) == 1, event
            session.expire_all()
            claimed = session.scalar(select(WebhookEvent).where(
                WebhookEvent.webhook_event_id == event["webhookEventId"]))
            assert claimed.message_id is not None, event
        for event in must_not_log:
            claimed = session.scalar(select(WebhookEvent).where(
                WebhookEvent.webhook_event_id == event["webhookEventId"]))
            assert claimed is not None and claimed.message_id is None, event
        assert not line_stub.errors

    deliver()
