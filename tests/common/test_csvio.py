"""The shared CSV reader and writer: no cell opens in Excel as a formula, and files round-trip."""
from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given, strategies as st

from common.csvio import read_table, write_table

FORMULAS = ['=HYPERLINK("http://evil.example","x")', "+81 90", "-1", "@SUM(A1)", "\tタブ", "\r改行",
            "'=already quoted", "''-twice"]
PLAIN = ["住民票の取り方", "", "0.75", "a-b", "メール@example.jp", "'quoted text", "1=1"]


def _round_trip(cells: list[str]) -> tuple[list[str], list[str]]:
    """(the cells as written in the file, the cells read back)."""
    stream = io.StringIO()
    write_table(stream, ["id", "cell"], [[str(i), cell] for i, cell in enumerate(cells)])
    data = stream.getvalue().encode("utf-8")
    written = [row[1] for row in csv.reader(io.StringIO(stream.getvalue().lstrip("\ufeff"), newline=""))][1:]
    return written, [row["cell"] for _, row in read_table(data, ["id", "cell"]).rows]


@pytest.mark.parametrize("cell", FORMULAS)
def test_a_cell_excel_would_run_is_written_behind_a_quote(cell):
    written, read = _round_trip([cell])
    assert written == ["'" + cell]
    assert read == [cell]


@pytest.mark.parametrize("cell", PLAIN)
def test_other_cells_are_written_as_they_are(cell):
    assert _round_trip([cell]) == ([cell], [cell])


@given(st.lists(st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
                        max_size=20), min_size=1, max_size=5))
def test_whatever_is_written_reads_back_the_same(cells):
    assert _round_trip(cells)[1] == cells
