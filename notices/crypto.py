"""LINE user ids encrypted at rest (Fernet: AES-128-CBC with HMAC-SHA256, from `cryptography`).

Keys come from LINE_ID_KEYS: one or more Fernet keys, comma-separated, the first encrypts and all
decrypt (MultiFernet), so a key can be rotated without losing subscribers. No key: the features
that keep LINE user ids (notices, talking to staff) are off.
"""
from __future__ import annotations

from errors import UserError

# cryptography is imported where a key is used (tens of ms): most commands never touch one.


class KeyError_(UserError, ValueError):
    """LINE_ID_KEYS holds something that is not a Fernet key."""


def parse_keys(value: str) -> list[str]:
    """The keys of LINE_ID_KEYS, each checked; raises KeyError_ naming the bad one's position."""
    from cryptography.fernet import Fernet

    keys = [k.strip() for k in value.split(",") if k.strip()]
    for position, key in enumerate(keys, 1):
        try:
            Fernet(key)
        except (ValueError, TypeError) as exc:
            raise KeyError_(f"{position}番目の鍵") from exc
    return keys


class IdBox:
    """Encrypts and decrypts LINE user ids with the configured keys."""

    def __init__(self, keys: list[str]) -> None:
        from cryptography.fernet import Fernet, MultiFernet

        if not keys:
            raise ValueError("no key")
        self._fernet = MultiFernet([Fernet(k) for k in keys])

    def seal(self, user_id: str) -> str:
        return self._fernet.encrypt(user_id.encode("utf-8")).decode("ascii")

    def open(self, token: str) -> str | None:
        """The user id, or None when no configured key opens it (a key was dropped)."""
        from cryptography.fernet import InvalidToken

        try:
            return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except (InvalidToken, ValueError):
            return None

    def rotate(self, token: str) -> str:
        """The same id encrypted with the first key (after a new key was put first)."""
        return self._fernet.rotate(token.encode("ascii")).decode("ascii")


def id_box(line_id_keys: str) -> IdBox | None:
    """The box for Settings.line_id_keys (already checked by config.check); None when unset."""
    keys = parse_keys(line_id_keys)
    return IdBox(keys) if keys else None
