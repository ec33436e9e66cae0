"""Reading FAQ CSV files: encodings, alternates, and every kind of bad row (no database needed)."""
from __future__ import annotations

import pytest

from common.csvio import CsvError
from faq.importer import parse_faq_csv
from tests.faq.conftest import FAQ_CSV, HEADER


@pytest.mark.parametrize("encoding, label", [
    ("utf-8", "UTF-8"), ("utf-8-sig", "UTF-8 (BOM付き)"), ("cp932", "Shift_JIS (cp932)"),
])
def test_every_supported_encoding_reads_the_same_entries(encoding, label):
    parsed = parse_faq_csv(FAQ_CSV.encode(encoding))
    assert parsed.encoding_label == label
    assert parsed.rows == parse_faq_csv(FAQ_CSV.encode("utf-8")).rows
    assert parsed.rows[0].question == "住民票の写しがほしい"


def test_alternates_are_one_per_line_without_blanks_or_repeats():
    text = f'{HEADER}\r\nA01,c,住民票,"  住民票 取り方 \r\n\r\n住民票ください\n住民票 取り方\n住民票",a,,d\r\n'
    (row,) = parse_faq_csv(text.encode()).rows
    assert row.alternates == ["住民票 取り方", "住民票ください"]


def test_empty_answer_is_allowed():
    (row,) = parse_faq_csv(f"{HEADER}\nC01,子育て,児童手当の申請,,,,子育て支援課\n".encode()).rows
    assert row.answer == "" and row.url == ""


@pytest.mark.parametrize("body, line, words", [
    ("A01,c,q,,a,,d\nA02,c,q2,,a,,d\nA01,c,q3,,a,,d\n", 4, ["A01", "重複", "2行目"]),
    ("A01,c,q,\"x\ny\",a,,d\nA01,c,q2,,a,,d\n", 4, ["A01", "重複", "2行目"]),  # after a 2-line cell
    ("A01,c,q,,a,,d\n ,c,q2,,a,,d\n", 3, ["ID が空"]),
    ("A01,c,q,,a,,d\nA02,c,  ,,a,,d\n", 3, ["A02", "質問が空"]),
    ("A01,c,q,,a,javascript:alert(1),d\n", 2, ["URL", "http"]),
    ("A01,c,q,,a,www.city.example.jp,d\n", 2, ["URL"]),
    ("A01,c,q,,a,,d\nA02,c,\"q2,,a,,d\nA03,c,q3,,a,,d\n", 3, ["引用符"]),
    ("A01,c,q,,a,,d\nA02,c,q2,a,,d\n", 3, ["列の数"]),
    (f"{'X' * 65},c,q,,a,,d\n", 2, ["ID", "64文字"]),
    (f"A01,c,q,\"短い\n{'長' * 501}\",a,,d\n", 2, ["言い換え", "500文字"]),
])
def test_a_bad_row_names_its_line(body, line, words):
    with pytest.raises(CsvError) as caught:
        parse_faq_csv(f"{HEADER}\n{body}".encode())
    assert caught.value.line == line
    message = str(caught.value)
    assert message.startswith(f"{line}行目: ")
    for word in words:
        assert word in message


def test_a_missing_column_is_named():
    with pytest.raises(CsvError) as caught:
        parse_faq_csv("id,category,question,answer,url\nA01,c,q,a,\n".encode())
    assert caught.value.line == 1
    assert "alternates" in str(caught.value) and "department" in str(caught.value)


def test_a_file_in_no_known_encoding_is_refused():
    with pytest.raises(CsvError) as caught:
        parse_faq_csv(FAQ_CSV.encode("euc_jp"))
    assert "文字コード" in str(caught.value)
