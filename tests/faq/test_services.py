"""Curation services on both databases: edits with history, restore, relearn, synonyms."""
from __future__ import annotations

import pytest

from faq import services
from faq.entries import EntryError, EntryRow
from faq.importer import import_faq, parse_faq_csv


@pytest.fixture
def loaded(session, faq_csv):
    import_faq(session, parse_faq_csv(faq_csv))
    session.commit()
    return session


def test_relearn_adds_the_phrasing_once_and_bumps_the_version(loaded):
    session = loaded
    version = services.current_version(session)
    services.relearn(session, "B01", "  ベッドを処分したい ", author="staff-a")
    session.commit()
    entry = services.get_entry(session, "B01")
    assert [(a.text, a.source) for a in entry.alternates][-1] == ("ベッドを処分したい", "relearn")
    assert services.current_version(session) == version + 1
    revision = services.history(session, "B01")[0]
    assert (revision.action, revision.author) == ("relearn", "staff-a")
    assert "ベッドを処分したい" in revision.snapshot["alternates"]

    services.relearn(session, "B01", "ベッドを処分したい")  # already known: nothing at all
    services.relearn(session, "B01", "粗大ごみの出し方")  # the question itself
    session.commit()
    assert len(services.get_entry(session, "B01").alternates) == 3
    assert services.current_version(session) == version + 1
    assert len(services.history(session, "B01")) == 2


def test_relearn_refuses_an_unknown_entry_and_empty_text(loaded):
    with pytest.raises(EntryError, match="Z99"):
        services.relearn(loaded, "Z99", "何か")
    with pytest.raises(EntryError, match="空"):
        services.relearn(loaded, "A01", "   ")
    with pytest.raises(EntryError, match="500文字"):  # a pasted letter is no phrasing to learn
        services.relearn(loaded, "A01", "住民票" * 200)


def test_edits_keep_history_and_an_earlier_version_can_be_restored(loaded):
    session = loaded
    original = services.history(session, "D01")[0]
    services.update_entry(session, EntryRow(
        faq_id="D01", category="税金", question="住民税の払い方", alternates=["住民税 コンビニ"],
        answer="口座振替もできます。", department="税務課"), author="staff-b")
    session.commit()
    assert services.get_entry(session, "D01").answer == "口座振替もできます。"
    latest = services.history(session, "D01")[0]
    assert (latest.action, latest.author, latest.snapshot["question"]) == ("update", "staff-b", "住民税の払い方")

    version = services.current_version(session)
    services.restore_revision(session, original.id, author="staff-c")
    session.commit()
    entry = services.get_entry(session, "D01")
    assert (entry.question, entry.answer) == ("住民税の納付方法", "納付書で金融機関かコンビニで払えます。")
    assert [a.text for a in entry.alternates] == ["住民税 払い方"]
    assert [r.action for r in services.history(session, "D01")] == ["restore", "update", "import"]
    assert services.current_version(session) == version + 1


def test_an_update_that_changes_nothing_records_nothing(loaded):
    session = loaded
    entry = services.get_entry(session, "C01")
    services.update_entry(session, EntryRow(
        faq_id="C01", category="子育て", question="児童手当の申請", alternates=["児童手当 手続き"],
        department="子育て支援課"))
    session.commit()
    assert entry.answer == "" and len(services.history(session, "C01")) == 1


def test_create_checks_like_the_csv_does(loaded):
    with pytest.raises(EntryError, match="すでに"):
        services.create_entry(loaded, EntryRow(faq_id="A01", question="重複"))
    with pytest.raises(EntryError, match="URL"):
        services.create_entry(loaded, EntryRow(faq_id="N01", question="q", url="ftp://x"))
    with pytest.raises(EntryError, match="質問が空"):
        services.create_entry(loaded, EntryRow(faq_id="N01", question=" "))
    entry = services.create_entry(loaded, EntryRow(faq_id="N01", question="新しい質問", alternates=["言い換え"]),
                                  author="staff")
    loaded.commit()
    assert entry.published and entry.alternates[0].source == "staff"
    assert services.history(loaded, "N01")[0].action == "create"


def test_documents_hold_published_entries_including_empty_answers(loaded):
    session = loaded
    services.set_published(session, "B01", False)
    session.commit()
    documents = {d.faq_id: d for d in services.documents(session)}
    assert set(documents) == {"A01", "C01", "D01"}
    assert documents["C01"].answer == ""
    assert documents["A01"].alternates == ("住民票 取り方", "住民票はどこでもらえますか")
    assert services.history(session, "B01")[0].action == "unpublish"
    services.set_published(session, "B01", True)
    session.commit()
    assert "B01" in {d.faq_id for d in services.documents(session)}


def test_list_entries_filters(loaded):
    session = loaded
    services.set_published(session, "D01", False)
    session.commit()

    def ids(**filters):
        return [e.faq_id for e in services.list_entries(session, **filters)]

    assert ids() == ["A01", "B01", "C01", "D01"]
    assert ids(category="ごみ") == ["B01"]
    assert ids(department="市民課") == ["A01"]
    assert ids(status="published") == ["A01", "B01", "C01"]
    assert ids(status="unpublished") == ["D01"]
    assert ids(status="empty_answer") == ["C01"]
    assert ids(text="ソファ") == ["B01"]  # found through an alternate
    assert ids(text="コンビニ") == ["A01", "D01"]  # found in answers
    assert set(services.categories(session)) == {"住民票", "ごみ", "子育て", "税金"}


def test_synonyms_are_kept_and_each_change_bumps_the_version(loaded):
    session = loaded
    version = services.current_version(session)
    services.set_synonym(session, "マイナ", "マイナンバーカード")
    services.set_synonym(session, "マイナ", "マイナンバーカード")  # same again: no change
    session.commit()
    assert services.synonyms(session) == {"マイナ": "マイナンバーカード"}
    assert services.current_version(session) == version + 1
    with pytest.raises(EntryError):
        services.set_synonym(session, "同じ", "同じ")
    services.delete_synonym(session, "マイナ")
    session.commit()
    assert services.synonyms(session) == {} and services.current_version(session) == version + 2


def test_translated_questions_reach_the_index_document_in_language_order():
    row = EntryRow("A01", question="住民票の写し", answer="市民課で", translations={
        "question_vi": "Bản sao phiếu cư trú", "question_en": "A copy of the residence certificate",
        "answer_en": "At the Citizens Division", "answer_easy": "しみんか で", "question_zh": "  "})
    doc = services.document_of(row)
    assert doc.translated_questions == (("en", "A copy of the residence certificate"), ("vi", "Bản sao phiếu cư trú"))
    assert (doc.question, doc.answer) == ("住民票の写し", "市民課で")
