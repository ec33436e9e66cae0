"""The admin views' unit of work: a UserError is rolled back and flashed, anything else rolled back and raised."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from flask import get_flashed_messages
from flask import session as cookie
from sqlalchemy import func, select

from admin.transaction import commit_or_flash
from analytics.models import Message
from faq.entries import EntryError


def _add(session, id_: int) -> None:
    session.add(Message(id=id_, created_at=datetime(2026, 4, 1, tzinfo=timezone.utc), user="u_1", kind="text",
                        text="住民票", outcome="no_title"))
    session.flush()


def _count(app) -> int:
    with app.extensions["cityfaq"].sessionmaker() as other:
        return other.scalar(select(func.count()).select_from(Message))


def test_saved_commits(app, session):
    with app.test_request_context():
        with commit_or_flash(session) as done:
            _add(session, 1)
        assert done.saved and done.error is None and get_flashed_messages() == []
    assert _count(app) == 1


def test_a_user_error_is_rolled_back_and_flashed(app, session):
    with app.test_request_context():
        with commit_or_flash(session, "保存しませんでした。{}") as done:
            _add(session, 1)
            raise EntryError("質問を入力してください。")
        assert not done.saved and str(done.error) == "質問を入力してください。"
        assert get_flashed_messages(with_categories=True) == [("error", "保存しませんでした。質問を入力してください。")]
        with commit_or_flash(session, flash_error=False) as quiet:
            raise EntryError("横に表示します。")
        assert quiet.error and "_flashes" not in cookie  # told by the view itself, not flashed
    assert _count(app) == 0


def test_any_other_error_is_rolled_back_and_raised(app, session):
    with app.test_request_context(), pytest.raises(ZeroDivisionError):
        with commit_or_flash(session):
            _add(session, 1)
            1 / 0
    assert _count(app) == 0
    with app.test_request_context(), commit_or_flash(session):  # the session is usable again
        _add(session, 2)
    assert _count(app) == 1
