"""Fiscal months in Japan time."""
from datetime import date

import pytest

from analytics.periods import month_in_fiscal_year


@pytest.mark.parametrize("today, month", [
    (date(2024, 12, 20), (2024, 12)),  # December: December's log, not April's
    (date(2024, 4, 1), (2024, 4)),
    (date(2025, 3, 31), (2025, 3)),
    (date(2026, 1, 5), (2025, 3)),  # a past fiscal year: its last month
    (date(2024, 2, 1), (2024, 4)),  # a fiscal year not begun: its first month
])
def test_month_in_fiscal_year_is_todays_when_it_can_be(today, month):
    assert month_in_fiscal_year(2024, today) == month
