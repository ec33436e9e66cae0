"""Japan time: what staff read, and where the city's days and months begin."""
from __future__ import annotations

from zoneinfo import ZoneInfo

JST = ZoneInfo("Asia/Tokyo")
