"""The admin views' unit of work: commit what a view changed, or roll back and tell staff why."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import flash
from sqlalchemy.orm import Session

from db import unit_of_work
from errors import UserError


@dataclass
class Outcome:
    saved: bool = False  # committed
    error: UserError | None = None  # what staff are told; nothing was written


@contextmanager
def commit_or_flash(session: Session, message: str = "{}", flash_error: bool = True) -> Iterator[Outcome]:
    """Commit the block's changes. A `UserError` rolls them back and is flashed (`message` with the
    error in place of {}), and the view goes on to show the form again; anything else rolls back
    and propagates (the database-unavailable page, or a 500)."""
    outcome = Outcome()
    try:
        with unit_of_work(session):
            yield outcome
    except UserError as exc:
        outcome.error = exc
        if flash_error:
            flash(message.format(exc), "error")
    else:
        outcome.saved = True
