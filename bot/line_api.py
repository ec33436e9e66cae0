"""Sending replies through line-bot-sdk's MessagingApi (to LINE, or to a stand-in in tests)."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

# line-bot-sdk takes seconds to import (and urllib3 tens of ms): each function imports what it
# sends with, so that the admin and the CLI start without it and the first reply or push loads it.
if TYPE_CHECKING:
    from linebot.v3.messaging import MessagingApi

CONNECT_TIMEOUT = 3.0
READ_TIMEOUT = 10.0


@dataclass
class ReplyError:
    """Why LINE did not take a reply. `retryable`: LINE unreachable, 5xx or 429, so the same
    reply token may still work later (after `retry_after` seconds when LINE says so)."""

    reason: str
    retryable: bool
    retry_after: float | None = None
    status: int | None = None  # LINE's HTTP status, when it answered


@lru_cache(maxsize=8)
def _messaging_api(host: str, access_token: str) -> MessagingApi:
    """One client (and its connection pool) per process and channel."""
    from linebot.v3.messaging import ApiClient, Configuration, MessagingApi

    return MessagingApi(ApiClient(Configuration(access_token=access_token, host=host)))


def send_reply(host: str, access_token: str, reply_token: str, messages: list[dict],
               read_timeout: float = READ_TIMEOUT) -> ReplyError | None:
    """Reply to an event with LINE message objects (as JSON dicts); None when LINE took it."""
    from linebot.v3.messaging import ApiException, ReplyMessageRequest
    from urllib3.exceptions import HTTPError

    api = _messaging_api(host, access_token)
    request = ReplyMessageRequest.from_dict({"replyToken": reply_token, "messages": messages})
    try:
        api.reply_message(request, _request_timeout=(CONNECT_TIMEOUT, read_timeout))
    except ApiException as exc:
        status = exc.status or 0
        return ReplyError(f"LINE API {status} {exc.reason}: {exc.body}"[:2000],
                          retryable=status == 429 or status >= 500,
                          retry_after=_seconds((exc.headers or {}).get("Retry-After")))
    except (HTTPError, OSError) as exc:
        return ReplyError(f"LINE API unreachable: {type(exc).__name__}: {exc}"[:2000], retryable=True)
    return None


def send_multicast(host: str, access_token: str, to: list[str], messages: list[dict],
                   retry_key: str) -> ReplyError | None:
    """The same messages to up to 500 users, once per retry key: None when LINE took it now or
    had taken it before (409 for an accepted key: a retry after a lost answer)."""
    from linebot.v3.messaging import MulticastRequest

    request = MulticastRequest.from_dict({"to": to, "messages": messages})
    return _sent(lambda api, timeout: api.multicast(request, x_line_retry_key=retry_key,
                                                    _request_timeout=timeout), host, access_token)


def send_push(host: str, access_token: str, to: str, messages: list[dict], retry_key: str) -> ReplyError | None:
    """Messages to one user at any time, once per retry key (as send_multicast)."""
    from linebot.v3.messaging import PushMessageRequest

    request = PushMessageRequest.from_dict({"to": to, "messages": messages})
    return _sent(lambda api, timeout: api.push_message(request, x_line_retry_key=retry_key,
                                                       _request_timeout=timeout), host, access_token)


def quota(host: str, access_token: str) -> tuple[int | None, int] | None:
    """(the month's message limit, None if unlimited; messages used) or None when LINE cannot be asked."""
    from linebot.v3.messaging import ApiException
    from urllib3.exceptions import HTTPError

    api = _messaging_api(host, access_token)
    try:
        limit = api.get_message_quota(_request_timeout=(CONNECT_TIMEOUT, 5.0))
        used = api.get_message_quota_consumption(_request_timeout=(CONNECT_TIMEOUT, 5.0))
    except (ApiException, HTTPError, OSError, ValueError):
        return None
    return (limit.value if limit.type == "limited" else None), used.total_usage


def _sent(call, host: str, access_token: str) -> ReplyError | None:
    from linebot.v3.messaging import ApiException
    from urllib3.exceptions import HTTPError

    try:
        call(_messaging_api(host, access_token), (CONNECT_TIMEOUT, READ_TIMEOUT))
    except ApiException as exc:
        status = exc.status or 0
        if status == 409:  # the retry key was accepted before: LINE sent it then
            return None
        return ReplyError(f"LINE API {status} {exc.reason}: {exc.body}"[:2000],
                          retryable=status == 429 or status >= 500,
                          retry_after=_seconds((exc.headers or {}).get("Retry-After")), status=status)
    except (HTTPError, OSError) as exc:
        return ReplyError(f"LINE API unreachable: {type(exc).__name__}: {exc}"[:2000], retryable=True)
    return None


def _seconds(value: str | None) -> float | None:
    """Retry-After in seconds (LINE sends a number; an HTTP date is not worth parsing here)."""
    try:
        return max(float(value), 0.0) if value else None
    except ValueError:
        return None
