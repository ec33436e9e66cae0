"""Freshness of FAQ entries on both databases: what counts as reviewed, the stale list by department
with a fixed clock, its CSV, and FAQ_STALE_MONTHS."""
from __future__ import annotations

import io
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

import config
from analytics.periods import JST
from faq import services
from faq.freshness import NO_DEPARTMENT, mark_reviewed, months_before, stale_count, stale_groups, write_stale_csv
from faq.importer import import_faq, parse_faq_csv
from tests.faq.conftest import FAQ_CSV, HEADER

NOW = datetime(2026, 3, 31, 3, 0, tzinfo=timezone.utc)  # 12:00 on 31 March, Japan time (in the past:
# what staff save today is later)
LONG_AGO = NOW - timedelta(days=400)


@pytest.fixture
def loaded(session):
    import_faq(session, parse_faq_csv(FAQ_CSV.encode()))
    session.commit()
    return session


def _age(session, **reviewed: datetime) -> None:
    for faq_id, when in reviewed.items():
        services.get_entry(session, faq_id).reviewed_at = when
    session.commit()


def test_months_are_calendar_months_in_japan_time():
    assert months_before(NOW, 1) == datetime(2026, 2, 28, 12, 0, tzinfo=JST)  # no 31 February
    assert months_before(NOW, 12) == datetime(2025, 3, 31, 12, 0, tzinfo=JST)
    assert months_before(datetime(2027, 1, 15, tzinfo=JST), 25) == datetime(2024, 12, 15, tzinfo=JST)


def test_stale_entries_are_listed_by_department_with_a_fixed_clock(loaded):
    session = loaded
    _age(session, A01=LONG_AGO, B01=NOW - timedelta(days=200), C01=LONG_AGO - timedelta(days=30),
         D01=months_before(NOW, 12) + timedelta(seconds=1))  # D01: twelve months to the second ago, not yet
    services.get_entry(session, "C01").department = ""
    session.commit()
    assert stale_count(session, 12, NOW) == 2
    groups = stale_groups(session, 12, NOW)
    assert [(g.label, [e.faq_id for e in g.entries]) for g in groups] == [("市民課", ["A01"]), (NO_DEPARTMENT, ["C01"])]
    assert stale_count(session, 6, NOW) == 4  # B01 is 200 days old, D01 a year
    assert [g.department for g in stale_groups(session, 6, NOW)] == ["市民課", "環境課", "税務課", ""]

    services.set_published(session, "A01", False)  # residents no longer get it: nothing to review
    session.commit()
    assert stale_count(session, 12, NOW) == 1


def test_create_save_without_changes_and_reviewed_mark_an_entry_reviewed(loaded):
    session = loaded
    _age(session, A01=LONG_AGO, B01=LONG_AGO)
    version = services.current_version(session)
    services.update_entry(session, _row(session, "A01"))  # saved unchanged
    mark_reviewed(session, "B01", now=NOW)
    session.commit()
    assert services.get_entry(session, "A01").reviewed_at > NOW  # the real clock: today
    assert services.get_entry(session, "B01").reviewed_at == NOW
    assert services.current_version(session) == version  # content unchanged: index and history too
    assert [r.action for r in services.history(session, "A01")] == ["import"]
    entry = services.create_entry(session, replace(_row(session, "A01"), faq_id="E01"))
    session.commit()
    assert entry.reviewed_at > NOW
    assert stale_count(session, 12, NOW + timedelta(days=1)) == 0


def test_an_import_marks_new_and_changed_entries_reviewed_and_leaves_the_rest(loaded):
    session = loaded
    _age(session, A01=LONG_AGO, B01=LONG_AGO)
    changed = FAQ_CSV.replace("粗大ごみ受付センターに電話で申し込んでください。", "粗大ごみはインターネットで申し込めます。")
    changed += "F01,届出,転出届の出し方,,市民課で受け付けます。,,市民課\n"
    import_faq(session, parse_faq_csv(changed.encode()))
    session.commit()
    assert services.get_entry(session, "A01").reviewed_at == LONG_AGO  # unchanged in the file
    assert services.get_entry(session, "B01").reviewed_at > NOW
    assert services.get_entry(session, "F01").reviewed_at > NOW


def test_the_stale_list_downloads_as_csv_for_excel(loaded):
    session = loaded
    _age(session, A01=LONG_AGO, B01=LONG_AGO + timedelta(days=1))
    buffer = io.StringIO()
    count = write_stale_csv(stale_groups(session, 12, NOW), buffer, NOW)
    text = buffer.getvalue()
    assert count == 2 and text.startswith("\ufeff担当課,ID,分類,質問,最終確認日,経過日数\r\n")
    assert "市民課,A01,住民票,住民票の写しがほしい,2025-02-24,400\r\n" in text
    assert "環境課,B01,ごみ,粗大ごみの出し方,2025-02-25,399\r\n" in text


def test_the_csv_format_is_unchanged(loaded):
    from faq.exporter import export_faq

    buffer = io.StringIO()
    export_faq(loaded, buffer)
    assert buffer.getvalue().lstrip("\ufeff").startswith(HEADER + "\r\n")


def _row(session, faq_id):
    from faq.entries import row_of

    return row_of(services.get_entry(session, faq_id))


@pytest.mark.parametrize("value, error", [("abc", "整数"), ("0", "1 から 120"), ("121", "1 から 120"), ("-3", "1 から 120")])
def test_faq_stale_months_is_checked(monkeypatch, tmp_path, value, error):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("FAQ_STALE_MONTHS", value)
    with pytest.raises(config.ConfigError, match=error):
        config.check(config.from_env())


def test_faq_stale_months_defaults_to_twelve(monkeypatch, tmp_path):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("FAQ_STALE_MONTHS", raising=False)
    assert config.from_env().faq_stale_months == 12
    monkeypatch.setenv("FAQ_STALE_MONTHS", " 6 ")
    assert config.from_env().faq_stale_months == 6
