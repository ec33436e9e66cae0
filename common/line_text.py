"""How LINE counts text: its limits (5,000 for a text message, 400 for altText, 20 for a label)
are in UTF-16 code units, so an emoji outside the BMP counts two."""
from __future__ import annotations


def line_length(text: str) -> int:
    """The length LINE checks its limits against (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2
