"""The one family of errors a person can fix (no Flask, no click import).

A `UserError` carries a message in Japanese for staff (or residents) that says what was wrong and
what to do. The surfaces handle the family in one way each: an admin view rolls back and flashes it,
a CLI command rolls back and prints it as 「エラー: …」, the app refuses to start with it. Anything
else is a bug and is left to propagate.
"""
from __future__ import annotations


class UserError(Exception):
    """Bad input or configuration, told in Japanese; nothing was written when it is raised."""

    @property
    def message(self) -> str:
        return str(self)
