"""Template filters: times in Japan time, as staff read them."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from admin.blueprint import bp

JST = ZoneInfo("Asia/Tokyo")


@bp.app_template_filter("jst")
def jst(value: datetime | None) -> str:
    return value.astimezone(JST).strftime("%Y-%m-%d %H:%M") if value else ""
