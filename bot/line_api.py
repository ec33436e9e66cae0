"""Sending replies through line-bot-sdk's MessagingApi (to LINE, or to a stand-in in tests)."""
from __future__ import annotations

from functools import lru_cache

import urllib3
from linebot.v3.messaging import (ApiClient, ApiException, Configuration, MessagingApi,
                                  ReplyMessageRequest, TextMessage)

# A reply token lives about a minute; a reply that cannot be sent in 10 s is better logged.
TIMEOUT = (3.0, 10.0)


@lru_cache(maxsize=8)
def _messaging_api(host: str, access_token: str) -> MessagingApi:
    """One client (and its connection pool) per process and channel."""
    return MessagingApi(ApiClient(Configuration(access_token=access_token, host=host)))


def send_reply(host: str, access_token: str, reply_token: str,
               messages: list[TextMessage]) -> str | None:
    """Reply to an event; None when LINE accepted it, else what went wrong (for the log)."""
    api = _messaging_api(host, access_token)
    try:
        api.reply_message(ReplyMessageRequest(reply_token=reply_token, messages=messages),
                          _request_timeout=TIMEOUT)
    except ApiException as exc:
        return f"LINE API {exc.status} {exc.reason}: {exc.body}"[:2000]
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        return f"LINE API unreachable: {type(exc).__name__}: {exc}"[:2000]
    return None
