"""Months as the city counts them: Japan time (Asia/Tokyo), fiscal year April to March."""
from __future__ import annotations

from datetime import date, datetime, timezone

from common.jst import JST
FISCAL_MONTHS = (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)


def month_range(year: int, month: int) -> tuple[datetime, datetime]:
    """[start, end) of a calendar month in JST, as UTC datetimes for the database."""
    start = datetime(year, month, 1, tzinfo=JST)
    end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=JST)
    return start.astimezone(timezone.utc), end.astimezone(timezone.utc)


def fiscal_months(fiscal_year: int) -> list[tuple[int, int]]:
    """(year, month) of April of `fiscal_year` through March of the next year."""
    return [(fiscal_year if month >= 4 else fiscal_year + 1, month) for month in FISCAL_MONTHS]


def month_in_fiscal_year(fiscal_year: int, today: date) -> tuple[int, int]:
    """Today's month when it falls in the fiscal year, else the year's nearest end (March of a past
    year, April of a future one): the month whose log staff most likely want."""
    months = fiscal_months(fiscal_year)
    return min(max((today.year, today.month), months[0]), months[-1])


def fiscal_year_range(fiscal_year: int) -> tuple[datetime, datetime]:
    return month_range(fiscal_year, 4)[0], month_range(fiscal_year + 1, 4)[0]


def parse_month(text: str) -> tuple[int, int]:
    """'2022-05' → (2022, 5); ValueError with a Japanese message otherwise."""
    try:
        parsed = datetime.strptime(text.strip(), "%Y-%m")
    except ValueError:
        raise ValueError(f"月は YYYY-MM の形で指定してください（例: 2022-05）: {text}") from None
    return parsed.year, parsed.month


def era_year(fiscal_year: int) -> str:
    """The Japanese era name of a fiscal year, as council documents print it (令和4年度)."""
    if fiscal_year >= 2019:
        number = fiscal_year - 2018
        return f"令和{'元' if number == 1 else number}年度"
    return f"平成{fiscal_year - 1988}年度"
