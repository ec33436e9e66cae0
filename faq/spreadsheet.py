"""A table as staff save it from Excel: CSV (UTF-8, Shift_JIS), 「Unicode テキスト」 (UTF-16,
tab-separated) or an .xlsx book (its first sheet, read with openpyxl in read-only mode).

Whatever the file, the result is a csvio.Table with the line (the Excel row) of each row, so every
problem can name it; anything else is a CsvError in Japanese. No Flask here.
"""
from __future__ import annotations

import io
import zipfile
from datetime import date, datetime, time
from typing import Sequence

from faq.csvio import CsvError, Table, check_header, decode, parse_text, unquoted

MAX_ROWS = 200_000  # a city's whole year of questions is ~15,000; beyond this is not a judged log
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0"  # the old binary .xls (and other Office 97 files)
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
NOT_A_TABLE = "表のファイルではありません。CSV（UTF-8 / Shift_JIS）、Unicode テキスト、Excel ブック（.xlsx）のいずれかを選んでください。"


def read_spreadsheet(data: bytes, required: Sequence[str]) -> Table:
    if not data.strip():
        raise CsvError("ファイルが空です。")
    if data.startswith(_ZIP):
        return _read_xlsx(data, required)
    if data.startswith(_OLE):
        raise CsvError("古い Excel 形式（.xls）は読めません。Excel で「Excel ブック（.xlsx）」か「CSV UTF-8」として保存し直してください。")
    if data.startswith(_UTF16_BOMS):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise CsvError("UTF-16 として読めません（ファイルが途中で切れていませんか）。") from None
        first_line = text.split("\n", 1)[0]
        return parse_text(text, "utf-16", required, delimiter="\t" if "\t" in first_line else ",")
    if b"\x00" in data:
        raise CsvError(NOT_A_TABLE)
    text, encoding = decode(data)
    return parse_text(text, encoding, required)


def _read_xlsx(data: bytes, required: Sequence[str]) -> Table:
    from openpyxl import load_workbook  # only when a book is uploaded: not at every command's start
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError):
        raise CsvError("Excel ブック（.xlsx）として読めません。壊れているか、別の種類のファイルです。") from None
    try:
        if not book.worksheets:
            raise CsvError("Excel ブックにシートがありません。")
        rows = book.worksheets[0].iter_rows(values_only=True)
        header = [_text(cell).strip() for cell in next(rows, ())]
        while header and not header[-1]:  # a column staff formatted but left empty
            header.pop()
        if not header:
            raise CsvError("ファイルが空です（最初のシートの1行目が見出しではありません）。")
        check_header(header, required)
        table: list[tuple[int, dict[str, str]]] = []
        for line, record in enumerate(rows, start=2):
            if line > MAX_ROWS + 1:
                raise CsvError(f"行が多すぎます（{MAX_ROWS:,} 行まで）。月ごとに分けてください。")
            cells = [_text(cell) for cell in record]
            if not any(cell.strip() for cell in cells):
                continue
            if any(cell.strip() for cell in cells[len(header):]):
                raise CsvError(f"見出しのない列に値があります（見出しは{len(header)}列）", line)
            cells += [""] * (len(header) - len(cells))
            table.append((line, dict(zip(header, cells))))
    except CsvError:
        raise
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):  # a sheet's XML is broken
        raise CsvError("Excel ブック（.xlsx）として読めません。壊れているか、別の種類のファイルです。") from None
    finally:
        book.close()
    return Table(header=header, rows=table, encoding="xlsx")


def _text(cell: object) -> str:
    """A cell as the CSV would have held it: 123 not 123.0, dates in ISO 8601."""
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "TRUE" if cell else "FALSE"
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, (datetime, date, time)):
        return cell.isoformat()
    return unquoted(str(cell))
