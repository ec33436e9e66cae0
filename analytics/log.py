"""Writing the message log: one row per resident question. Nothing here commits: the bot commits a
question together with its queued reply, so neither is kept without the other."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from analytics.masking import MaskedText
from analytics.models import OUTCOMES, Message, Outcome

FEEDBACKS = ("up", "down")


def record_question(
    session: Session,
    *,
    created_at: datetime,
    user: str,
    kind: str,
    text: MaskedText,
    outcome: Outcome,
    faq_id: str | None = None,
    score: float | None = None,
    candidates: list[str] | None = None,
    latency_ms: float | None = None,
    source: str = "line",
    language: str = "ja",
) -> Message:
    """Store a question with what the bot decided (flushed, for its id; the caller commits it with
    the reply it queues, before anything is sent). The text comes masked
    (mask_personal_data): the caller masks before its first write, so no lock waits on masking."""
    if not isinstance(text, MaskedText):
        raise TypeError("mask the text with mask_personal_data before storing it")
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown outcome {outcome!r}")
    message = Message(
        created_at=created_at, user=user, kind=kind, text=str(text),
        outcome=outcome, faq_id=faq_id, score=score, candidates=candidates,
        latency_ms=latency_ms, source=source, language=language,
    )
    session.add(message)
    session.flush()
    return message


def record_reply(session: Session, message: Message, *, error: str | None = None) -> None:
    """Note whether the reply to a question reached the platform (error None) or failed."""
    if error is None:
        message.reply_status = "sent"
        message.reply_count = (message.reply_count or 0) + 1
    else:
        message.reply_status = "failed"
        message.reply_error = error


def complete_with_choice(session: Session, message: Message, *, faq_id: str, answered: bool,
                         score: float | None) -> None:
    """A resident picked one of the offered candidates: the same question now ends with that
    entry (回答, or 回答未入力 when its answer is empty). Earlier feedback was on another answer."""
    message.outcome = Outcome.ANSWERED if answered else Outcome.NO_ANSWER
    message.faq_id = faq_id
    message.score = score
    message.feedback = None


def record_feedback(session: Session, message: Message, feedback: str) -> None:
    """The resident's 👍 ("up") or 👎 ("down") on the answer they got."""
    if feedback not in FEEDBACKS:
        raise ValueError(f"unknown feedback {feedback!r}")
    message.feedback = feedback
