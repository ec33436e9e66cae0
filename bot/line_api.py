"""Sending replies through line-bot-sdk's MessagingApi (to LINE, or to a stand-in in tests)."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import urllib3
from linebot.v3.messaging import ApiClient, ApiException, Configuration, MessagingApi, ReplyMessageRequest

CONNECT_TIMEOUT = 3.0
READ_TIMEOUT = 10.0


@dataclass
class ReplyError:
    """Why LINE did not take a reply. `retryable`: LINE unreachable, 5xx or 429, so the same
    reply token may still work later (after `retry_after` seconds when LINE says so)."""

    reason: str
    retryable: bool
    retry_after: float | None = None


@lru_cache(maxsize=8)
def _messaging_api(host: str, access_token: str) -> MessagingApi:
    """One client (and its connection pool) per process and channel."""
    return MessagingApi(ApiClient(Configuration(access_token=access_token, host=host)))


def send_reply(host: str, access_token: str, reply_token: str, messages: list[dict],
               read_timeout: float = READ_TIMEOUT) -> ReplyError | None:
    """Reply to an event with LINE message objects (as JSON dicts); None when LINE took it."""
    api = _messaging_api(host, access_token)
    request = ReplyMessageRequest.from_dict({"replyToken": reply_token, "messages": messages})
    try:
        api.reply_message(request, _request_timeout=(CONNECT_TIMEOUT, read_timeout))
    except ApiException as exc:
        status = exc.status or 0
        return ReplyError(f"LINE API {status} {exc.reason}: {exc.body}"[:2000],
                          retryable=status == 429 or status >= 500,
                          retry_after=_seconds((exc.headers or {}).get("Retry-After")))
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        return ReplyError(f"LINE API unreachable: {type(exc).__name__}: {exc}"[:2000], retryable=True)
    return None


def _seconds(value: str | None) -> float | None:
    """Retry-After in seconds (LINE sends a number; an HTTP date is not worth parsing here)."""
    try:
        return max(float(value), 0.0) if value else None
    except ValueError:
        return None
