"""The audit trail: staff actions from the admin and the command line, the 操作履歴 page (admin
only, filters, paging) and its CSV for Excel; never a password or a resident's words."""
from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from admin.models import User
from analytics.models import Message
from audit import trail
from audit.models import AuditEvent
from db import utcnow
from tests.admin.conftest import PASSWORD, login, post

RESIDENT = "山田太郎です。電話は090-1234-5678、粗大ごみのソファ"


def _events(session) -> list[AuditEvent]:
    session.expire_all()
    return list(session.scalars(select(AuditEvent).order_by(AuditEvent.id)))


def _everything(session) -> str:
    return "\n".join(f"{e.actor_name}|{e.action}|{e.target}|{e.detail}|{e.client}" for e in _events(session))


def test_staff_actions_are_recorded_with_who_and_where(app, administrator, editor, viewer, faq, session):
    message = Message(created_at=utcnow(), user="u_0123456789abcdef", text=RESIDENT, outcome="answered",
                      faq_id="A01", feedback="down", score=0.7)
    other = Message(created_at=utcnow(), user="u_0123456789abcdef", text="ぴよぴよ", outcome="no_title")
    session.add_all([message, other])
    session.commit()
    stranger = app.test_client()
    stranger.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    login(stranger, "editor", "my-secret-typo")
    login(stranger, "administrator-typed-in-full", "another-secret")

    post(editor, "/admin/faq/new", {"faq_id": "Z01", "question": "新しい質問", "answer": "答え"}, token_page="/admin/faq/new")
    post(editor, "/admin/faq/Z01/edit", {"question": "直した質問", "answer": "答え"}, token_page="/admin/faq/Z01/edit")
    post(editor, "/admin/faq/Z01/publish", {"published": "0"}, token_page="/admin/faq/Z01/edit")
    post(editor, "/admin/synonyms", {"term": "マイナ", "canonical": "マイナンバーカード"}, token_page="/admin/synonyms")
    post(editor, "/admin/synonyms/delete", {"term": "マイナ"}, token_page="/admin/synonyms")
    post(editor, f"/admin/review/{message.id}/judge", {"review": "correct"})
    post(editor, f"/admin/review/{message.id}/relearn", {"faq_id": "B01"})
    post(editor, "/admin/review/exclude", {"message": str(other.id)})
    for url in ("/admin/faq/export.csv", "/admin/dashboard/report.csv?fy=2026", "/admin/dashboard/log.csv?month=2026-12"):
        assert viewer.get(url).status_code == 200, url
    post(administrator, "/admin/users", {"username": "clerk", "password": "p" * 12, "role": "editor"}, token_page="/admin/users")
    clerk = session.scalar(select(User.id).where(User.username == "clerk"))
    post(administrator, f"/admin/users/{clerk}/role", {"role": "viewer"}, token_page="/admin/users")
    post(administrator, f"/admin/users/{clerk}/password", {"password": "q" * 12}, token_page="/admin/users")
    post(administrator, f"/admin/users/{clerk}/delete", token_page="/admin/users")
    post(editor, "/admin/logout")

    events = _events(session)
    by_action = {}
    for e in events:
        by_action.setdefault(e.action, []).append(e)
    assert set(by_action) >= {"login", "login_failed", "logout", "faq_create", "faq_update", "faq_publish",
                              "synonym_set", "synonym_delete", "review_judge", "review_relearn", "faq_download",
                              "report_download", "log_download", "user_create", "user_role", "user_password",
                              "user_delete"}, set(by_action)
    assert {(e.actor_name, e.client) for e in by_action["login"]} >= {("admin", "127.0.0.1"), ("editor", "127.0.0.1")}
    failed = [(e.actor_name, e.target, e.client) for e in by_action["login_failed"]]
    assert failed == [("", "ed＊＊＊", "203.0.113.9"), ("", "ad＊＊＊", "203.0.113.9")]
    assert [e.detail for e in by_action["user_role"]] == ["編集者 → 閲覧者"]
    assert by_action["user_delete"][0].target == "clerk" and by_action["user_delete"][0].actor_name == "admin"
    assert [e.target for e in by_action["faq_create"]] == ["FAQ Z01"]
    assert by_action["faq_publish"][0].detail == "非公開"
    assert by_action["review_relearn"][0].detail == "FAQ B01 の言い換えとして学習"
    assert [e.detail for e in by_action["review_judge"]] == ["「正答」と判定", f"まとめて「除外」と判定（#{other.id}）"]
    assert by_action["log_download"][0].actor_name == "viewer" and by_action["log_download"][0].target == "2026年12月"
    everything = _everything(session)
    for secret in ("my-secret-typo", "another-secret", PASSWORD, "p" * 12, "q" * 12, "administrator-typed",
                   "山田", "090-1234", "ぴよぴよ"):
        assert secret not in everything, secret


def test_an_action_that_fails_records_nothing(editor, faq, session):
    before = len(_events(session))
    response = post(editor, "/admin/faq/new", {"faq_id": "A01", "question": "重複", "answer": "x"},
                    token_page="/admin/faq/new")
    assert response.status_code == 200  # the form again, with the error
    post(editor, "/admin/synonyms/delete", {"term": "登録されていない言葉"}, token_page="/admin/synonyms")
    assert len(_events(session)) == before


def test_record_leaves_the_commit_to_the_caller(session):
    trail.record(session, trail.Actor(None, "test"), "login")
    session.rollback()
    assert _events(session) == []
    trail.record(session, trail.Actor(None, "test"), "login")
    session.commit()
    assert len(_events(session)) == 1


def test_a_typed_login_name_is_cut_short():
    assert trail.masked_login_name("administrator") == "ad＊＊＊"
    assert trail.masked_login_name("abc") == "a＊＊＊"
    assert trail.masked_login_name(" \t\n") == "（空欄）"
    assert trail.masked_login_name("\x00x\u202e") == "x＊＊＊"


def _seed(session, count: int, start: datetime) -> None:
    for n in range(count):
        session.add(AuditEvent(created_at=start + timedelta(hours=n), actor_id=None,
                               actor_name="editor" if n % 2 else "viewer", action="faq_update" if n % 3 else "login",
                               target=f"FAQ {n:03d}", detail="内容を編集", client="10.0.0.1"))
    session.commit()


def test_only_administrators_see_the_trail(editor, viewer, administrator):
    assert editor.get("/admin/audit").status_code == 403 and viewer.get("/admin/audit").status_code == 403
    assert editor.get("/admin/audit.csv").status_code == 403
    page = administrator.get("/admin/audit").get_data(as_text=True)
    assert "操作履歴" in page and ">操作履歴</a>" in page  # in the menu too


def test_the_trail_filters_by_period_user_and_action_and_pages(administrator, session):
    start = datetime(2026, 4, 1, 0, 0, tzinfo=timezone(timedelta(hours=9)))  # JST midnight
    _seed(session, 130, start)
    page = administrator.get("/admin/audit?actor=editor&action=faq_update").get_data(as_text=True)
    # of 130: odd n (65) that are not multiples of 3 (22 odd multiples of 3) → 43
    assert "43 件" in page and "viewer</td>" not in page
    first = administrator.get("/admin/audit?start=2026-04-01&end=2026-04-01").get_data(as_text=True)
    assert "24 件" in first and "FAQ 023" in first and "FAQ 024" not in first  # a Japan day, both ends in
    paged = administrator.get("/admin/audit?start=2026-04-01&end=2026-04-30&page=3").get_data(as_text=True)
    assert "3 / 3 ページ" in paged and "FAQ 029" in paged and "FAQ 030" not in paged  # newest first
    assert "3 / 3 ページ" in administrator.get("/admin/audit?end=2026-04-30&page=99").get_data(as_text=True)
    bad = administrator.get("/admin/audit?start=2026-13-40&action=nonsense&page=x")
    assert bad.status_code == 200 and "日付ではないので無視しました" in bad.get_data(as_text=True)


def test_the_trail_downloads_as_csv_for_excel(administrator, editor, session):
    post(editor, "/admin/synonyms", {"term": "=HYPERLINK(\"http://evil.example\")", "canonical": "@SUM(A1)"},
         token_page="/admin/synonyms")
    response = administrator.get("/admin/audit.csv?action=synonym_set")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    data = response.get_data()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0] == ["日時", "ユーザー", "操作", "対象", "内容", "接続元"] and len(rows) == 2
    assert rows[1][1:4] == ["editor", "同義語の登録", "'=HYPERLINK(\"http://evil.example\")"]  # text, not run
    downloads = [e for e in _events(session) if e.action == "audit_download"]
    assert len(downloads) == 1 and downloads[0].actor_name == "admin" and "操作 同義語の登録" in downloads[0].detail


def test_command_line_actions_are_recorded(runner, session, tmp_path):
    from tests.faq.conftest import FAQ_CSV

    source = tmp_path / "faq.csv"
    source.write_text(FAQ_CSV, encoding="utf-8")
    for args in (["users", "create", "clerk", "--role", "editor", "--password", "p" * 12],
                 ["faq", "import", str(source)], ["faq", "export", str(tmp_path / "out.csv")],
                 ["logs", "export", "--month", "2026-04", str(tmp_path / "log.csv")],
                 ["report", "monthly", "--fiscal-year", "2026", "--format", "csv"]):
        result = runner.invoke(args=args)
        assert result.exit_code == 0, (args, result.output)
    assert session.scalar(select(User.role).where(User.username == "clerk")) == "editor"  # committed
    events = _events(session)
    assert [e.action for e in events] == ["user_create", "faq_import", "faq_download", "log_download", "report_download"]
    assert all(e.actor_name.startswith("コマンド（") and e.client == "コマンド" for e in events)
    assert events[1].target == "faq.csv" and "新規" in events[1].detail
    failed = runner.invoke(args=["users", "create", "clerk", "--password", "p" * 12])  # a name already used
    assert failed.exit_code == 1 and len(_events(session)) == 5
