"""The monthly progress report (正答率), laid out as reference/seto-r4-chatbot-report.csv.

Counts come from analytics.outcomes.report_category per message, by fiscal month in Japan time.
Ratios are truncated to 0.1% with integers (n * 1000 // d), never rounded: 89.78…% prints 89.7.
The year column sums only months with data and its ratios are pooled (summed counts), not means.
A month without a single message shows 未集計; a month with messages but a zero denominator
(e.g. every question excluded) shows "-" for that ratio: there is nothing to divide.
"""
from __future__ import annotations

import csv
import unicodedata
from dataclasses import dataclass, fields
from pathlib import Path
from typing import IO

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from analytics import outcomes
from analytics.models import LOCAL_CHAT_SOURCE, Message
from analytics.periods import era_year, fiscal_months, month_range
from common.csvio import write_table

NOT_COUNTED = "未集計"
NO_RATIO = "-"
YEAR_LABEL = "年合計"

# (label, definition, Counts attribute): labels and definitions exactly as the city's table.
COUNT_ROWS = (
    ("全質問", "チャットボットに入力された全質問数", "total"),
    ("除外", "無意味な質問数", "excluded"),
    ("応答", "何かしら返答をしたもの（全質問−除外）", "responded"),
    ("表題なし", "新規に表題や回答追加の検討が必要なもの", "no_title"),
    ("回答未入力", "回答が準備されていなかったもの", "no_answer"),
    ("回答", "応答数から表題なしと回答未入力を除外した残り", "answered"),
    ("再学習要", "回答のうち再学習を要するもの", "relearn"),
    ("正答", "回答から再学習要を除外した残り", "correct"),
)
# (label, definition, numerator attribute, denominator attribute), in percent.
RATIO_ROWS = (
    ("回答率", "回答÷応答（%、小数第2位以下切り捨て）", "answered", "responded"),
    ("正答率", "正答÷回答（%、小数第2位以下切り捨て）", "correct", "answered"),
    ("正答率（応答数を分母）", "正答÷応答（%、小数第2位以下切り捨て）", "correct", "responded"),
)


@dataclass(frozen=True)
class Counts:
    """The five rows a message can end in; the other three are derived exactly as the city does."""

    excluded: int = 0
    no_title: int = 0
    no_answer: int = 0
    relearn: int = 0
    correct: int = 0

    @property
    def total(self) -> int:
        return self.excluded + self.responded

    @property
    def responded(self) -> int:
        return self.no_title + self.no_answer + self.answered

    @property
    def answered(self) -> int:
        return self.relearn + self.correct

    def __add__(self, other: Counts) -> Counts:
        return Counts(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))

    def permille(self, numerator: str, denominator: str) -> int | None:
        """The ratio in tenths of a percent, truncated; None when the denominator is zero."""
        d = getattr(self, denominator)
        return getattr(self, numerator) * 1000 // d if d else None


def percent_text(permille: int | None) -> str:
    """897 → '89.7'; None → '-'."""
    return NO_RATIO if permille is None else f"{permille // 10}.{permille % 10}"


@dataclass(frozen=True)
class Month:
    year: int
    month: int
    counts: Counts | None  # None: no message at all this month (未集計)

    @property
    def label(self) -> str:
        return f"{self.month}月"


@dataclass(frozen=True)
class Report:
    fiscal_year: int
    months: list[Month]

    @property
    def year(self) -> Counts:
        """The 年合計 column: months with data only."""
        return sum((m.counts for m in self.months if m.counts), Counts())

    @property
    def title(self) -> str:
        return f"{era_year(self.fiscal_year)} ({self.period}) チャットボット応答状況"

    @property
    def period(self) -> str:
        return f"{self.fiscal_year}年4月〜{self.fiscal_year + 1}年3月"

    @property
    def columns(self) -> list[Counts | None]:
        return [m.counts for m in self.months] + [self.year]

    def header(self) -> list[str]:
        # English first two headings, as the city's own file (reference/seto-r4-chatbot-report.csv) has them.
        return ["row", "definition", *(m.label for m in self.months), YEAR_LABEL]

    def rows(self, thousands: bool = False) -> list[list[str]]:
        """The table as text cells, count rows then ratio rows (counts as 22218, or 22,218)."""
        number = "{:,}" if thousands else "{}"
        rows = [
            [label, definition, *(NOT_COUNTED if c is None else number.format(getattr(c, attr))
                                  for c in self.columns)]
            for label, definition, attr in COUNT_ROWS
        ]
        rows += [
            [label, definition, *(NOT_COUNTED if c is None else percent_text(c.permille(num, den))
                                  for c in self.columns)]
            for label, definition, num, den in RATIO_ROWS
        ]
        return rows


def monthly_report(session: Session, fiscal_year: int) -> Report:
    return Report(fiscal_year, [Month(y, m, month_counts(session, y, m)) for y, m in fiscal_months(fiscal_year)])


def month_counts(session: Session, year: int, month: int) -> Counts | None:
    """Counts of one JST month, or None when it has no message."""
    start, end = month_range(year, month)
    grouped = session.execute(
        select(Message.outcome, Message.review, func.count())
        .where(Message.created_at >= start, Message.created_at < end, Message.source != LOCAL_CHAT_SOURCE)
        .group_by(Message.outcome, Message.review)
    ).all()
    if not grouped:
        return None
    tally = dict.fromkeys(outcomes.CATEGORIES, 0)
    for outcome, review, n in grouped:
        tally[outcomes.report_category(outcome, review)] += n
    return Counts(**tally)


def report_csv(report: Report, target: str | Path | IO[str]) -> None:
    """The report as CSV, UTF-8 with BOM (Excel opens it correctly), to a path or a text stream."""
    write_table(target, report.header(), report.rows())


def write_csv_plain(report: Report, stream: IO[str]) -> None:
    """The same CSV without BOM, for standard output."""
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(report.header())
    writer.writerows(report.rows())


def report_text(report: Report) -> str:
    """An aligned table for the terminal (definitions left out to fit the width)."""
    table = [["項目", *report.header()[2:]]] + [[row[0], *row[2:]] for row in report.rows(thousands=True)]
    widths = [max(_width(row[i]) for row in table) for i in range(len(table[0]))]
    lines = [report.title]
    for row in table:
        cells = [_pad(row[0], widths[0], left=True)] + [_pad(c, w) for c, w in zip(row[1:], widths[1:])]
        lines.append("  ".join(cells))
    return "\n".join(lines)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, left: bool = False) -> str:
    space = " " * (width - _width(text))
    return text + space if left else space + text
