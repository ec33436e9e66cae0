"""Stable pseudonyms for residents: the same person reads as the same user, never by their id."""
from __future__ import annotations

import hashlib
import hmac


def pseudonymize(user_id: str, key: str) -> str:
    """A keyed HMAC-SHA256 of the platform's user id, shortened ("u_" + 16 hex digits).

    Keyed, so the raw id cannot be recovered by hashing candidate ids without the app's secret.
    An empty id (a source without a user) stays empty.
    """
    if not user_id:
        return ""
    digest = hmac.new(key.encode("utf-8"), user_id.encode("utf-8"), hashlib.sha256).hexdigest()
    return "u_" + digest[:16]
