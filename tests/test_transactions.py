"""One transaction rule: services never commit; a surface's unit of work commits or rolls back."""
from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, select

import db
from analytics.models import Message
from errors import UserError
from faq.entries import EntryError

ROOT = Path(__file__).resolve().parent.parent
# The domain and its services: everything in these packages except the surfaces (views, CLI).
SERVICE_PACKAGES = ("faq", "analytics", "audit", "notices", "handoff")
SURFACE = re.compile(r"(^|_)(views?|cli)\.py$")


def _message(id_: int) -> Message:
    return Message(id=id_, created_at=datetime(2026, 4, 1, tzinfo=timezone.utc), user="u_1", kind="text",
                   text="住民票", outcome="no_title")


def _count(sessionmaker) -> int:
    with sessionmaker() as session:
        return session.scalar(select(func.count()).select_from(Message))


@pytest.fixture
def sessionmaker(settings):
    engine = db.make_engine(settings.database_url)
    yield db.make_sessionmaker(engine)
    engine.dispose()


def test_unit_of_work_commits_when_the_block_ends(sessionmaker):
    with sessionmaker() as session, db.unit_of_work(session):
        session.add(_message(1))
    assert _count(sessionmaker) == 1


@pytest.mark.parametrize("error", [EntryError("質問を入力してください。"), RuntimeError("a bug")])
def test_unit_of_work_rolls_back_and_reraises(sessionmaker, error):
    with sessionmaker() as session:
        with pytest.raises(type(error)), db.unit_of_work(session):
            session.add(_message(1))
            session.flush()  # written inside the transaction, then undone
            raise error
        assert _count(sessionmaker) == 0
        with db.unit_of_work(session):  # the session is usable again
            session.add(_message(2))
    assert _count(sessionmaker) == 1


def test_user_errors_are_one_family():
    from admin.accounts import AccountError
    from analytics.logcsv import LogError
    from analytics.retention import RetentionError
    from analytics.sample import SampleError
    from backup import BackupError
    from config import ConfigError
    from common.csvio import CsvError
    from handoff.office_hours import HoursError
    from handoff.service import HandoffError
    from notices.crypto import KeyError_
    from notices.service import NoticeError
    from notices.subscriptions import TopicError
    from retrieval.evaluate import QueryFileError

    for cls in (AccountError, LogError, RetentionError, SampleError, BackupError, ConfigError, CsvError,
                HoursError, HandoffError, KeyError_, NoticeError, TopicError, QueryFileError, EntryError):
        assert issubclass(cls, UserError), cls
    assert EntryError("題名がありません。").message == "題名がありません。"


def _service_modules() -> list[Path]:
    return [path for package in SERVICE_PACKAGES for path in sorted((ROOT / package).rglob("*.py"))
            if not SURFACE.search(path.name)]


def test_service_modules_never_commit():
    modules = _service_modules()
    assert any(p.name == "services.py" for p in modules)  # the walk found the services
    committing = [str(p.relative_to(ROOT)) for p in modules if ".commit()" in p.read_text(encoding="utf-8")]
    assert committing == [], f"services must leave the commit to the surface: {committing}"
