"""The log writer: masked text, pseudonymous users, reply status, a pick completing a question."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import select, text

from analytics.log import complete_with_choice, record_feedback, record_question, record_reply
from analytics.masking import mask_personal_data
from analytics.models import OUTCOMES, REVIEWS, Message, Outcome, Review
from analytics.pseudonym import pseudonymize
from retrieval.decide import DecisionKind

RAW_ID = "U" + "4af49806290" + "0" * 21
ASKED = datetime(2026, 4, 1, 0, 30, tzinfo=timezone.utc)


def test_pseudonyms_are_stable_keyed_and_short():
    alias = pseudonymize(RAW_ID, "key-1")
    assert alias == pseudonymize(RAW_ID, "key-1")
    assert alias.startswith("u_") and len(alias) == 18 and RAW_ID[1:] not in alias
    assert alias != pseudonymize(RAW_ID, "key-2")  # without the key, ids cannot be tried out
    assert alias != pseudonymize("U" + "1" * 32, "key-1")
    assert pseudonymize("", "key-1") == ""


def _question(session, **fields) -> Message:
    defaults = dict(created_at=ASKED, user=pseudonymize(RAW_ID, "k"), kind="text",
                    text=mask_personal_data("住民票を 090-1234-5678 に"), outcome="no_title",
                    candidates=["A", "B"])
    return record_question(session, **{**defaults, **fields})


def test_a_question_is_stored_masked_and_committed_by_the_caller(app, session):
    message = _question(session)
    with app.extensions["cityfaq"].sessionmaker() as other:  # the caller commits it with its reply
        assert other.get(Message, message.id) is None
    session.commit()
    with app.extensions["cityfaq"].sessionmaker() as other:
        stored = other.get(Message, message.id)
    assert stored.text == "住民票を 〔電話番号〕 に"
    assert (stored.outcome, stored.candidates, stored.created_at) == ("no_title", ["A", "B"], ASKED)


def test_unmasked_text_is_refused(session):
    """Masking is the caller's, before its first write: the log takes no raw text."""
    with pytest.raises(TypeError):
        _question(session, text="住民票を 090-1234-5678 に")
    assert session.scalars(select(Message)).all() == []


def test_unknown_outcome_is_refused(session):
    with pytest.raises(ValueError):
        _question(session, outcome="maybe")


def test_reply_status_failure_then_pick_and_feedback(session):
    message = _question(session)
    record_reply(session, message, error="LINE API 500")
    assert (message.reply_status, message.reply_error, message.reply_count) == ("failed", "LINE API 500", 0)
    record_reply(session, message)
    assert (message.reply_status, message.reply_count) == ("sent", 1)
    record_feedback(session, message, "down")
    complete_with_choice(session, message, faq_id="B", answered=True, score=None)
    session.commit()
    session.expire_all()
    stored = session.get(Message, message.id)
    assert (stored.outcome, stored.faq_id, stored.feedback) == ("answered", "B", None)
    complete_with_choice(session, stored, faq_id="A", answered=False, score=0.5)
    assert (stored.outcome, stored.faq_id) == ("no_answer", "A")
    with pytest.raises(ValueError):
        record_feedback(session, stored, "meh")


def test_kinds_are_the_stored_strings(session):
    """The enums change nothing a database, a CSV or `faq evaluate --json` holds."""
    assert OUTCOMES == ("excluded", "no_title", "no_answer", "answered")
    assert REVIEWS == ("correct", "relearn", "excluded")
    assert [str(k) for k in DecisionKind] == ["answer", "candidates", "none"]
    record_question(session, created_at=ASKED, user="u_x", kind="text",
                    text=mask_personal_data("住民票"), outcome=Outcome.ANSWERED)
    session.commit()
    session.query(Message).update({Message.review: Review.RELEARN})
    session.commit()
    assert session.execute(text("SELECT outcome, review FROM message")).one() == ("answered", "relearn")
    assert session.query(Message).filter(Message.outcome == "answered").count() == 1
