"""The review queue's queries (analytics/review_queue.py): a month's questions by tab, in Japan
time, and 表題なし grouped by the entry the bot would have offered. No Flask, no search."""
from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timezone

from analytics.models import Message, Outcome, Review
from analytics.review_queue import TABS, group_by_top_hit, queue, tab_counts
from retrieval.index import Hit

UTC = timezone.utc


def _add(session, when: datetime, outcome: Outcome, review: Review | None = None, feedback: str | None = None,
         words: str = "住民票") -> Message:
    message = Message(created_at=when, text=words, outcome=outcome, review=review, feedback=feedback)
    session.add(message)
    return message


def test_tabs_count_a_japan_month_unreviewed_first(session):
    _add(session, datetime(2024, 4, 30, 14, 59, tzinfo=UTC), Outcome.ANSWERED)  # 4/30 23:59 JST: April
    _add(session, datetime(2024, 4, 30, 15, 0, tzinfo=UTC), Outcome.ANSWERED, feedback="down")  # 5/1 0:00 JST
    _add(session, datetime(2024, 5, 10, tzinfo=UTC), Outcome.ANSWERED, review=Review.CORRECT)
    _add(session, datetime(2024, 5, 11, tzinfo=UTC), Outcome.NO_TITLE)
    _add(session, datetime(2024, 5, 12, tzinfo=UTC), Outcome.NO_ANSWER)
    _add(session, datetime(2024, 5, 31, 15, 0, tzinfo=UTC), Outcome.EXCLUDED)  # 6/1 JST: June
    session.commit()

    assert tab_counts(session, 2024, 5) == {"down": 1, "answered": 1, "no_title": 1, "no_answer": 1, "excluded": 0}
    assert tab_counts(session, 2024, 5, unreviewed_only=False)["answered"] == 2
    newest_first = queue(session, 2024, 5, Outcome.ANSWERED, unreviewed_only=False)
    assert [m.created_at.day for m in newest_first] == [10, 30]
    assert len(queue(session, 2024, 5, Outcome.ANSWERED, unreviewed_only=False, limit=1, offset=1)) == 1
    assert list(TABS) == ["down", "answered", "no_title", "no_answer", "excluded"]


def test_groups_follow_the_offered_entry_and_keep_the_unmatched_alone():
    messages = [Message(id=i, text=words, outcome=Outcome.NO_TITLE)
                for i, words in enumerate(["住民票", "住民票の写し", "住民票", "ごみ", "こんにちは"])]
    hits = {"住民票": Hit("A01", 0.5), "住民票の写し": Hit("A01", 0.7), "ごみ": Hit("B01", 0.4)}
    groups = group_by_top_hit(messages, lambda m: hits.get(m.text))
    assert [(g.faq_id, len(g.messages), g.score) for g in groups] == [("A01", 3, 0.7), ("B01", 1, 0.4), (None, 1, 0.0)]
    assert groups[0].texts == ["住民票", "住民票の写し"]


def test_the_queue_queries_load_neither_flask_nor_the_search():
    code = ("import sys, analytics.review_queue; "
            "print(sorted(m for m in ('flask', 'retrieval', 'linebot') if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]"
