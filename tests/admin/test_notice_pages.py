"""The notice pages of the admin: topics residents choose from, notices drafted, approved, sent."""
from __future__ import annotations

from sqlalchemy import select

from notices.models import Topic
from tests.admin.conftest import post


def _topics(session) -> list[tuple[str, bool]]:
    session.expire_all()
    return [(t.name, t.active) for t in session.scalars(select(Topic).order_by(Topic.id))]


def test_an_editor_defines_topics(editor, session):
    page = editor.get("/admin/topics").get_data(as_text=True)
    assert "LINE_ID_KEYS が設定されていない" in page  # the test settings have no key
    added = post(editor, "/admin/topics", {"name": "防災", "description": "避難情報", "active": "y"})
    assert added.status_code == 302
    assert _topics(session) == [("防災", True)]
    again = post(editor, "/admin/topics", {"name": " 防災 ", "active": "y"})
    assert again.status_code == 200 and "分野「防災」はすでにあります" in again.get_data(as_text=True)
    too_long = post(editor, "/admin/topics", {"name": "あ" * 15})
    assert too_long.status_code == 200 and "14文字までです" in too_long.get_data(as_text=True)
    topic_id = session.scalar(select(Topic.id))
    post(editor, f"/admin/topics/{topic_id}", {"name": "防災・避難", "description": ""})  # unchecked: stopped
    assert _topics(session) == [("防災・避難", False)]
    assert "防災・避難" in editor.get("/admin/topics").get_data(as_text=True)


def test_a_viewer_cannot_define_topics(viewer, session):
    assert viewer.get("/admin/topics").status_code == 403
    assert _topics(session) == []
