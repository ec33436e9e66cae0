"""判定済みログの一括取り込み: upload, preview, apply; broken files and changed logs change nothing."""
from __future__ import annotations

import io
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from analytics.models import Message
from audit.models import AuditEvent
from faq import services as faq_services
from tests.admin.conftest import post

MAY_2024 = datetime(2024, 5, 10, 3, 0, tzinfo=timezone.utc)
HEADER = "id,timestamp,user,text,outcome,faq_id,score,review,correct_faq_id"


@pytest.fixture
def log(session, faq) -> dict[str, int]:
    """Three questions as the bot logged them; returns their ids by text."""
    ids = {}
    for text, outcome, faq_id in (("ソファを処分したいのですが", "answered", "A01"), ("住民票はどこ", "answered", "A01"),
                                  ("あいうえお", "no_title", None)):
        message = Message(created_at=MAY_2024, user="u_00000000000000aa", text=text, outcome=outcome, faq_id=faq_id)
        session.add(message)
        session.flush()
        ids[text] = message.id
    session.commit()
    return ids


def _judged(ids: dict[str, int]) -> str:
    """The exported log with staff's judgements typed in (as staff read them)."""
    rows = [(ids["ソファを処分したいのですが"], "ソファを処分したいのですが", "回答", "A01", "再学習要", "B01"),
            (ids["住民票はどこ"], "住民票はどこ", "回答", "A01", "正答", ""),
            (ids["あいうえお"], "あいうえお", "表題なし", "", "", "")]
    return HEADER + "\r\n" + "".join(f"{i},2024-05-10T12:00:00+09:00,u_00000000000000aa,{text},{outcome},{faq_id},,{review},{correct}\r\n"
                                     for i, text, outcome, faq_id, review, correct in rows)


def _upload(client, data: bytes, name: str = "judged.csv"):
    return post(client, "/admin/review/upload", {"file": (io.BytesIO(data), name)}, token_page="/admin/review/upload",
                content_type="multipart/form-data")


def _reviews(session, ids) -> dict[str, tuple]:
    session.expire_all()
    return {text: (m.review, m.correct_faq_id) for text, i in ids.items() if (m := session.get(Message, i))}


UNJUDGED = {"ソファを処分したいのですが": (None, None), "住民票はどこ": (None, None), "あいうえお": (None, None)}


def test_upload_previews_then_applies_and_is_recorded(editor, session, log):
    page = _upload(editor, _judged(log).encode("cp932")).get_data(as_text=True)
    assert "Shift_JIS (cp932)" in page and "変更 2 件、変更なし 1 件" in page
    assert "未判定 → <strong>再学習要</strong>" in page and "言い換えとして学習" in page
    assert "ソファを処分したいのですが" in page and "この内容で反映する（2 件）" in page
    assert _reviews(session, log) == UNJUDGED  # the preview changes nothing
    page = post(editor, "/admin/review/upload/apply", token_page="/admin/review/upload",
                follow_redirects=True).get_data(as_text=True)
    assert "更新 2 件" in page and "再学習 1 件" in page
    assert _reviews(session, log) == {"ソファを処分したいのですが": ("relearn", "B01"), "住民票はどこ": ("correct", None),
                                      "あいうえお": (None, None)}
    assert session.get(Message, log["住民票はどこ"]).reviewed_by == "editor"
    assert "ソファを処分したいのですが" in [a.text for a in faq_services.get_entry(session, "B01").alternates]
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "review_apply"))
    assert (event.actor_name, event.target) == ("editor", "judged.csv") and "管理画面から" in event.detail
    again = post(editor, "/admin/review/upload/apply", token_page="/admin/review/upload", follow_redirects=True)
    assert "反映する内容が見つかりません" in again.get_data(as_text=True)  # applied once, not twice


def test_an_xlsx_and_unicode_text_are_read(editor, session, log):
    from openpyxl import Workbook

    book = Workbook()
    for row in _judged(log).splitlines():
        book.active.append(row.split(","))
    data = io.BytesIO()
    book.save(data)
    page = _upload(editor, data.getvalue(), "judged.xlsx").get_data(as_text=True)
    assert "Excel ブック（.xlsx）" in page and "変更 2 件" in page
    text = _judged(log).replace(",", "\t").encode("utf-16")
    page = _upload(editor, text, "judged.txt").get_data(as_text=True)
    assert "UTF-16" in page and "変更 2 件" in page


@pytest.mark.parametrize("data, name, said", [
    (b"", "judged.csv", "ファイルが空です"),
    ("名前,判定\r\n1,正答\r\n".encode(), "judged.csv", "必要な列がありません: id, review"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "judged.csv", "表のファイルではありません"),
    (b"%PDF-1.4", "judged.pdf", "いずれかを選んでください"),
])
def test_a_broken_file_says_why_and_changes_nothing(editor, session, log, data, name, said):
    response = _upload(editor, data, name)
    assert response.status_code == 200 and said in response.get_data(as_text=True)
    assert "この内容で反映する" not in response.get_data(as_text=True)
    apply = post(editor, "/admin/review/upload/apply", token_page="/admin/review/upload", follow_redirects=True)
    assert "反映する内容が見つかりません" in apply.get_data(as_text=True)
    assert _reviews(session, log) == UNJUDGED


def test_a_file_too_big_is_refused_in_japanese(editor, session, log, monkeypatch):
    from admin import blueprint

    monkeypatch.setattr("admin.review_upload_views.MAX_BYTES", 100)
    page = _upload(editor, _judged(log).encode()).get_data(as_text=True)
    assert "ファイルが大きすぎます" in page and "この内容で反映する" not in page
    monkeypatch.setattr(blueprint, "UPLOAD_LIMIT", 100)  # over the admin's request limit: before the view runs
    response = _upload(editor, _judged(log).encode())
    assert response.status_code == 413 and "ファイルが大きすぎます" in response.get_data(as_text=True)
    assert _reviews(session, log) == UNJUDGED


def test_refused_rows_are_listed_and_nothing_can_be_applied(editor, session, log):
    bad = _judged(log) + "999999,,,,,,,正答,\r\n" + f"{log['あいうえお']},,,,,,,たぶん,\r\n"
    bad = bad.replace(",再学習要,B01", ",再学習要,ZZZ")
    page = _upload(editor, bad.encode()).get_data(as_text=True)
    assert "反映できない行 3 件" in page
    assert "2行目: correct_faq_id「ZZZ」の FAQ はありません" in page
    assert "5行目: id 999999 の記録はありません" in page and "6行目: review「たぶん」は使えません" in page
    assert "この内容で反映する" not in page
    assert _reviews(session, log) == UNJUDGED


def test_an_id_beyond_any_row_is_refused_not_a_server_error(editor, session, log):
    page = _upload(editor, f"id,review\r\n{2**31},正答\r\n{10**30},正答\r\n".encode())
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert f"2行目: id {2**31} の記録はありません" in text and f"3行目: id {10**30} の記録はありません" in text


def test_apply_refuses_when_a_row_was_judged_meanwhile(editor, session, log):
    page = _upload(editor, _judged(log).encode()).get_data(as_text=True)
    assert "この内容で反映する（2 件）" in page
    message = session.get(Message, log["住民票はどこ"])
    message.review = "excluded"  # a colleague judged it in the queue in between
    session.commit()
    page = post(editor, "/admin/review/upload/apply", token_page="/admin/review/upload",
                follow_redirects=True).get_data(as_text=True)
    assert "反映しませんでした" in page and "3行目: 質問 #" in page and "未判定 → 除外" in page
    assert _reviews(session, log) == {**UNJUDGED, "住民票はどこ": ("excluded", None)}  # nothing else applied
    assert "ソファを処分したいのですが" not in [a.text for a in faq_services.get_entry(session, "B01").alternates]
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "review_apply")) is None


def test_a_preview_left_for_a_day_is_not_applied(editor, session, log, monkeypatch):
    assert "この内容で反映する" in _upload(editor, _judged(log).encode()).get_data(as_text=True)
    monkeypatch.setattr("admin.review_upload_views.STASH_SECONDS", -1)
    page = post(editor, "/admin/review/upload/apply", token_page="/admin/review/upload", follow_redirects=True)
    assert "反映する内容が見つかりません" in page.get_data(as_text=True)
    assert _reviews(session, log) == UNJUDGED


def test_viewers_cannot_upload(viewer, log):
    assert viewer.get("/admin/review/upload").status_code == 403
    assert post(viewer, "/admin/review/upload/apply", token_page="/admin/dashboard").status_code == 403
