"""common.spreadsheet: a judged log as Excel saves it (CSV, Unicode text, .xlsx) reads as one table."""
from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from common.csvio import CsvError
from common.spreadsheet import read_spreadsheet

ROWS = [["id", "text", "review", "correct_faq_id"], ["12", "ソファ,捨てたい\"大\"", "再学習要", "B01"], ["13", "住民票", "", ""]]
EXPECTED = [(2, {"id": "12", "text": "ソファ,捨てたい\"大\"", "review": "再学習要", "correct_faq_id": "B01"}),
            (3, {"id": "13", "text": "住民票", "review": "", "correct_faq_id": ""})]


def _csv(delimiter: str = ",") -> str:
    import csv

    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(ROWS)
    return out.getvalue()


def _xlsx(rows=ROWS) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append([int(c) if c.isdigit() else c for c in row])  # ids typed as numbers, as Excel keeps them
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("data, encoding", [
    (_csv().encode("utf-8-sig"), "utf-8-sig"),
    (_csv().encode("utf-8"), "utf-8"),
    (_csv().encode("cp932"), "cp932"),
    (_csv("\t").encode("utf-16"), "utf-16"),  # Excel's 「Unicode テキスト」: BOM, UTF-16LE, tabs
    (_csv().encode("utf-16"), "utf-16"),
    (_xlsx(), "xlsx"),
], ids=["utf-8-bom", "utf-8", "cp932", "unicode-text", "utf-16-csv", "xlsx"])
def test_every_form_excel_saves_reads_the_same(data, encoding):
    table = read_spreadsheet(data, ("id", "review"))
    assert table.encoding == encoding
    assert table.rows == EXPECTED


@pytest.mark.parametrize("data, said", [
    (b"", "ファイルが空です"),
    (b"  \r\n", "ファイルが空です"),
    ("名前,判定\r\n1,正答\r\n".encode("utf-8"), "必要な列がありません: id, review"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "表のファイルではありません"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "古い Excel 形式（.xls）"),
    (b"PK\x03\x04not really a zip", "Excel ブック（.xlsx）として読めません"),
    (b"\xff\xfeA", "UTF-16 として読めません"),
    (_xlsx([["名前"], ["x"]]), "必要な列がありません"),
    (_xlsx([["id", "review"], ["1", "正答", "余分"]]), "2行目: 見出しのない列に値があります"),
], ids=["empty", "blank", "wrong-columns", "png", "xls", "broken-zip", "cut-utf16", "xlsx-columns", "xlsx-extra"])
def test_a_file_that_is_not_a_judged_log_says_why(data, said):
    with pytest.raises(CsvError) as error:
        read_spreadsheet(data, ("id", "review"))
    assert said in str(error.value)


def test_an_xlsx_over_the_row_limit_is_refused(monkeypatch):
    monkeypatch.setattr("common.spreadsheet.MAX_ROWS", 2)
    with pytest.raises(CsvError, match="行が多すぎます"):
        read_spreadsheet(_xlsx([["id", "review"], ["1", ""], ["2", ""], ["3", ""]]), ("id", "review"))
