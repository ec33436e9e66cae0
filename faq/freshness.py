"""Freshness of FAQ entries: which published entries no one has reviewed for N months, per
department, and 「内容を確認した」. No Flask here; the caller commits.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby
from typing import IO

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from common.csvio import write_table
from common.jst import JST
from db import utcnow
from faq.models import FaqEntry
from faq.services import require_entry

NO_DEPARTMENT = "（担当課なし）"
CSV_HEADER = ("担当課", "ID", "分類", "質問", "最終確認日", "経過日数")


@dataclass
class StaleGroup:
    department: str  # as stored; "" for entries without one
    entries: list[FaqEntry]

    @property
    def label(self) -> str:
        return self.department or NO_DEPARTMENT


def months_before(moment: datetime, months: int) -> datetime:
    """The same day and time `months` calendar months earlier, in Japan time (31 March → the end
    of February), so "12 months" means the date staff expect."""
    local = moment.astimezone(JST)
    index = local.year * 12 + local.month - 1 - months
    year, month = divmod(index, 12)
    day = min(local.day, calendar.monthrange(year, month + 1)[1])
    return local.replace(year=year, month=month + 1, day=day)


def _stale(months: int, now: datetime):
    # Unpublished entries answer no one; they are reviewed when they are published again.
    return (FaqEntry.published.is_(True), FaqEntry.reviewed_at < months_before(now, months))


def stale_count(session: Session, months: int, now: datetime | None = None) -> int:
    query = select(func.count()).select_from(FaqEntry).where(*_stale(months, now or utcnow()))
    return session.scalar(query) or 0


def stale_groups(session: Session, months: int, now: datetime | None = None) -> list[StaleGroup]:
    """Stale published entries by department (named ones first, by name), oldest review first."""
    entries = session.scalars(select(FaqEntry).where(*_stale(months, now or utcnow()))
                              .order_by(FaqEntry.reviewed_at, FaqEntry.id))
    # Grouped here, not by ORDER BY: PostgreSQL's collation would order the names unlike SQLite.
    by_department = sorted(entries, key=lambda e: (e.department == "", e.department))  # stable
    return [StaleGroup(department, list(group))
            for department, group in groupby(by_department, key=lambda e: e.department)]


def mark_reviewed(session: Session, faq_id: str, now: datetime | None = None) -> FaqEntry:
    """「内容を確認した」: the entry is right as it is; its content and history do not change."""
    entry = require_entry(session, faq_id)
    entry.reviewed_at = now or utcnow()
    session.flush()
    return entry


def write_stale_csv(groups: list[StaleGroup], target: IO[str], now: datetime | None = None) -> int:
    """The list as CSV for Excel (UTF-8 with BOM, common/csvio.py); returns the number of entries."""
    now = now or utcnow()
    rows = [(group.label, e.faq_id, e.category, e.question, reviewed_date(e), (now - e.reviewed_at).days)
            for group in groups for e in group.entries]
    write_table(target, CSV_HEADER, rows)
    return len(rows)


def reviewed_date(entry: FaqEntry) -> str:
    return entry.reviewed_at.astimezone(JST).strftime("%Y-%m-%d")
