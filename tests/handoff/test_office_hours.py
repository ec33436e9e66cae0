"""Office hours as staff write them, holidays, and when staff will next read a message."""
from __future__ import annotations

from datetime import datetime

import pytest

from handoff.office_hours import JST, HoursError, parse, spoken

HOURS = parse("月-金 08:30-17:15", "2026-12-29,2026-12-30,2026-12-31,2027-01-01")


@pytest.mark.parametrize("at, open_", [
    (datetime(2026, 12, 3, 8, 30, tzinfo=JST), True),  # Thursday
    (datetime(2026, 12, 3, 8, 29, tzinfo=JST), False),
    (datetime(2026, 12, 3, 17, 15, tzinfo=JST), False),
    (datetime(2026, 12, 5, 10, 0, tzinfo=JST), False),  # Saturday
    (datetime(2026, 12, 29, 10, 0, tzinfo=JST), False),  # a holiday
])
def test_is_open(at, open_):
    assert HOURS.is_open(at) is open_


def test_next_open_skips_nights_weekends_and_holidays():
    assert HOURS.next_open(datetime(2026, 12, 3, 18, 0, tzinfo=JST)) == datetime(2026, 12, 4, 8, 30, tzinfo=JST)
    assert HOURS.next_open(datetime(2026, 12, 4, 18, 0, tzinfo=JST)) == datetime(2026, 12, 7, 8, 30, tzinfo=JST)
    assert HOURS.next_open(datetime(2026, 12, 28, 18, 0, tzinfo=JST)) == datetime(2027, 1, 4, 8, 30, tzinfo=JST)
    assert spoken(datetime(2027, 1, 4, 8, 30, tzinfo=JST)) == "1月4日（月）8:30"


def test_24_00_closes_at_midnight():
    always = parse("月-日 00:00-24:00")
    assert always.is_open(datetime(2026, 12, 3, 23, 59, 59, tzinfo=JST))


def test_other_ways_to_write_days():
    assert parse("月,水,金 09:00-12:00").days == {0, 2, 4}
    assert parse("土〜月 09:00-12:00").days == {5, 6, 0}


@pytest.mark.parametrize("hours, holidays, problem", [
    ("平日 8:30-17:15", "", "読めません"),
    ("月-金 17:15-08:30", "", "始まりより前"),
    ("月-金 25:00-26:00", "", "時刻が正しくありません"),
    ("月-金 08:30-17:15", "12/29", "日付ではありません"),
])
def test_bad_settings_are_refused_in_japanese(hours, holidays, problem):
    with pytest.raises(HoursError, match=problem):
        parse(hours, holidays)
