"""The engine every package shares."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy.exc import IntegrityError

import db
from analytics.models import Message


def test_a_failed_statement_does_not_show_its_parameters(settings):
    """gunicorn logs the exception text; a question in it would leak what the resident typed."""
    engine = db.make_engine(settings.database_url)
    sessionmaker = db.make_sessionmaker(engine)
    row = dict(id=1, created_at=datetime(2026, 4, 1, tzinfo=timezone.utc), user="u_1", kind="text",
               text="山田の住民票", outcome="no_title")
    with sessionmaker() as session:
        session.add(Message(**row))
        session.commit()
        session.add(Message(**row))  # the same id again
        with pytest.raises(IntegrityError) as failed:
            session.commit()
    engine.dispose()
    assert "山田" not in str(failed.value) and "u_1" not in str(failed.value)
