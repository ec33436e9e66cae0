"""The live index with the real model and dictionary: changes reach it without a restart."""
from __future__ import annotations

import time

import pytest

from faq import services
from faq.importer import import_faq, parse_faq_csv
from faq.live import EntryView, LiveIndex

NEW_PHRASING = "ぴよぴよ窓口で手続き"  # no entry says anything like it until it is relearned


@pytest.fixture
def live(app, session, faq_csv):
    import_faq(session, parse_faq_csv(faq_csv))
    services.set_published(session, "D01", False)
    session.commit()
    live = app.extensions["cityfaq"].live_index
    yield live
    live.close()


def _answers(live: LiveIndex, text: str, faq_id: str, threshold: float) -> bool:
    hits = live.search(text, k=3)
    return bool(hits) and hits[0].faq_id == faq_id and hits[0].score >= threshold


def test_search_finds_published_entries_and_knows_empty_answers(live, session):
    assert live.version == services.current_version(session)
    hits = live.search("ソファを捨てたいです", k=3)
    assert hits[0].faq_id == "B01"
    assert live.search("児童手当の申請をしたい", k=1)[0].faq_id == "C01"
    assert live.entry("C01") == EntryView("C01", "子育て", "児童手当の申請", "", "", "子育て支援課")
    assert live.entry("D01") is None  # unpublished: not served
    assert "D01" not in {h.faq_id for h in live.search("住民税の納付方法", k=10)}


def test_a_relearned_phrasing_is_answered_after_refresh(live, app, settings):
    assert not _answers(live, NEW_PHRASING, "C01", settings.answer_threshold)
    other = app.extensions["cityfaq"].sessionmaker()  # as another worker or the admin would
    services.relearn(other, "C01", NEW_PHRASING, author="staff")
    other.commit()
    other.close()
    version = live.version
    live.refresh()
    assert live.version == version + 1
    assert _answers(live, NEW_PHRASING, "C01", settings.answer_threshold)


def test_search_picks_up_a_change_in_the_background(live, app, settings):
    assert settings.index_poll_seconds == 0  # every search asks the watcher to check
    live.search("粗大ごみ")
    other = app.extensions["cityfaq"].sessionmaker()
    services.relearn(other, "C01", NEW_PHRASING)
    services.set_published(other, "D01", True)
    other.commit()
    other.close()
    deadline = time.monotonic() + 30
    while not _answers(live, NEW_PHRASING, "C01", settings.answer_threshold):
        assert time.monotonic() < deadline, "the background rebuild never arrived"
        time.sleep(0.1)
    assert live.entry("D01").question == "住民税の納付方法"


def test_answers_keep_coming_while_a_rebuild_waits(live, session):
    services.relearn(session, "C01", NEW_PHRASING)
    session.commit()
    with live._build_lock:  # as if a rebuild were running: search must not wait for it
        assert live.search("ソファを捨てたい", k=1)[0].faq_id == "B01"
        assert live.version == services.current_version(session) - 1
