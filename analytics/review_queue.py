"""The review queue: a month's questions by outcome, 👎 first; 表題なし grouped by nearest entry;
judgements themselves are analytics.review.judge (one) and apply_reviews (a spreadsheet). No Flask here."""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from analytics.models import Message, Outcome
from analytics.periods import month_range

if TYPE_CHECKING:  # only a type here: the ranking is the caller's (analytics does not search)
    from retrieval.index import Hit

# Tabs of the queue, in the order staff should work through them.
TABS = {"down": "役に立たなかった", Outcome.ANSWERED: "回答", Outcome.NO_TITLE: "表題なし",
        Outcome.NO_ANSWER: "回答未入力", Outcome.EXCLUDED: "除外"}


def month_query(year: int, month: int, tab: str, unreviewed_only: bool):
    start, end = month_range(year, month)
    query = select(Message).where(Message.created_at >= start, Message.created_at < end)
    if tab == "down":
        query = query.where(Message.feedback == "down")
    else:
        query = query.where(Message.outcome == tab)
    if unreviewed_only:
        query = query.where(Message.review.is_(None))
    return query


def queue(session: Session, year: int, month: int, tab: str, unreviewed_only: bool = True,
          limit: int = 50, offset: int = 0) -> list[Message]:
    query = month_query(year, month, tab, unreviewed_only)
    return list(session.scalars(query.order_by(Message.created_at.desc(), Message.id.desc())
                                .limit(limit).offset(offset)))


def tab_counts(session: Session, year: int, month: int, unreviewed_only: bool = True) -> dict[str, int]:
    return {tab: session.scalar(select(func.count()).select_from(
        month_query(year, month, tab, unreviewed_only).subquery())) or 0 for tab in TABS}


@dataclass
class Group:
    """Unanswered questions that share the FAQ entry nearest to them (faq_id None: no entry near)."""

    faq_id: str | None
    score: float = 0.0  # the best score of a member for that entry
    messages: list[Message] = field(default_factory=list)

    @property
    def texts(self) -> list[str]:
        """Distinct texts, most frequent first."""
        counts = Counter(m.text for m in self.messages)
        return [text for text, _ in counts.most_common()]


def group_by_top_hit(messages: Sequence[Message], top_hit: Callable[[Message], Hit | None]) -> list[Group]:
    """Group questions by the retriever's top hit, largest groups first.

    `top_hit` gives the entry the bot would at least have offered for a question, or None: a top
    hit below the bot's own candidate threshold is no sign that two questions share a topic (a
    Tagalog and an English question once met at a score near 0), so such a question stays alone
    and 「まとめて除外」 never reaches an unrelated one.

    Measured against clustering by embedding cosine (bench/review_grouping.py): on the sample's
    labelled questions, questions grouped together by their shared top hit are about the same
    entry ten times as often; e5-small puts almost any two short Japanese questions above 0.85.
    """
    groups: dict[str | None, Group] = {}
    singles: list[Group] = []
    for message in messages:
        hit = top_hit(message)
        if hit is None:
            singles.append(Group(None, 0.0, [message]))
            continue
        group = groups.setdefault(hit.faq_id, Group(hit.faq_id))
        group.messages.append(message)
        group.score = max(group.score, hit.score)
    return sorted([*groups.values(), *singles], key=lambda g: (-len(g.messages), -g.score))
