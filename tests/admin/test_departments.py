"""Ownership and freshness in the admin, on both databases: an editor kept to her departments,
the user page that sets them, 「内容を確認した」, the stale list and the dashboard's count."""
from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from admin.accounts import create_user, set_departments
from admin.models import User, UserDepartment
from analytics.models import Message
from audit.models import AuditEvent
from db import utcnow
from faq import services as faq_services
from faq.models import FaqRevision
from tests.admin.conftest import PASSWORD, login, post
from tests.faq.conftest import HEADER

ENTRY = {"faq_id": "E01", "category": "子育て", "question": "保育園の申し込み", "alternates": "",
         "answer": "子育て支援課で受け付けます。", "url": "", "department": "子育て支援課"}
C01 = {"faq_id": "C01", "category": "子育て", "question": "児童手当の申請", "alternates": "児童手当 手続き",
       "answer": "申請書を子育て支援課に出してください。", "url": "", "department": "子育て支援課"}
FORBIDDEN = "あなたの担当課"


@pytest.fixture
def kosodate(app, staff, session):
    """An editor responsible for 子育て支援課 only (the FAQ's C01)."""
    user = create_user(session, "kosodate", PASSWORD, "editor")
    set_departments(session, user, ["子育て支援課"])
    session.commit()
    client = app.test_client()
    assert login(client, "kosodate").status_code == 302
    return client


def _forbidden(response) -> None:
    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert "権限がありません" in page and FORBIDDEN in page and "何も変更していません" in page


def _snapshot(session) -> tuple:
    session.expire_all()
    return (faq_services.current_version(session), session.scalar(select(FaqRevision.id).order_by(FaqRevision.id.desc())),
            [(e.faq_id, e.department, e.answer, e.published, e.reviewed_at) for e in faq_services.list_entries(session)])


def test_an_editor_with_departments_changes_only_their_entries(kosodate, faq, session):
    page = kosodate.get("/admin/faq").get_data(as_text=True)
    assert page.count(">編集可<") == 1 and page.count(">担当外<") == 3
    assert "見るだけで変更はできません" in kosodate.get("/admin/faq/A01/edit").get_data(as_text=True)
    assert "見るだけ" not in kosodate.get("/admin/faq/C01/edit").get_data(as_text=True)
    before = _snapshot(session)
    revision = session.scalar(select(FaqRevision.id).where(FaqRevision.faq_id == "A01"))
    message = Message(user="u_1", text="住民票がほしい", outcome="no_title")
    session.add(message)
    session.commit()
    for url, data in [("/admin/faq/C01/edit", {**C01, "department": "市民課", "answer": "書きかけの回答"}),  # moving it out
                      ("/admin/faq/new", {**ENTRY, "department": "市民課", "answer": "書きかけの回答"})]:
        response = post(kosodate, url, data, token_page=url)
        page = response.get_data(as_text=True)  # the form comes back as typed, with the reason
        assert response.status_code == 403 and "書きかけの回答" in page
        assert "「市民課」はあなたの担当課（子育て支援課）ではないため保存できません。何も変更していません。" in page
    attempts = [
        ("/admin/faq/A01/edit", {**C01, "faq_id": "A01", "department": "市民課"}, "/admin/faq/C01/edit"),
        ("/admin/faq/A01/edit", {**C01, "faq_id": "A01", "action": "preview"}, "/admin/faq/C01/edit"),
        ("/admin/faq/A01/publish", {"published": "0"}, "/admin/faq/C01/edit"),
        ("/admin/faq/A01/reviewed", {}, "/admin/faq/C01/edit"),
        (f"/admin/faq/revisions/{revision}/restore", {}, "/admin/faq/C01/edit"),
        (f"/admin/review/{message.id}/relearn", {"faq_id": "A01"}, "/admin/faq/C01/edit"),
    ]
    for url, data, token_page in attempts:
        _forbidden(post(kosodate, url, data, token_page=token_page))
    assert _snapshot(session) == before
    session.expire_all()
    assert session.get(Message, message.id).review is None

    response = post(kosodate, "/admin/faq/C01/edit", C01, token_page="/admin/faq/C01/edit")
    assert response.status_code == 302
    response = post(kosodate, "/admin/faq/new", ENTRY, token_page="/admin/faq/new")
    assert response.headers["Location"] == "/admin/faq/E01/edit"
    session.expire_all()
    assert faq_services.get_entry(session, "C01").answer == C01["answer"]
    assert faq_services.get_entry(session, "E01").department == "子育て支援課"


def test_an_import_touching_other_departments_is_refused(kosodate, faq, session):
    before = _snapshot(session)
    other = f"{HEADER}\nA01,住民票,住民票の写しがほしい,,窓口で取れます。,,市民課\n"
    page = post(kosodate, "/admin/faq/import", {"file": (io.BytesIO(other.encode()), "faq.csv")},
                token_page="/admin/faq/import", content_type="multipart/form-data").get_data(as_text=True)
    assert "あなたの担当課ではない FAQ（市民課）を変更する行がある" in page and "反映する" not in page
    moved = f"{HEADER}\nC01,子育て,児童手当の申請,,,,市民課\n"  # one of hers, into another department
    page = post(kosodate, "/admin/faq/import", {"file": (io.BytesIO(moved.encode()), "faq.csv")},
                token_page="/admin/faq/import", content_type="multipart/form-data").get_data(as_text=True)
    assert "市民課" in page and "取り込めません" in page
    assert "見つかりません" in post(kosodate, "/admin/faq/import/apply", token_page="/admin/faq/import",
                                  follow_redirects=True).get_data(as_text=True)  # nothing was kept to apply
    assert _snapshot(session) == before

    own = f"{HEADER}\nC01,子育て,児童手当の申請,児童手当 手続き,新しい回答,,子育て支援課\n"
    post(kosodate, "/admin/faq/import", {"file": (io.BytesIO(own.encode()), "faq.csv")},
         token_page="/admin/faq/import", content_type="multipart/form-data")
    faq_services.get_entry(session, "C01").department = "市民課"  # moved by someone else meanwhile
    session.commit()
    before = _snapshot(session)
    _forbidden(post(kosodate, "/admin/faq/import/apply", token_page="/admin/faq/import"))  # checked again
    assert _snapshot(session) == before
    faq_services.get_entry(session, "C01").department = "子育て支援課"
    session.commit()

    post(kosodate, "/admin/faq/import", {"file": (io.BytesIO(own.encode()), "faq.csv")},
         token_page="/admin/faq/import", content_type="multipart/form-data")
    response = post(kosodate, "/admin/faq/import/apply", token_page="/admin/faq/import")
    assert response.status_code == 302 and response.headers["Location"] == "/admin/faq"
    session.expire_all()
    assert faq_services.get_entry(session, "C01").answer == "新しい回答"


@pytest.mark.parametrize("who", ["editor", "administrator"])
def test_admins_and_editors_without_departments_are_unrestricted(request, who, faq, session):
    client = request.getfixturevalue(who)
    page = client.get("/admin/faq").get_data(as_text=True)
    assert "担当外" not in page and "編集可" not in page
    response = post(client, "/admin/faq/A01/edit", {**C01, "faq_id": "A01", "department": "環境課"},
                    token_page="/admin/faq/A01/edit")
    assert response.status_code == 302
    session.expire_all()
    assert faq_services.get_entry(session, "A01").department == "環境課"


def test_the_user_page_sets_an_editors_departments(administrator, staff, faq, session):
    page = administrator.get("/admin/users").get_data(as_text=True)
    editor_id = session.scalar(select(User.id).where(User.username == "editor"))
    for department in ("市民課", "環境課", "子育て支援課", "税務課"):
        assert f'value="{department}"' in page
    assert 'type="checkbox"' in page and "指定なし：すべての課" in page
    url = f"/admin/users/{editor_id}/departments"
    field = f"u{editor_id}-departments"
    response = post(administrator, url, {field: ["市民課", "税務課"]}, token_page="/admin/users")
    assert response.status_code == 302
    session.expire_all()
    assert session.get(User, editor_id).department_names == {"市民課", "税務課"}
    assert "「editor」の担当課を市民課、税務課にしました" in administrator.get("/admin/users").get_data(as_text=True)
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "user_departments"))
    assert (event.actor_name, event.target, event.detail) == ("admin", "editor", "指定なし（すべての課） → 市民課、税務課")

    refused = post(administrator, url, {field: ["市民課", "存在しない課"]}, token_page="/admin/users", follow_redirects=True)
    assert "担当課「存在しない課」は選べません" in refused.get_data(as_text=True)
    session.expire_all()
    assert session.get(User, editor_id).department_names == {"市民課", "税務課"}

    post(administrator, url, {}, token_page="/admin/users")  # nothing ticked: every department again
    session.expire_all()
    assert session.get(User, editor_id).department_names == frozenset()


def test_deleting_a_user_removes_her_departments(administrator, staff, session):
    user = session.scalar(select(User).where(User.username == "editor"))
    set_departments(session, user, ["市民課"])
    session.commit()
    assert post(administrator, f"/admin/users/{user.id}/delete", token_page="/admin/users").status_code == 302
    session.expire_all()
    assert session.scalars(select(UserDepartment)).all() == []


def test_reviewed_leaves_the_content_and_takes_the_entry_off_the_stale_list(editor, faq, session):
    for entry in faq_services.list_entries(session):
        entry.reviewed_at = utcnow() - timedelta(days=500)
    session.commit()
    page = editor.get("/admin/faq/stale").get_data(as_text=True)
    assert "見直しが必要な FAQ <small>4 件</small>" in page
    for department in ("市民課", "環境課", "子育て支援課", "税務課"):
        assert f"{department} <small>1 件</small>" in page
    version = faq_services.current_version(session)
    response = post(editor, "/admin/faq/A01/reviewed", {"back": "stale"}, token_page="/admin/faq/stale")
    assert response.headers["Location"] == "/admin/faq/stale"
    session.expire_all()
    assert faq_services.get_entry(session, "A01").reviewed_at > utcnow() - timedelta(minutes=5)
    assert faq_services.current_version(session) == version  # no change to the index or the history
    assert [r.action for r in faq_services.history(session, "A01")] == ["import"]
    assert session.scalar(select(AuditEvent.target).where(AuditEvent.action == "faq_review")) == "FAQ A01"
    assert "見直しが必要な FAQ <small>3 件</small>" in editor.get("/admin/faq/stale").get_data(as_text=True)
    post(editor, "/admin/faq/B01/edit", {**C01, "faq_id": "B01", "department": "環境課"}, token_page="/admin/faq/B01/edit")
    assert "見直しが必要な FAQ <small>2 件</small>" in editor.get("/admin/faq/stale").get_data(as_text=True)


def test_the_dashboard_counts_stale_entries_and_links_to_the_list(configure, viewer, faq, session):
    configure(faq_stale_months=6)
    entries = {e.faq_id: e for e in faq_services.list_entries(session)}
    entries["A01"].reviewed_at = utcnow() - timedelta(days=200)
    entries["B01"].reviewed_at = utcnow() - timedelta(days=300)
    entries["C01"].reviewed_at = utcnow() - timedelta(days=150)  # under six months
    entries["D01"].reviewed_at = utcnow() - timedelta(days=400)
    entries["D01"].published = False  # answers no one
    session.commit()
    page = viewer.get("/admin/dashboard").get_data(as_text=True)
    assert '<a href="/admin/faq/stale">見直し期限切れ 2 件</a>' in page and "6か月以上" in page
    stale = viewer.get("/admin/faq/stale").get_data(as_text=True)
    assert "見直しが必要な FAQ <small>2 件</small>" in stale and "内容を確認した</button>" not in stale  # viewers read only
    assert "A01" in stale and "B01" in stale and "C01" not in stale and "D01" not in stale
    download = viewer.get("/admin/faq/stale.csv")
    assert download.headers["Content-Disposition"] == "attachment; filename=faq-stale.csv"
    text = download.get_data().decode("utf-8")
    assert text.startswith("\ufeff担当課,ID,分類,質問,最終確認日,経過日数\r\n") and text.count("\r\n") == 3
    assert ",300\r\n" in text and ",200\r\n" in text
    session.expire_all()
    assert session.scalar(select(AuditEvent.detail).where(AuditEvent.action == "stale_download")) == "CSV 2件（6か月以上未確認）"


def test_a_limited_editor_sees_other_departments_on_the_stale_list_without_the_button(kosodate, faq, session):
    for entry in faq_services.list_entries(session):
        entry.reviewed_at = utcnow() - timedelta(days=500)
    session.commit()
    page = kosodate.get("/admin/faq/stale").get_data(as_text=True)
    assert page.count("内容を確認した</button>") == 1 and page.count("担当外") == 3


def test_a_deleted_entry_is_restored_by_its_departments_editors(app, kosodate, administrator, faq, session):
    csv = f"{HEADER}\nA01,住民票,住民票の写しがほしい,,窓口で取れます。,,市民課\n"  # --replace: B01, C01, D01 go
    post(administrator, "/admin/faq/import", {"file": (io.BytesIO(csv.encode()), "faq.csv"), "replace": "y"},
         token_page="/admin/faq/import", content_type="multipart/form-data")
    assert post(administrator, "/admin/faq/import/apply", token_page="/admin/faq/import").status_code == 302
    session.expire_all()
    assert faq_services.get_entry(session, "B01") is None and faq_services.get_entry(session, "C01") is None
    deleted = {r.faq_id: r.id for r in session.scalars(select(FaqRevision).where(FaqRevision.action == "delete"))}
    _forbidden(post(kosodate, f"/admin/faq/revisions/{deleted['B01']}/restore", token_page="/admin/faq"))
    response = post(kosodate, f"/admin/faq/revisions/{deleted['C01']}/restore", token_page="/admin/faq")
    assert response.headers["Location"] == "/admin/faq/C01/edit"
    session.expire_all()
    assert faq_services.get_entry(session, "B01") is None
    assert faq_services.get_entry(session, "C01").department == "子育て支援課"


def test_users_create_gives_an_editor_departments(runner, session):
    result = runner.invoke(args=["users", "create", "kosodate", "--role", "editor", "--password", "p" * 12,
                                 "--department", "子育て支援課", "--department", "健康づくり課"])
    assert result.exit_code == 0, result.output
    assert "編集者、担当課: 健康づくり課、子育て支援課" in result.output
    user = session.scalar(select(User).where(User.username == "kosodate"))
    assert user.department_names == {"子育て支援課", "健康づくり課"}
    refused = runner.invoke(args=["users", "create", "boss", "--role", "admin", "--password", "p" * 12,
                                  "--department", "市民課"])
    assert refused.exit_code != 0 and "編集者（--role editor）にだけ" in refused.output
    assert session.scalar(select(User).where(User.username == "boss")) is None
