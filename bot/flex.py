"""Flex Message bubbles (LINE's card layout) for answers and notices, always with an altText:
what old clients, notifications and the chat list show instead of the card.

A bubble is limited to 30 KB of JSON (LINE's reference); a Japanese answer of FLEX_TEXT
characters stays well inside it. A longer answer is sent as plain text, which LINE allows up to
5,000 characters, rather than cut.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # line-bot-sdk takes seconds to import: loaded with the first message built
    from linebot.v3.messaging import FlexMessage

MAX_ALT_TEXT = 1500
MAX_URI = 1000
FLEX_TEXT = 2000  # characters of answer shown in a bubble
LINK_LABEL = "詳しく見る"  # at most 20 characters (an action's label)


def linkable(url: str) -> bool:
    """A URL LINE accepts in a URI action (http or https, at most 1,000 characters)."""
    return url.startswith(("https://", "http://")) and len(url) <= MAX_URI and not any(c.isspace() for c in url)


def bubble(alt_text: str, body: str, *, title: str = "", url: str = "", image_url: str = "") -> FlexMessage:
    """A card: an optional image and title, the body text, and a button to `url` when LINE can
    open it. `alt_text` must already fit MAX_ALT_TEXT."""
    contents: list[dict] = []
    if title:
        contents.append({"type": "text", "text": title, "weight": "bold", "size": "md", "wrap": True})
    contents.append({"type": "text", "text": body, "wrap": True, "size": "sm"})
    card: dict = {"type": "bubble",
                  "body": {"type": "box", "layout": "vertical", "spacing": "md", "contents": contents}}
    if image_url and linkable(image_url) and image_url.startswith("https://"):
        card["hero"] = {"type": "image", "url": image_url, "size": "full", "aspectMode": "cover",
                        "aspectRatio": "20:13"}
    if url and linkable(url):
        card["footer"] = {"type": "box", "layout": "vertical", "contents": [{
            "type": "button", "style": "primary", "height": "sm",
            "action": {"type": "uri", "label": LINK_LABEL, "uri": url}}]}
    from linebot.v3.messaging import FlexMessage

    return FlexMessage.from_dict({"type": "flex", "altText": alt_text, "contents": card})
