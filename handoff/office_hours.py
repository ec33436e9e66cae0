"""When staff read the inbox: weekdays and hours (OFFICE_HOURS) less holidays (OFFICE_HOLIDAYS),
in Japan time.

OFFICE_HOURS is written as staff write it: 「月-金 08:30-17:15」 (days 月火水木金土日, a range or a
list such as 「月,水,金」). OFFICE_HOLIDAYS lists dates, comma-separated (2026-12-29,2027-01-01,…):
national holidays and the year-end closure are each city's own list.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from errors import UserError

from common.jst import JST

DAYS = "月火水木金土日"
WEEKDAYS_JA = DAYS
_SPEC = re.compile(r"^\s*([月火水木金土日](?:\s*[-〜~]\s*[月火水木金土日]|(?:\s*[,、]\s*[月火水木金土日])*))"
                   r"\s+(\d{1,2}):(\d{2})\s*[-〜~]\s*(\d{1,2}):(\d{2})\s*$")


class HoursError(UserError, ValueError):
    """OFFICE_HOURS or OFFICE_HOLIDAYS cannot be read; the message is for staff."""


@dataclass(frozen=True)
class OfficeHours:
    days: frozenset[int]  # Monday 0
    opens: time
    closes: time
    holidays: frozenset[date] = frozenset()

    def is_open(self, at: datetime) -> bool:
        local = at.astimezone(JST)
        return self._workday(local.date()) and self.opens <= local.time() < self.closes

    def next_open(self, at: datetime) -> datetime:
        """When staff will next read messages (now, if open now)."""
        local = at.astimezone(JST)
        if self.is_open(local):
            return local
        day = local.date() if local.time() < self.opens else local.date() + timedelta(days=1)
        for _ in range(400):
            if self._workday(day):
                return datetime.combine(day, self.opens, JST)
            day += timedelta(days=1)
        raise HoursError("1年以上、受付日がありません。OFFICE_HOURS と OFFICE_HOLIDAYS を確かめてください。")

    def _workday(self, day: date) -> bool:
        return day.weekday() in self.days and day not in self.holidays


def parse(hours: str, holidays: str = "") -> OfficeHours:
    match = _SPEC.match(hours)
    if not match:
        raise HoursError(f"OFFICE_HOURS「{hours}」を読めません。「月-金 08:30-17:15」のように書いてください。")
    days_text = match.group(1).replace(" ", "")
    if re.search(r"[-〜~]", days_text):
        first, last = DAYS.index(days_text[0]), DAYS.index(days_text[-1])
        days = {d % 7 for d in range(first, last + 1 if last >= first else last + 8)}
    else:
        days = {DAYS.index(c) for c in days_text if c in DAYS}
    try:
        opens = time(int(match.group(2)), int(match.group(3)))
        closes = time.max if match.group(4, 5) == ("24", "00") else time(int(match.group(4)), int(match.group(5)))
    except ValueError:
        raise HoursError(f"OFFICE_HOURS「{hours}」の時刻が正しくありません。") from None
    if closes <= opens:
        raise HoursError(f"OFFICE_HOURS「{hours}」の終わりの時刻が始まりより前です。")
    dates = set()
    for item in (h.strip() for h in holidays.split(",") if h.strip()):
        try:
            dates.add(date.fromisoformat(item))
        except ValueError:
            raise HoursError(f"OFFICE_HOLIDAYS の「{item}」は日付ではありません（2026-12-29 のように書いてください）。") from None
    return OfficeHours(frozenset(days), opens, closes, frozenset(dates))


def spoken(at: datetime) -> str:
    """A time as residents read it: 12月4日（金）8:30."""
    local = at.astimezone(JST)
    return f"{local.month}月{local.day}日（{WEEKDAYS_JA[local.weekday()]}）{local.hour}:{local.minute:02d}"
