"""The FAQ editor through its pages: edit and restore, LINE preview, CSV in and out, synonyms
(the check before publishing: test_check_jobs.py)."""
from __future__ import annotations

import io

from sqlalchemy import select

from faq import services as faq_services
from faq.models import FaqRevision
from tests.admin.conftest import post
from tests.faq.conftest import HEADER

ENTRY = {"faq_id": "E01", "category": "届出", "question": "転入届の出し方", "alternates": "引っ越してきた\n転入 手続き",
         "answer": "市民課の窓口で転入届を出してください。", "url": "https://city.example.jp/tennyu", "department": "市民課"}


def test_create_edit_and_restore_an_earlier_version(editor, faq, session):
    response = post(editor, "/admin/faq/new", ENTRY, token_page="/admin/faq/new")
    assert response.headers["Location"] == "/admin/faq/E01/edit"
    page = editor.get("/admin/faq/E01/edit").get_data(as_text=True)
    assert "を作成しました" in page and "引っ越してきた" in page
    post(editor, "/admin/faq/E01/edit", {**ENTRY, "answer": "間違えた回答"}, token_page="/admin/faq/E01/edit")
    session.expire_all()
    assert faq_services.get_entry(session, "E01").answer == "間違えた回答"
    history = editor.get("/admin/faq/E01/history").get_data(as_text=True)
    assert "編集" in history and "間違えた回答" in history and "editor" in history
    first = session.scalar(select(FaqRevision).where(FaqRevision.faq_id == "E01", FaqRevision.action == "create"))
    response = post(editor, f"/admin/faq/revisions/{first.id}/restore", token_page="/admin/faq/E01/history")
    assert response.headers["Location"] == "/admin/faq/E01/edit"
    session.expire_all()
    assert faq_services.get_entry(session, "E01").answer == ENTRY["answer"]
    assert "復元" in editor.get("/admin/faq/E01/history").get_data(as_text=True)


def test_a_bad_entry_is_refused_with_the_reason_and_nothing_saved(editor, faq, session):
    page = post(editor, "/admin/faq/new", {**ENTRY, "faq_id": "A01"}, token_page="/admin/faq/new").get_data(as_text=True)
    assert "ID「A01」はすでに使われています" in page
    page = post(editor, "/admin/faq/new", {**ENTRY, "url": "javascript:alert(1)"}, token_page="/admin/faq/new").get_data(as_text=True)
    assert "http:// または https:// で始まるURL" in page
    assert faq_services.get_entry(session, "E01") is None


def test_unpublish_and_publish(editor, faq, session):
    post(editor, "/admin/faq/A01/publish", {"published": "0"}, token_page="/admin/faq/A01/edit")
    session.expire_all()
    assert not faq_services.get_entry(session, "A01").published
    assert "非公開" in editor.get("/admin/faq?status=unpublished").get_data(as_text=True)
    post(editor, "/admin/faq/A01/publish", {"published": "1"}, token_page="/admin/faq/A01/edit")
    session.expire_all()
    assert faq_services.get_entry(session, "A01").published


def test_the_line_preview_shows_the_answer_and_warns_when_long(editor, faq):
    page = editor.get("/admin/faq/A01/edit").get_data(as_text=True)
    assert 'class="bubble bot"' in page and "詳しくはこちら: https://city.example.jp/juminhyo" in page and "スマートフォンでは長く" not in page
    long = {**ENTRY, "faq_id": "A01", "answer": "長い説明です。" * 80, "action": "preview"}
    page = post(editor, "/admin/faq/A01/edit", long, token_page="/admin/faq/A01/edit").get_data(as_text=True)
    assert "スマートフォンでは長く感じられます" in page
    too_long = {**long, "answer": "あ" * 5001}
    assert "回答の途中で切れます" in post(editor, "/admin/faq/A01/edit", too_long, token_page="/admin/faq/A01/edit").get_data(as_text=True)
    assert "回答未入力" in editor.get("/admin/faq/C01/edit").get_data(as_text=True)


def test_list_filters_by_category_department_and_status(editor, faq):
    page = editor.get("/admin/faq?category=ごみ").get_data(as_text=True)
    assert "粗大ごみの出し方" in page and "住民票の写し" not in page
    page = editor.get("/admin/faq?department=税務課").get_data(as_text=True)
    assert "住民税の納付方法" in page and "粗大ごみ" not in page
    page = editor.get("/admin/faq?status=empty_answer").get_data(as_text=True)
    assert "児童手当の申請" in page and "粗大ごみ" not in page


def test_search_ranks_entries_the_way_residents_ask(editor, faq):
    page = editor.get("/admin/faq?q=ソファを捨てたいんだけど").get_data(as_text=True)
    assert page.index("粗大ごみの出し方") < page.index("住民票の写しがほしい")


def test_import_previews_then_applies(editor, faq, session):
    csv = (f"{HEADER}\nA01,住民票,住民票の写しがほしい,,新しい回答です。,,市民課\n"
           "N01,新規,新しい質問,,新しい答え,,総務課\n")
    page = post(editor, "/admin/faq/import", {"file": (io.BytesIO(csv.encode("cp932")), "faq.csv")},
                token_page="/admin/faq/import", content_type="multipart/form-data").get_data(as_text=True)
    assert "Shift_JIS" in page and "新規 1 件" in page and "更新 1 件" in page and "新しい回答です。" in page
    session.expire_all()
    assert faq_services.get_entry(session, "N01") is None  # nothing yet
    response = post(editor, "/admin/faq/import/apply", token_page="/admin/faq/import")
    assert response.status_code == 302
    session.expire_all()
    assert faq_services.get_entry(session, "N01").answer == "新しい答え"
    assert faq_services.get_entry(session, "A01").answer == "新しい回答です。"
    assert faq_services.get_entry(session, "B01") is not None  # not --replace: kept


def test_a_bad_upload_names_the_line_and_changes_nothing(editor, faq, session):
    version = faq_services.current_version(session)
    csv = f"{HEADER}\nA01,住民票,住民票,,答え,,市民課\nA02,住民票,,,答え,,市民課\n"
    page = post(editor, "/admin/faq/import", {"file": (io.BytesIO(csv.encode()), "faq.csv")},
                token_page="/admin/faq/import", content_type="multipart/form-data").get_data(as_text=True)
    assert "CSV を読み込めませんでした。3行目" in page and "質問が空" in page
    page = post(editor, "/admin/faq/import", {"file": (io.BytesIO(b"\xff\xfeA\x00"), "faq.csv")},
                token_page="/admin/faq/import", content_type="multipart/form-data").get_data(as_text=True)
    assert "UTF-16" in page
    response = post(editor, "/admin/faq/import/apply", token_page="/admin/faq/import", follow_redirects=True)
    assert "取り込むファイルが見つかりません" in response.get_data(as_text=True)
    session.expire_all()
    assert faq_services.current_version(session) == version


def test_export_downloads_the_faq_csv(viewer, faq):
    response = viewer.get("/admin/faq/export.csv")
    assert response.headers["Content-Disposition"] == "attachment; filename=faq.csv"
    text = response.get_data().decode("utf-8-sig")
    assert text.startswith(HEADER) and "粗大ごみの出し方" in text


def test_the_faq_download_quotes_formulas(viewer, faq, session):
    entry = faq_services.require_entry(session, "B01")
    entry.question = "=1+1"
    session.commit()
    text = viewer.get("/admin/faq/export.csv").get_data().decode("utf-8-sig")
    assert "B01,ごみ,'=1+1," in text


def test_synonyms_are_added_and_removed(editor, faq, session):
    version = faq_services.current_version(session)
    post(editor, "/admin/synonyms", {"term": "マイナ", "canonical": "マイナンバーカード"}, token_page="/admin/synonyms")
    session.expire_all()
    assert faq_services.synonyms(session) == {"マイナ": "マイナンバーカード"}
    assert faq_services.current_version(session) == version + 1
    page = post(editor, "/admin/synonyms", {"term": "国保", "canonical": "国保"}, token_page="/admin/synonyms").get_data(as_text=True)
    assert "同じです" in page
    post(editor, "/admin/synonyms/delete", {"term": "マイナ"}, token_page="/admin/synonyms")
    session.expire_all()
    assert faq_services.synonyms(session) == {}


def test_try_it_shows_scores_band_and_before_after(editor, faq, session, app):
    page = editor.get("/admin/try?q=ソファを捨てたい").get_data(as_text=True)
    assert "B01" in page and "回答する" in page and "<h2>変更前" not in page
    post(editor, "/admin/faq/B01/publish", {"published": "0"}, token_page="/admin/faq/B01/edit")
    app.extensions["cityfaq"].live_index.refresh()
    page = editor.get("/admin/try?q=ソファを捨てたい").get_data(as_text=True)
    assert "<h2>変更前" in page and "<h2>変更後" in page


def test_translations_are_edited_and_easy_japanese_is_drafted_and_checked(editor, faq, session):
    post(editor, "/admin/faq/new", {**ENTRY, "answer_en": "Hand in the moving-in notice at the Citizens Division."},
         token_page="/admin/faq/new")
    session.expire_all()
    assert faq_services.get_entry(session, "E01").translations == {
        "answer_en": "Hand in the moving-in notice at the Citizens Division."}
    page = post(editor, "/admin/faq/E01/edit", {**ENTRY, "action": "easy_draft"},
                token_page="/admin/faq/E01/edit").get_data(as_text=True)
    assert "しみんかの まどぐちで" in page or "しみん" in page  # the draft, with Sudachi's readings
    assert "やさしい日本語のチェック" in page
    session.expire_all()
    assert "answer_easy" not in faq_services.get_entry(session, "E01").translations  # a draft is not saved
    page = post(editor, "/admin/faq/E01/edit", {**ENTRY, "answer_easy": "令和8年から、ご利用いただけます。",
                                                 "action": "preview"}, token_page="/admin/faq/E01/edit").get_data(as_text=True)
    assert "尊敬語・謙譲語" in page and "和暦は西暦で" in page
    # Saving through the editor keeps the other translations (the form holds every field).
    post(editor, "/admin/faq/E01/edit", {**ENTRY, "answer_en": "Changed.", "answer_easy": "しやくしょ で だします。"},
         token_page="/admin/faq/E01/edit")
    session.expire_all()
    assert faq_services.get_entry(session, "E01").translations == {"answer_en": "Changed.",
                                                                   "answer_easy": "しやくしょ で だします。"}
    page = editor.get("/admin/faq/E01/edit").get_data(as_text=True)
    assert "English で質問した住民には" in page and "やさしい日本語 で質問した住民には" in page
    assert "Changed.\n\nMore information: https://city.example.jp/tennyu" in page
