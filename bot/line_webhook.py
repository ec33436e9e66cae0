"""Webhook bodies as the LINE platform sends them: built to webhook.yml, signed like LINE.

`body(...)` refuses to build a payload that does not conform to webhook.yml's CallbackRequest
(discriminators followed), so every test talks to the bot in LINE's real format.
Test tooling, not used by the app (it needs the test extra): tests/ and bench/ both use it.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time

from bot.line_stub import WEBHOOK_SPEC, schema_errors

USER_ID = "U" + "4af4980629" + "0" * 22  # LINE's shape: U + 32 hex digits
GROUP_ID = "C" + "4af4980629" + "1" * 22  # groups are C + 32 hex digits, rooms R + 32
ROOM_ID = "R" + "4af4980629" + "2" * 22
DESTINATION = "U" + "f" * 32
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def event_id() -> str:
    """A ULID-shaped webhookEventId (26 Crockford base-32 characters)."""
    return "".join(secrets.choice(_CROCKFORD) for _ in range(26))


def reply_token() -> str:
    return secrets.token_hex(16)


def group(group_id: str = GROUP_ID, user_id: str | None = USER_ID) -> dict:
    """A group chat as an event's source (userId only in message events, and not always)."""
    return {"type": "group", "groupId": group_id, **({"userId": user_id} if user_id else {})}


def room(room_id: str = ROOM_ID, user_id: str | None = USER_ID) -> dict:
    """A multi-person chat (room) as an event's source."""
    return {"type": "room", "roomId": room_id, **({"userId": user_id} if user_id else {})}


def _event(kind: str, *, user_id: str = USER_ID, source: dict | None = None,
           webhook_event_id: str | None = None, redelivery: bool = False,
           token: str | None = "auto", **fields) -> dict:
    event = {
        "type": kind,
        "timestamp": int(time.time() * 1000),
        "mode": "active",
        "webhookEventId": webhook_event_id or event_id(),
        "deliveryContext": {"isRedelivery": redelivery},
        "source": source or {"type": "user", "userId": user_id},
        **fields,
    }
    if token:
        event["replyToken"] = reply_token() if token == "auto" else token
    return event


def text(message: str, **kw) -> dict:
    return _event("message", message={"type": "text", "id": _message_id(), "text": message,
                                      "quoteToken": secrets.token_urlsafe(16)}, **kw)


def sticker(**kw) -> dict:
    return _event("message", message={"type": "sticker", "id": _message_id(), "packageId": "446",
                                      "stickerId": "1988", "stickerResourceType": "STATIC",
                                      "quoteToken": secrets.token_urlsafe(16)}, **kw)


def image(**kw) -> dict:
    return _event("message", message={"type": "image", "id": _message_id(),
                                      "contentProvider": {"type": "line"},
                                      "quoteToken": secrets.token_urlsafe(16)}, **kw)


def location(**kw) -> dict:
    return _event("message", message={"type": "location", "id": _message_id(), "title": "市役所",
                                      "address": "あおば市", "latitude": 35.0, "longitude": 139.0},
                  **kw)


def postback(data: str, **kw) -> dict:
    return _event("postback", postback={"data": data}, **kw)


def follow(**kw) -> dict:
    return _event("follow", follow={"isUnblocked": False}, **kw)


def unfollow(**kw) -> dict:
    return _event("unfollow", token=None, **kw)


def join(**kw) -> dict:
    """The bot was invited into a group or room (source: group() or room())."""
    return _event("join", **kw)


def leave(**kw) -> dict:
    """The bot was removed from a group or room, or left it."""
    return _event("leave", token=None, **kw)


def unsend(**kw) -> dict:
    """An event type this bot does not handle."""
    return _event("unsend", unsend={"messageId": _message_id()}, token=None, **kw)


def body(*events: dict) -> str:
    payload = {"destination": DESTINATION, "events": list(events)}
    errors = schema_errors(payload, WEBHOOK_SPEC, "CallbackRequest")
    assert not errors, f"test payload breaks webhook.yml: {errors}"
    return json.dumps(payload, ensure_ascii=False)


def sign(raw: str | bytes, channel_secret: str) -> str:
    """X-Line-Signature: base64(HMAC-SHA256(channel secret, body bytes))."""
    data = raw.encode("utf-8") if isinstance(raw, str) else raw
    return base64.b64encode(hmac.new(channel_secret.encode("utf-8"), data, hashlib.sha256).digest()).decode()


def headers(raw: str | bytes, channel_secret: str) -> dict:
    return {"Content-Type": "application/json", "X-Line-Signature": sign(raw, channel_secret)}


def _message_id() -> str:
    return str(secrets.randbelow(10**17) + 10**17)
