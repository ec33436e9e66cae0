"""An honest 正答率 beside the city's: how many answers staff reviewed, and the true 正答率
estimated from the month's random review sample (analytics/sample.py) with a Wilson 95% interval.

The city's 正答率 (analytics/report.py, unchanged) counts an unreviewed answer as 正答. Here only
sampled answers staff judged count: 正答 ÷ (正答 + 再学習要); a sampled answer judged 除外 is not a
回答 any more and leaves the sample. No finite-population correction (a sample of 50 out of
hundreds: the interval is slightly wider than it need be, never narrower).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from analytics.models import Message, Review, ReviewSample, ReviewSampleItem
from analytics.periods import fiscal_months
from analytics.sample import answered_in_month, find_sample

Z95 = 1.959963984540054  # the standard normal's 97.5% quantile


def wilson_interval(successes: int, n: int, z: float = Z95) -> tuple[float, float] | None:
    """Wilson score interval for a proportion (Wilson 1927); None when n is 0."""
    if n == 0:
        return None
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z / denominator * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    # At 0 or n successes an end is exactly 0 or 1; floating point would land a hair inside.
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return low, high


@dataclass(frozen=True)
class MonthEstimate:
    year: int
    month: int
    answered: int  # the report's 回答
    reviewed: int  # of which staff judged 正答 or 再学習要
    city_correct: int  # the report's 正答 (unreviewed answers included)
    sample: ReviewSample | None
    sample_size: int  # members drawn
    judged: int  # sample members judged 正答 or 再学習要
    correct: int  # sample members judged 正答
    left_out: int  # sample members judged 除外 since the draw

    @property
    def label(self) -> str:
        return f"{self.month}月"

    @property
    def key(self) -> str:
        return f"{self.year}-{self.month:02d}"

    @property
    def reviewed_share(self) -> float | None:
        return self.reviewed / self.answered if self.answered else None

    @property
    def city_rate(self) -> float | None:
        return self.city_correct / self.answered if self.answered else None

    @property
    def estimate(self) -> float | None:
        return self.correct / self.judged if self.judged else None

    @property
    def interval(self) -> tuple[float, float] | None:
        return wilson_interval(self.correct, self.judged)

    @property
    def unjudged(self) -> int:
        return self.sample_size - self.judged - self.left_out


def month_estimate(session: Session, year: int, month: int) -> MonthEstimate:
    by_review = dict(session.execute(select(Message.review, func.count())
                                     .where(*answered_in_month(year, month)).group_by(Message.review)).all())
    sample = find_sample(session, year, month)
    in_sample: dict[str | None, int] = {}
    if sample is not None:
        in_sample = dict(session.execute(
            select(Message.review, func.count()).join(ReviewSampleItem, ReviewSampleItem.message_id == Message.id)
            .where(ReviewSampleItem.sample_id == sample.id).group_by(Message.review)).all())
    judged = in_sample.get(Review.CORRECT, 0) + in_sample.get(Review.RELEARN, 0)
    return MonthEstimate(
        year=year, month=month, answered=sum(by_review.values()),
        reviewed=by_review.get(Review.CORRECT, 0) + by_review.get(Review.RELEARN, 0),
        city_correct=sum(by_review.values()) - by_review.get(Review.RELEARN, 0), sample=sample,
        sample_size=sum(in_sample.values()), judged=judged, correct=in_sample.get(Review.CORRECT, 0),
        left_out=in_sample.get(Review.EXCLUDED, 0))


def year_estimates(session: Session, fiscal_year: int) -> list[MonthEstimate]:
    return [month_estimate(session, y, m) for y, m in fiscal_months(fiscal_year)]


def percent(value: float | None, up: bool = False) -> str:
    """0.8234 → '82.3' (truncated, like the city's ratios; up=True rounds up, for an interval's
    upper end, so the interval shown is never narrower than computed); None → '-'."""
    if value is None:
        return "-"
    permille = math.ceil(value * 1000 - 1e-9) if up else math.floor(value * 1000 + 1e-9)
    return f"{permille // 10}.{permille % 10}"


def interval_text(interval: tuple[float, float] | None) -> str:
    return "-" if interval is None else f"{percent(interval[0])}〜{percent(interval[1], up=True)}"
