"""CSV as Japanese offices use it: read UTF-8 (BOM or not) or Shift_JIS/cp932, write UTF-8 with BOM.

Shared by every CSV command (FAQ, message log, review). No Flask here.

Excel runs a cell that starts with = + - @, a tab or a CR as a formula, so a resident's question
「=HYPERLINK("http://evil.example","x")」 would open as a live link in the exported log. Every such
cell is written with a leading ' (OWASP's advice for CSV injection), and reading takes exactly that
' off again: an exported file imports unchanged.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Iterable, Sequence

from errors import UserError

ENCODING_NAMES = {"utf-8-sig": "UTF-8 (BOM付き)", "utf-8": "UTF-8", "cp932": "Shift_JIS (cp932)",
                  # read only by common.spreadsheet (the admin's judged-log upload and `review apply`)
                  "utf-16": "UTF-16（Excel の「Unicode テキスト」）", "xlsx": "Excel ブック（.xlsx）"}


# Behind any number of quotes too: a cell that already starts with '= gets one more, so that
# reading it back gives '= again.
_FORMULA = re.compile("'*[=+\\-@\t\r]")
_QUOTED_FORMULA = re.compile("'+[=+\\-@\t\r]")


class CsvError(UserError, ValueError):
    """A CSV that cannot be read; the message is for staff, in Japanese."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(f"{line}行目: {message}" if line else message)
        self.line = line


@dataclass
class Table:
    header: list[str]
    rows: list[tuple[int, dict[str, str]]]  # (line number in the file, row)
    encoding: str  # one of ENCODING_NAMES

    @property
    def encoding_label(self) -> str:
        return ENCODING_NAMES[self.encoding]


def decode(data: bytes) -> tuple[str, str]:
    """Return (text, encoding). UTF-8 is tried first: cp932 would also 'decode' much UTF-8 garbage."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data:
        raise CsvError("UTF-16 などの読めない文字コードです。Excel で「CSV UTF-8」として保存し直してください。")
    if data.startswith(b"\xef\xbb\xbf"):
        return data.decode("utf-8-sig"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp932"), "cp932"
    except UnicodeDecodeError as exc:
        raise CsvError(
            "文字コードを判別できません（UTF-8 でも Shift_JIS でもありません。"
            f"{exc.start + 1}バイト目付近）。Excel で「CSV UTF-8」として保存し直してください。"
        ) from None


def read_table(source: str | Path | bytes, required: Sequence[str]) -> Table:
    """Parse a whole CSV; every problem is a CsvError naming the line. Nothing is returned half-read."""
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    text, encoding = decode(data)
    return parse_text(text, encoding, required)


def parse_text(text: str, encoding: str, required: Sequence[str], delimiter: str = ",") -> Table:
    """Parse decoded CSV (or, with delimiter tab, Excel's tab-separated text)."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True, delimiter=delimiter)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise CsvError("ファイルが空です。") from None
    except csv.Error as exc:
        raise CsvError(f"見出し行を読めません（{exc}）", 1) from None
    rows: list[tuple[int, dict[str, str]]] = []
    check_header(header, required)
    line = reader.line_num
    try:
        for record in reader:
            start = line + 1
            line = reader.line_num
            if not any(cell.strip() for cell in record):
                continue
            if len(record) != len(header):
                raise CsvError(f"列の数が見出しと合いません（{len(record)}列、見出しは{len(header)}列）", start)
            rows.append((start, dict(zip(header, map(unquoted, record)))))
    except csv.Error as exc:
        raise CsvError(f"CSV の形式が壊れています（{exc}）。引用符 \" の閉じ忘れがないか確認してください", line + 1) from None
    return Table(header=header, rows=rows, encoding=encoding)


def check_header(header: list[str], required: Sequence[str]) -> None:
    missing = [name for name in required if name not in header]
    if missing:
        raise CsvError(f"必要な列がありません: {', '.join(missing)}（見出し: {', '.join(header)}）", 1)


def write_table(target: str | Path | IO[str], header: Sequence[str], rows: Iterable[Sequence]) -> None:
    """Write UTF-8 with BOM and CRLF line ends, which Excel opens correctly; no cell is a formula."""
    def _write(stream: IO[str]) -> None:
        writer = csv.writer(stream, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows([_quoted(cell) for cell in row] for row in rows)  # rows may stream

    if isinstance(target, (str, Path)):
        with open(target, "w", encoding="utf-8-sig", newline="") as stream:
            _write(stream)
    else:
        target.write("\ufeff")
        _write(target)


def _quoted(cell: object) -> str:
    """The cell as text, with a ' in front if Excel would take it for a formula."""
    text = "" if cell is None else str(cell)
    return "'" + text if _FORMULA.match(text) else text


def unquoted(cell: str) -> str:
    """What _quoted was given: one ' less where it added one, the cell itself otherwise."""
    return cell[1:] if _QUOTED_FORMULA.match(cell) else cell
