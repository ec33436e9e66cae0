"""The one Japan-time zone every package uses (common/jst.py)."""
from __future__ import annotations

from datetime import datetime, timezone

from common.jst import JST


def test_jst_is_nine_hours_ahead_without_summer_time():
    assert datetime(2024, 4, 30, 15, 0, tzinfo=timezone.utc).astimezone(JST).isoformat() == "2024-05-01T00:00:00+09:00"
    assert datetime(2024, 8, 1, tzinfo=JST).utcoffset() == datetime(2024, 1, 1, tzinfo=JST).utcoffset()


def test_every_package_shares_it():
    import admin.filters
    import analytics.periods
    import audit.trail
    import faq.freshness
    import handoff.office_hours

    for module in (admin.filters, analytics.periods, audit.trail, faq.freshness, handoff.office_hours):
        assert module.JST is JST, module.__name__
