"""The honest 正答率: a stored random sample of a month's answers and the Wilson 95% interval."""
from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from analytics.estimate import Z95, interval_text, month_estimate, percent, wilson_interval
from analytics.models import Message, ReviewSampleItem
from analytics.report import month_counts
from analytics.sample import SampleError, draw_ids, draw_sample, find_sample, sample_messages

UTC = timezone.utc
MAY = datetime(2024, 5, 10, 3, tzinfo=UTC)


@pytest.mark.parametrize("k, n", [(0, 10), (10, 10), (1, 3), (40, 50), (41, 50), (900, 1000)])
def test_wilson_interval_solves_the_score_equation(k, n):
    """Its ends are the p with |k/n − p| = z·√(p(1−p)/n), the definition of Wilson's interval."""
    low, high = wilson_interval(k, n)
    assert 0 <= low <= k / n <= high <= 1
    for p in (low, high):
        if 0 < p < 1:
            assert abs(k / n - p) == pytest.approx(Z95 * math.sqrt(p * (1 - p) / n), rel=1e-9)
    assert wilson_interval(0, 0) is None


def test_wilson_interval_known_values():
    assert wilson_interval(0, 10)[1] == pytest.approx(Z95 ** 2 / (10 + Z95 ** 2))  # 0.2775
    low, high = wilson_interval(40, 50)  # proportion_confint(40, 50, method="wilson")
    assert (round(low, 4), round(high, 4)) == (0.6696, 0.8876)
    assert interval_text((low, high)) == "66.9〜88.8"  # lower end truncated, upper rounded up
    assert percent(0.8976) == "89.7" and percent(None) == "-"


def _month(session, answered=120):
    """May 2024: answered questions (some judged), others that are not 回答, and neighbours."""
    for i in range(answered):
        session.add(Message(created_at=MAY + timedelta(minutes=i), text=f"質問{i}", outcome="answered", faq_id="A1"))
    session.add_all([
        Message(created_at=MAY, text="除外と判定", outcome="answered", review="excluded"),
        Message(created_at=MAY, text="表題なし", outcome="no_title"),
        Message(created_at=MAY, text="手元のチャット", outcome="answered", source="chat"),
        Message(created_at=datetime(2024, 4, 30, 15, tzinfo=UTC), text="6月1日0時JST", outcome="answered"),
        Message(created_at=datetime(2024, 4, 30, 14, 59, tzinfo=UTC), text="4月30日JST", outcome="answered"),
    ])
    session.commit()


def test_the_sample_is_drawn_once_from_the_months_answers_and_can_be_redrawn_from_its_seed(session):
    _month(session)
    sample = draw_sample(session, 2024, 5, 50, "editor", seed=12345)
    session.commit()
    members = sample_messages(session, sample)
    assert len(members) == 50 and sample.population == 121  # 120 + the 00:00 JST one on 1 May
    assert all(m.outcome == "answered" and m.review != "excluded" and m.source != "chat" for m in members)
    population = list(session.scalars(select(Message.id).where(
        Message.outcome == "answered", Message.review.is_(None), Message.source == "line",
        Message.created_at >= datetime(2024, 4, 30, 15, tzinfo=UTC))))
    assert sorted(m.id for m in members) == draw_ids(population, 50, 12345)  # reproducible from the seed
    assert draw_ids(population, 50, 12345) != draw_ids(population, 50, 54321)

    with pytest.raises(SampleError, match="すでに抽出"):
        draw_sample(session, 2024, 5, 50, "editor")
    with pytest.raises(SampleError, match="回答した質問がありません"):
        draw_sample(session, 2024, 7, 50, "editor")
    with pytest.raises(SampleError, match="1〜1000"):
        draw_sample(session, 2024, 6, 0, "editor")
    session.add(Message(created_at=datetime(2024, 2, 1, tzinfo=UTC), text="", user="", outcome="answered"))
    with pytest.raises(SampleError, match="本文を削除済み"):  # after `logs purge`: nothing left to judge
        draw_sample(session, 2024, 2, 50, "editor")
    small = draw_sample(session, 2024, 4, 50, "editor")  # a month with one answer: all of it
    assert len(sample_messages(session, small)) == 1
    session.commit()


def test_the_estimate_counts_only_judged_sample_members_and_leaves_the_city_count_alone(session):
    _month(session)
    sample = draw_sample(session, 2024, 5, 20, "editor", seed=7)
    session.commit()
    members = sample_messages(session, sample)
    outside = session.scalar(select(Message).where(
        Message.outcome == "answered", Message.review.is_(None),
        Message.id.not_in(select(ReviewSampleItem.message_id)), Message.created_at >= MAY))
    outside.review = "relearn"  # judged in the review queue, outside the sample
    for m in members[:12]:
        m.review = "correct"
    for m in members[12:15]:
        m.review = "relearn"
    members[15].review = "excluded"  # no longer a 回答: leaves the sample
    session.commit()

    e = month_estimate(session, 2024, 5)
    counts = month_counts(session, 2024, 5)
    assert (e.answered, e.city_correct) == (counts.answered, counts.correct) == (120, 116)
    assert e.reviewed == 16 and e.reviewed_share == 16 / 120
    assert (e.sample_size, e.judged, e.correct, e.left_out, e.unjudged) == (20, 15, 12, 1, 4)
    assert e.estimate == 12 / 15
    assert e.interval == wilson_interval(12, 15)
    assert month_estimate(session, 2024, 6).sample is None and month_estimate(session, 2024, 6).estimate is None
    assert find_sample(session, 2024, 5).seed == 7
