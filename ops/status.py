"""What /healthz and /metrics report, read from the database so every worker says the same
(no Flask here). Only the served index version is per process: each worker serves its own."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from analytics.models import OUTCOMES, Message
from bot.models import PendingReply
from faq import services as faq_services

# Upper bounds (seconds) of the histogram of a question's handling time in the worker (masking,
# search and decision: Message.latency_ms); the README's p95 is 40–65 ms on 2,000 entries.
LATENCY_BUCKETS = (0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


@dataclass(frozen=True)
class Health:
    database: bool
    index_loaded: bool
    index_version: int | None  # the FAQ version this process's index was built from
    faq_version: int | None  # the FAQ version in the database (newer: a rebuild is under way)

    @property
    def ok(self) -> bool:
        return self.database and self.index_loaded

    def as_json(self) -> dict:
        return {
            "status": "ok" if self.ok else "unavailable",
            "database": "ok" if self.database else "unreachable",
            "index": {"loaded": self.index_loaded, "version": self.index_version,
                      "faq_version": self.faq_version},
        }


def check_health(session: Session, index_version: int | None) -> Health:
    """index_version None: this process has not loaded its index (yet)."""
    try:
        session.execute(text("SELECT 1"))
        faq_version = faq_services.current_version(session)
        reachable = True
    except SQLAlchemyError:
        session.rollback()
        reachable, faq_version = False, None
    return Health(reachable, index_version is not None, index_version, faq_version)


def metrics_text(session: Session, index_version: int | None) -> str:
    """The Prometheus text exposition format (version 0.0.4). Counters are totals over the whole
    log, so they agree across workers and survive restarts (a purge keeps the rows it blanks)."""
    lines: list[str] = []

    def metric(name: str, kind: str, help_text: str, samples: list[tuple[str, dict, float]]) -> None:
        lines.extend([f"# HELP {name} {help_text}", f"# TYPE {name} {kind}"])
        for suffix, labels, value in samples:
            label_text = ",".join(f'{k}="{v}"' for k, v in labels.items())
            lines.append(f"{name}{suffix}{{{label_text}}} {_number(value)}" if labels
                         else f"{name}{suffix} {_number(value)}")

    by_outcome = dict.fromkeys(OUTCOMES, 0) | dict(session.execute(
        select(Message.outcome, func.count()).group_by(Message.outcome)).all())
    metric("cityfaq_questions_total", "counter", "Questions logged, by what the bot did.",
           [("", {"outcome": o}, n) for o, n in by_outcome.items() if o in OUTCOMES])

    timed = Message.latency_ms.is_not(None)
    row = session.execute(select(
        *(func.coalesce(func.sum(case((Message.latency_ms <= b * 1000, 1), else_=0)), 0) for b in LATENCY_BUCKETS),
        func.count(), func.coalesce(func.sum(Message.latency_ms), 0.0),
    ).where(timed)).one()
    *buckets, count, total_ms = row
    metric("cityfaq_question_seconds", "histogram",
           "Time from a question's arrival to the bot's decision, in the worker.",
           [*(("_bucket", {"le": _number(b)}, n) for b, n in zip(LATENCY_BUCKETS, buckets)),
            ("_bucket", {"le": "+Inf"}, count), ("_sum", {}, total_ms / 1000), ("_count", {}, count)])

    failed = session.scalar(select(func.count()).select_from(Message).where(Message.reply_status == "failed"))
    metric("cityfaq_replies_failed_total", "counter",
           "Replies to questions that never reached LINE (reply_status failed).", [("", {}, failed)])
    pending = session.scalar(select(func.count()).select_from(PendingReply))
    retrying = session.scalar(select(func.count()).select_from(PendingReply).where(PendingReply.attempts > 0))
    metric("cityfaq_replies_pending", "gauge", "Replies waiting for the sender (pending_reply rows).",
           [("", {}, pending)])
    metric("cityfaq_replies_retrying", "gauge", "Pending replies already tried and refused at least once.",
           [("", {}, retrying)])

    metric("cityfaq_faq_version", "gauge", "The FAQ version in the database.",
           [("", {}, faq_services.current_version(session))])
    metric("cityfaq_index_loaded", "gauge", "1 when this worker has loaded its FAQ index.",
           [("", {}, int(index_version is not None))])
    if index_version is not None:
        metric("cityfaq_index_version", "gauge", "The FAQ version this worker's index was built from.",
               [("", {}, index_version)])
    return "\n".join(lines) + "\n"


def _number(value) -> str:
    return str(value) if isinstance(value, int) else repr(float(value))
