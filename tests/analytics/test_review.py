"""`review apply`: judgements made in a spreadsheet on an exported log change the report and relearn."""
import csv
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from analytics.models import Message
from analytics.report import Counts, monthly_report
from faq import services as faq_services
from faq.entries import EntryRow
from tests.analytics.conftest import write_log

QUESTIONS = [  # (text, outcome, faq_id)
    ("住民票はどこでもらえる", "answered", "F1"),
    ("戸籍の写しがほしい", "answered", "F1"),
    ("ゴミの日を知りたい", "answered", "F1"),
    ("転入の手続き", "answered", "F1"),
    ("証明書をコンビニで", "no_title", ""),
    ("印鑑登録", "answered", "F2"),
]


@pytest.fixture
def exported(runner, session, tmp_path):
    """A month of log, imported, then exported as staff would download it."""
    for faq_id, question in (("F1", "住民票の取り方"), ("F2", "コンビニ交付の時間")):
        faq_services.create_entry(session, EntryRow(faq_id=faq_id, question=question, answer="窓口へ"))
    session.commit()
    source = tmp_path / "history.csv"
    write_log(source, [["", f"2022-06-0{i + 1}T10:00:00+09:00", "u_a", text, outcome, faq_id, "0.8", "", ""]
                       for i, (text, outcome, faq_id) in enumerate(QUESTIONS)])
    assert runner.invoke(args=["logs", "import", str(source)]).exit_code == 0
    out = tmp_path / "export.csv"
    assert runner.invoke(args=["logs", "export", "--month", "2022-06", str(out)]).exit_code == 0
    with open(out, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def _save_as_excel(path, rows):
    """What Japanese Excel writes by default: cp932, CRLF."""
    with open(path, "w", encoding="cp932", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)


def _june(session) -> Counts:
    session.expire_all()
    return monthly_report(session, 2022).months[2].counts


def _alternates(session, faq_id):
    session.expire_all()
    return [a.text for a in faq_services.require_entry(session, faq_id).alternates]


def test_spreadsheet_judgements_change_the_report_and_relearn(runner, session, tmp_path, exported):
    assert _june(session) == Counts(no_title=1, correct=5)
    version = faq_services.current_version(session)
    rows = exported
    rows[0].update(review="再学習要", correct_faq_id="F2")  # Japanese word, as staff type it
    rows[1].update(correct_faq_id="F2")  # an entry named without a verdict: relearn
    rows[2].update(review="除外")
    rows[3].update(review="correct")
    rows[4].update(review="relearn", correct_faq_id="F2")  # no_title stays 表題なし, but teaches F2
    rows[5].update(correct_faq_id="F2")  # the entry that answered it: correct (the phrasing still teaches it)
    edited = tmp_path / "judged.csv"
    _save_as_excel(edited, rows)

    result = runner.invoke(args=["review", "apply", str(edited), "--author", "tanaka"])
    assert result.exit_code == 0, result.output
    assert "Shift_JIS" in result.output and "更新 6 件" in result.output and "再学習 4 件" in result.output

    assert _june(session) == Counts(excluded=1, no_title=1, relearn=2, correct=2)
    assert _alternates(session, "F2") == ["住民票はどこでもらえる", "戸籍の写しがほしい", "証明書をコンビニで", "印鑑登録"]
    assert faq_services.current_version(session) > version
    judged = {m.text: m for m in session.scalars(select(Message))}
    assert (judged["戸籍の写しがほしい"].review, judged["戸籍の写しがほしい"].correct_faq_id) == ("relearn", "F2")
    assert judged["印鑑登録"].review == "correct" and judged["住民票はどこでもらえる"].reviewed_by == "tanaka"

    again = runner.invoke(args=["review", "apply", str(edited)])
    assert again.exit_code == 0 and "更新 0 件" in again.output and "変更なし 6 件" in again.output
    assert len(_alternates(session, "F2")) == 4


def test_an_xlsx_book_applies_as_the_csv_does(runner, session, tmp_path, exported):
    """The export opened in Excel and saved as a book (ids become numbers there)."""
    from openpyxl import Workbook

    exported[0].update(review="再学習要", correct_faq_id="F2")
    exported[2].update(review="除外")
    book = Workbook()
    book.active.append(list(exported[0]))
    for row in exported:
        book.active.append([int(row["id"]), *list(row.values())[1:]])
    path = tmp_path / "judged.xlsx"
    book.save(path)
    result = runner.invoke(args=["review", "apply", str(path)])
    assert result.exit_code == 0, result.output
    assert "Excel ブック" in result.output and "更新 2 件" in result.output and "再学習 1 件" in result.output
    assert _june(session) == Counts(excluded=1, no_title=1, relearn=1, correct=3)


def test_an_export_reads_in_japanese_and_applies_as_it_is(runner, session, tmp_path, exported):
    rows = exported
    rows[0].update(review="relearn", correct_faq_id="F2")  # the stored values are taken as well
    rows[2].update(review="除外")
    edited = tmp_path / "judged.csv"
    _save_as_excel(edited, rows)
    assert runner.invoke(args=["review", "apply", str(edited)]).exit_code == 0

    out = tmp_path / "again.csv"
    assert runner.invoke(args=["logs", "export", "--month", "2022-06", str(out)]).exit_code == 0
    with open(out, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [(r["outcome"], r["review"]) for r in rows] == [
        ("回答", "再学習要"), ("回答", ""), ("回答", "除外"), ("回答", ""), ("表題なし", ""), ("回答", "")]
    again = runner.invoke(args=["review", "apply", str(out)])
    assert again.exit_code == 0 and "変更なし 6 件" in again.output, again.output
    session.expire_all()
    assert {m.reviewed_by for m in session.scalars(select(Message)) if m.review} == {"判定CSVの反映"}


@pytest.mark.parametrize("edit, message", [
    (lambda rows: rows[2].update(id="999"), "4行目: id 999 の記録はありません"),
    (lambda rows: rows[1].update(correct_faq_id="F404"), "3行目: correct_faq_id「F404」の FAQ はありません"),
    (lambda rows: rows[3].update(review="たぶん"), "5行目: review「たぶん」は使えません"),
    (lambda rows: rows[3].update(review="除外", correct_faq_id="F1"), "5行目: 除外と判定した質問に correct_faq_id"),
    (lambda rows: rows[2].update(id=rows[1]["id"], review="correct"), "が 3行目と重複しています"),
])
def test_bad_judgement_applies_nothing(runner, session, tmp_path, exported, edit, message):
    rows = exported
    rows[0].update(review="relearn", correct_faq_id="F2")  # a good row that must not be applied either
    edit(rows)
    path = tmp_path / "judged.csv"
    _save_as_excel(path, rows)
    result = runner.invoke(args=["review", "apply", str(path)])
    assert result.exit_code != 0 and message in result.output and "何も保存していません" in result.output
    assert _june(session) == Counts(no_title=1, correct=5)
    assert _alternates(session, "F2") == []


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_review_file_needs_id_and_review_columns(runner, session, tmp_path):
    path = tmp_path / "judged.csv"
    path.write_text("id,判定\r\n1,正答\r\n", encoding="utf-8")
    result = runner.invoke(args=["review", "apply", str(path)])
    assert result.exit_code != 0 and "必要な列がありません: review" in result.output


def test_an_exported_log_with_formula_cells_applies_unchanged(runner, session, tmp_path):
    """Cells exported behind a ' (a question 「=…」, an entry id 「-F3」) are read back without it."""
    faq_services.create_entry(session, EntryRow(faq_id="-F3", question="転入届", answer="窓口へ"))
    session.add(Message(created_at=datetime(2022, 6, 1, tzinfo=timezone.utc), user="u_a", text="=1+1",
                        outcome="no_title", review="relearn", correct_faq_id="-F3"))
    session.commit()
    out = tmp_path / "export.csv"
    assert runner.invoke(args=["logs", "export", str(out)]).exit_code == 0
    with open(out, encoding="utf-8-sig", newline="") as f:
        [row] = list(csv.DictReader(f))
    assert (row["text"], row["correct_faq_id"]) == ("'=1+1", "'-F3")
    result = runner.invoke(args=["review", "apply", str(out)])
    assert result.exit_code == 0, result.output
    assert "変更なし 1 件" in result.output
