"""`logs import` / `logs export`: the Message log CSV in and out, and every kind of bad file."""
import csv
from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select

from analytics.logcsv import EXPORT_HEADER, HEADER
from analytics.models import Message
from analytics.pseudonym import pseudonymize
from tests.analytics.conftest import write_log

RAW_USER = "U" + "0123456789abcdef" * 2


def _count(session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(Message))


def _import(runner, path):
    return runner.invoke(args=["logs", "import", str(path)])


def test_import_keeps_outcomes_masks_text_and_pseudonymizes_users(runner, session, settings, tmp_path):
    path = tmp_path / "log.csv"
    write_log(path, [
        ["", "2022-05-01T00:30:00+09:00", RAW_USER, "電話は090-1234-5678です", "answered", "NOT-IN-FAQ", "0.81",
         "relearn", "ALSO-UNKNOWN"],
        ["7", "2022-04-30T15:45:00Z", "u_prev_system", "粗大ごみ", "no_title", "", "", "", ""],
    ])
    result = _import(runner, path)
    assert result.exit_code == 0, result.output
    first, second = session.scalars(select(Message).order_by(Message.created_at, Message.id)).all()
    assert first.user == pseudonymize(RAW_USER, settings.secret_key) != RAW_USER
    assert first.text == "電話は〔電話番号〕です"
    assert (first.outcome, first.faq_id, first.score, first.review, first.correct_faq_id) == (
        "answered", "NOT-IN-FAQ", 0.81, "relearn", "ALSO-UNKNOWN")
    assert first.created_at == datetime(2022, 4, 30, 15, 30, tzinfo=timezone.utc)
    assert (second.id, second.user, second.review, second.source) == (7, "u_prev_system", None, "import")


def test_import_takes_the_labels_staff_read_as_well_as_the_codes(runner, session, tmp_path):
    path = tmp_path / "log.csv"
    write_log(path, [["", f"2022-05-01T09:0{i}:00+09:00", "u_a", "質問", outcome, "", "", review, ""]
                     for i, (outcome, review) in enumerate((("除外", ""), ("表題なし", "正答"), ("回答未入力", "除外"),
                                                            ("回答", "再学習要"), ("answered", "correct")))])
    result = _import(runner, path)
    assert result.exit_code == 0, result.output
    assert [(m.outcome, m.review) for m in session.scalars(select(Message).order_by(Message.created_at))] == [
        ("excluded", None), ("no_title", "correct"), ("no_answer", "excluded"), ("answered", "relearn"),
        ("answered", "correct")]


def test_explicit_ids_do_not_block_new_rows(runner, session, tmp_path):
    path = tmp_path / "log.csv"
    write_log(path, [["5", "2022-05-01T09:00:00+09:00", "u_a", "住民票", "answered", "F1", "", "", ""],
                     ["", "2022-05-01T09:01:00+09:00", "u_a", "戸籍", "answered", "F1", "", "", ""]])
    assert _import(runner, path).exit_code == 0
    session.add(Message(created_at=datetime.now(timezone.utc), outcome="no_title"))  # the bot's next question
    session.commit()
    assert _count(session) == 3
    again = _import(runner, path)
    assert again.exit_code != 0 and "2行目: id 5 は既に記録にあります" in again.output
    assert _count(session) == 3


def test_export_by_japan_month_round_trips(runner, session, tmp_path):
    session.add_all([
        Message(created_at=datetime(2022, 4, 30, 14, 59, 59, tzinfo=timezone.utc), user="u_a", text="四月",
                outcome="no_title"),
        Message(created_at=datetime(2022, 4, 30, 15, 0, tzinfo=timezone.utc), user="u_b", text="五月の一番",
                outcome="answered", faq_id="F1", score=0.75, review="relearn", correct_faq_id="F2"),
        Message(created_at=datetime(2022, 5, 31, 15, 0, tzinfo=timezone.utc), user="u_c", text="六月",
                outcome="excluded"),
    ])
    session.commit()
    out = tmp_path / "may.csv"
    result = runner.invoke(args=["logs", "export", "--month", "2022-05", str(out)])
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(data.decode("utf-8-sig").splitlines()))
    assert rows[0] == list(EXPORT_HEADER) == [*HEADER, "language"]
    assert len(rows) == 2
    assert rows[1][1:] == ["2022-05-01T00:00:00+09:00", "u_b", "五月の一番", "回答", "F1", "0.75", "再学習要", "F2",
                           "日本語"]

    everything = tmp_path / "all.csv"
    assert runner.invoke(args=["logs", "export", str(everything)]).exit_code == 0
    session.query(Message).delete()
    session.commit()
    assert _import(runner, everything).exit_code == 0
    restored = session.scalars(select(Message).order_by(Message.id)).all()
    assert [(m.created_at, m.text, m.outcome, m.review) for m in restored] == [
        (datetime(2022, 4, 30, 14, 59, 59, tzinfo=timezone.utc), "四月", "no_title", None),
        (datetime(2022, 4, 30, 15, 0, tzinfo=timezone.utc), "五月の一番", "answered", "relearn"),
        (datetime(2022, 5, 31, 15, 0, tzinfo=timezone.utc), "六月", "excluded", None),
    ]


def test_language_column_round_trips_and_a_file_without_it_still_imports(runner, session, tmp_path):
    languages = ("ja", "en", "zh", "ko", "vi", "pt", "tl", "ne", "id")
    session.add_all(Message(created_at=datetime(2022, 5, 1, 9, i, tzinfo=timezone.utc), user="u_a",
                            text=f"q{i}", outcome="no_title", language=code) for i, code in enumerate(languages))
    session.commit()
    out = tmp_path / "log.csv"
    assert runner.invoke(args=["logs", "export", str(out)]).exit_code == 0
    with open(out, encoding="utf-8-sig", newline="") as f:
        assert [row["language"] for row in csv.DictReader(f)] == [
            "日本語", "英語", "中国語", "韓国語", "ベトナム語", "ポルトガル語", "フィリピノ語", "ネパール語", "インドネシア語"]
    session.query(Message).delete()
    session.commit()
    result = _import(runner, out)
    assert result.exit_code == 0, result.output
    session.expire_all()
    assert tuple(session.scalars(select(Message.language).order_by(Message.created_at))) == languages

    # An older export, or a previous chatbot's history, has no language column: Japanese.
    session.query(Message).delete()
    session.commit()
    old = tmp_path / "old.csv"
    write_log(old, [["", "2022-05-01T09:00:00+09:00", "u_a", "住民票", "no_title", "", "", "", ""]])
    assert _import(runner, old).exit_code == 0
    session.expire_all()
    assert session.scalars(select(Message.language)).all() == ["ja"]


def test_language_column_takes_codes_and_names_and_refuses_others(runner, session, tmp_path):
    path = tmp_path / "log.csv"
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(EXPORT_HEADER)
        for i, cell in enumerate(("en", " VI ", "English", "Tiếng Việt", "タガログ語", "")):
            writer.writerow(["", f"2022-05-01T09:0{i}:00+09:00", "u_a", "q", "no_title", "", "", "", "", cell])
    result = _import(runner, path)
    assert result.exit_code == 0, result.output
    assert session.scalars(select(Message.language).order_by(Message.created_at)).all() == [
        "en", "vi", "en", "vi", "tl", "ja"]

    bad = tmp_path / "bad.csv"
    with open(bad, "w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(EXPORT_HEADER)
        writer.writerow(["", "2022-06-01T09:00:00+09:00", "u_a", "q", "no_title", "", "", "", "", "klingon"])
    result = _import(runner, bad)
    assert result.exit_code != 0 and "2行目: language「klingon」は使えません" in result.output
    assert _count(session) == 6


def test_formulas_in_questions_are_exported_behind_a_quote_and_imported_back(runner, session, tmp_path):
    """A resident's 「=HYPERLINK(…)」 must not be a live link when staff open the export in Excel."""
    texts = ['=HYPERLINK("http://evil.example","x")', "+1", "-1", "@SUM(A1)", "\tタブ", "'=引用"]
    session.add_all(Message(created_at=datetime(2022, 5, 1, tzinfo=timezone.utc), user="u_a", text=t,
                            outcome="no_title") for t in texts)
    session.commit()
    out = tmp_path / "log.csv"
    assert runner.invoke(args=["logs", "export", str(out)]).exit_code == 0
    with open(out, encoding="utf-8-sig", newline="") as f:
        assert [row["text"] for row in csv.DictReader(f)] == ["'" + t for t in texts]
    session.query(Message).delete()
    session.commit()
    assert _import(runner, out).exit_code == 0
    session.expire_all()
    assert session.scalars(select(Message.text).order_by(Message.id)).all() == texts


def test_export_rejects_a_bad_month(runner, tmp_path):
    result = runner.invoke(args=["logs", "export", "--month", "2022/5", str(tmp_path / "x.csv")])
    assert result.exit_code != 0 and "YYYY-MM" in result.output


GOOD = ["", "2022-05-01T09:00:00+09:00", "u_a", "住民票", "answered", "F1", "0.9", "", ""]
HEADER_LINE = ",".join(HEADER)
BAD_FILES = {
    "missing column": ("id,timestamp,user,text,outcome,faq_id,score,review\r\n,2022-05-01T09:00:00+09:00,u,a,answered,,,\r\n",
                       "1行目: 必要な列がありません: correct_faq_id"),
    "bad outcome": (None, "3行目: outcome「answerd」は使えません"),
    "naive timestamp": (None, "4行目: timestamp「2022-05-01 09:00:00」に時差がありません"),
    "unreadable timestamp": (None, "5行目: timestamp「2022/5/1 9:00」を読めません"),
    "bad review": (None, "6行目: review「ok」は使えません"),
    "bad score": (None, "7行目: score「high」は数値ではありません"),
    "broken quote": (f'{HEADER_LINE}\r\n,2022-05-01T09:00:00+09:00,u,"住民票,answered,,,,\r\n',
                     "引用符"),
}


def _bad_rows_file(path):
    rows = [GOOD,
            [*GOOD[:4], "answerd", *GOOD[5:]],
            [GOOD[0], "2022-05-01 09:00:00", *GOOD[2:]],
            [GOOD[0], "2022/5/1 9:00", *GOOD[2:]],
            [*GOOD[:7], "ok", ""],
            [*GOOD[:6], "high", "", ""]]
    write_log(path, rows)


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_log_is_refused_whole(runner, session, tmp_path, case):
    content, message = BAD_FILES[case]
    path = tmp_path / "bad.csv"
    if content is None:
        _bad_rows_file(path)
    else:
        path.write_bytes(content.encode("utf-8"))
    result = _import(runner, path)
    assert result.exit_code != 0
    assert message in result.output
    assert _count(session) == 0


def test_every_bad_row_is_listed(runner, session, tmp_path):
    path = tmp_path / "bad.csv"
    _bad_rows_file(path)
    output = _import(runner, path).output
    assert "何も保存していません" in output
    assert all(f"{line}行目" in output for line in (3, 4, 5, 6, 7)) and "2行目" not in output


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_unknown_encoding_is_refused(runner, session, tmp_path):
    path = tmp_path / "utf16.csv"
    path.write_bytes((HEADER_LINE + "\r\n" + ",".join(GOOD) + "\r\n").encode("utf-16"))
    result = _import(runner, path)
    assert result.exit_code != 0 and "UTF-16" in result.output
    latin = tmp_path / "latin.csv"
    latin.write_bytes((HEADER_LINE + "\r\n").encode() + b",2022-05-01T09:00:00+09:00,u,\x81\xff\xfe,answered,,,,\r\n")
    result = _import(runner, latin)
    assert result.exit_code != 0 and "文字コードを判別できません" in result.output
    assert _count(session) == 0


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_cp932_log_is_read(runner, session, tmp_path):
    path = tmp_path / "sjis.csv"
    write_log(path, [GOOD], encoding="cp932")
    result = _import(runner, path)
    assert result.exit_code == 0 and "Shift_JIS" in result.output
    assert session.scalar(select(Message.text)) == "住民票"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_duplicate_ids_in_file_are_refused(runner, session, tmp_path):
    path = tmp_path / "dup.csv"
    write_log(path, [["3", *GOOD[1:]], ["3", *GOOD[1:]]])
    result = _import(runner, path)
    assert result.exit_code != 0 and "3行目: id 3 が 2行目と重複しています" in result.output
    assert _count(session) == 0
