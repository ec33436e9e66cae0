"""The city's R4 report reproduced from a log: import with `logs import`, report with `report monthly`."""
import csv
import io
from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select

from analytics.models import Message
from analytics.outcomes import report_category
from analytics.report import Counts, monthly_report, percent_text
from analytics.review import review_status
from tests.analytics.conftest import progress_ratios, seto_table


def _report_csv(runner, *args) -> list[list[str]]:
    result = runner.invoke(args=["report", "monthly", "--fiscal-year", "2022", "--format", "csv", *args])
    assert result.exit_code == 0, result.output
    return list(csv.reader(io.StringIO(result.output)))


def test_r4_report_reproduced_from_an_imported_log(runner, session, r4_log):
    path, rows = r4_log
    result = runner.invoke(args=["logs", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert f"{rows:,} 件" in result.output
    assert session.scalar(select(func.count()).select_from(Message)) == rows

    table = _report_csv(runner)
    header, seto = seto_table()
    assert table[0] == header
    by_label = {row[0]: row for row in table[1:]}
    for label, expected in seto.items():
        assert by_label[label] == expected, label  # every count cell, label and definition
    assert [row[0] for row in table[1:9]] == list(seto)

    months = header[2:]
    for label, (answer_rate, correct_rate, correct_of_responded) in progress_ratios().items():
        column = months.index(label) + 2
        assert by_label["回答率"][column] == answer_rate, label
        assert by_label["正答率"][column] == correct_rate, label
        assert by_label["正答率（応答数を分母）"][column] == correct_of_responded, label
    assert by_label["正答率"][-1] == "89.7"  # truncated; rounding would give 89.8
    assert by_label["正答率"][months.index("3月") + 2] == "未集計"


def test_unreviewed_answers_and_thumbs_down_are_counted(session):
    at = datetime(2022, 5, 1, 3, tzinfo=timezone.utc)
    session.add_all([
        Message(created_at=at, outcome="answered", feedback="down"),
        Message(created_at=at, outcome="answered", review="correct", feedback="down"),
        Message(created_at=at, outcome="answered"),
        Message(created_at=at, outcome="no_title"),
        Message(created_at=datetime(2023, 4, 1, 0, tzinfo=timezone.utc), outcome="answered", feedback="down"),
    ])
    session.commit()
    assert review_status(session, 2022) == (2, 2)
    report = monthly_report(session, 2022)
    assert report.months[1].counts == Counts(no_title=1, correct=3)  # unreviewed answers count as 正答


def test_month_is_decided_in_japan_time(session):
    # 00:30 JST on 1 May is still 30 April in UTC; 23:59:59 JST on 31 May is 14:59:59 UTC.
    session.add_all([
        Message(created_at=datetime(2022, 4, 30, 15, 30, tzinfo=timezone.utc), outcome="answered"),
        Message(created_at=datetime(2022, 4, 30, 14, 59, 59, tzinfo=timezone.utc), outcome="no_title"),
        Message(created_at=datetime(2022, 5, 31, 14, 59, 59, tzinfo=timezone.utc), outcome="no_answer"),
        Message(created_at=datetime(2022, 5, 31, 15, 0, tzinfo=timezone.utc), outcome="excluded"),
    ])
    session.commit()
    april, may, june = monthly_report(session, 2022).months[:3]
    assert april.counts == Counts(no_title=1)
    assert may.counts == Counts(no_answer=1, correct=1)
    assert june.counts == Counts(excluded=1)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_zero_denominator_and_empty_months(runner, session):
    session.add(Message(created_at=datetime(2022, 7, 10, tzinfo=timezone.utc), outcome="excluded"))
    session.commit()
    by_label = {row[0]: row for row in _report_csv(runner)[1:]}
    july = 2 + 3
    assert by_label["全質問"][july] == "1" and by_label["応答"][july] == "0"
    assert by_label["回答率"][july] == "-" and by_label["正答率"][july] == "-"
    assert by_label["全質問"][2] == "未集計" and by_label["回答率"][2] == "未集計"
    assert by_label["全質問"][-1] == "1" and by_label["回答率"][-1] == "-"


@pytest.mark.parametrize("outcome, review, category", [
    ("excluded", None, "excluded"), ("excluded", "excluded", "excluded"),
    ("excluded", "correct", "no_title"), ("excluded", "relearn", "no_title"),
    ("no_title", None, "no_title"), ("no_title", "relearn", "no_title"), ("no_title", "correct", "no_title"),
    ("no_title", "excluded", "excluded"),
    ("no_answer", None, "no_answer"), ("no_answer", "correct", "no_answer"), ("no_answer", "excluded", "excluded"),
    ("answered", None, "correct"), ("answered", "correct", "correct"), ("answered", "relearn", "relearn"),
    ("answered", "excluded", "excluded"),
])
def test_report_category(outcome, review, category):
    assert report_category(outcome, review) == category


def test_percent_is_truncated_with_integers():
    counts = Counts(relearn=1448, correct=12729)
    assert counts.permille("correct", "answered") == 897
    assert percent_text(897) == "89.7" and percent_text(810) == "81.0" and percent_text(None) == "-"
    assert Counts().permille("correct", "answered") is None


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_report_formats(runner, session, tmp_path):
    session.add(Message(created_at=datetime(2022, 4, 2, tzinfo=timezone.utc), outcome="answered",
                        feedback="down"))
    session.commit()
    text = runner.invoke(args=["report", "monthly", "--fiscal-year", "2022"])
    assert text.exit_code == 0, text.output
    assert "令和4年度 (2022年4月〜2023年3月)" in text.output and "未判定の回答: 1 件" in text.output
    assert "👎: 1 件" in text.output

    out = tmp_path / "r.csv"
    written = runner.invoke(args=["report", "monthly", "--fiscal-year", "2022", "--format", "csv", "-o", str(out)])
    assert written.exit_code == 0, written.output
    assert out.read_bytes().startswith(b"\xef\xbb\xbfrow,definition,4\xe6\x9c\x88")

    no_file = runner.invoke(args=["report", "monthly", "--fiscal-year", "2022", "--format", "xlsx"])
    assert no_file.exit_code != 0 and "-o" in no_file.output
