"""The report as an Excel workbook ready to paste into a council document.

Sheet 応答状況: title with the fiscal year and period, the table (counts with thousands
separators, ratios as truncated percentages), print setup (A4 landscape, one page wide), the chart.
Sheet 内訳: the year's funnel 全質問 → 除外 / 応答 → 表題なし / 回答未入力 / 回答 → 再学習要 / 正答.
Sheet 正答率の推定 (when estimates are given): per month the share of answers reviewed and the true
正答率 estimated from the random review sample, with its Wilson 95% interval (analytics/estimate.py).
"""
from __future__ import annotations

import io
import math
from pathlib import Path
from typing import IO

from openpyxl import Workbook
from openpyxl.drawing.image import Image
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from analytics.chart import report_chart_png
from analytics.estimate import MonthEstimate
from analytics.report import COUNT_ROWS, NO_RATIO, NOT_COUNTED, RATIO_ROWS, YEAR_LABEL, Report

COUNT_FORMAT = "#,##0"
PERCENT_FORMAT = "0.0%"
NOTE = "割合は小数第2位以下を切り捨て。年合計は集計済みの月の合計（割合は合計件数から算出）。"
_THIN = Side(style="thin", color="999999")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_TABLE_TOP = 4  # header row of the table


ESTIMATE_SHEET = "正答率の推定"
ESTIMATE_HEADER = ("月", "回答", "判定済みの回答", "判定済みの割合", "市の正答率（未判定は正答）", "標本", "標本の判定済み",
                   "うち正答", "推定正答率", "95%信頼区間 下限", "95%信頼区間 上限")
ESTIMATE_NOTE = ("市の正答率は未判定の回答を正答として数えます。推定正答率は、月ごとに回答から無作為に抽出した標本の"
                 "職員判定から「正答÷（正答＋再学習要）」で求め、95%信頼区間はウィルソン法です。標本の判定が済むまでは途中の値です。")


def report_xlsx(report: Report, target: str | Path | IO[bytes],
                estimates: list[MonthEstimate] | None = None) -> None:
    workbook = Workbook()
    _table_sheet(workbook.active, report)
    _funnel_sheet(workbook.create_sheet("内訳"), report)
    if estimates is not None:
        _estimate_sheet(workbook.create_sheet(ESTIMATE_SHEET), report, estimates)
    workbook.save(target)


def _estimate_sheet(sheet: Worksheet, report: Report, estimates: list[MonthEstimate]) -> None:
    sheet["A1"] = f"{report.title}：{ESTIMATE_SHEET}"
    sheet["A1"].font = Font(size=14, bold=True)
    sheet["A2"] = ESTIMATE_NOTE
    sheet["A2"].font = Font(size=9, color="555555")
    for col, name in enumerate(ESTIMATE_HEADER, start=1):
        cell = sheet.cell(4, col, name)
        cell.font, cell.fill, cell.border = Font(bold=True), _HEADER_FILL, _BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for row, e in enumerate(estimates, start=5):
        low, high = e.interval or (None, None)
        values = (e.label, e.answered, e.reviewed, _truncated(e.reviewed_share), _truncated(e.city_rate),
                  e.sample_size if e.sample else None, e.judged if e.sample else None,
                  e.correct if e.sample else None, _truncated(e.estimate), _truncated(low), _truncated(high, up=True))
        for col, value in enumerate(values, start=1):
            cell = sheet.cell(row, col, NO_RATIO if value is None else value)
            cell.border = _BORDER
            if col > 1:
                cell.alignment = Alignment(horizontal="right")
                cell.number_format = PERCENT_FORMAT if col in (4, 5, 9, 10, 11) else COUNT_FORMAT
    for col, width in enumerate((8, 10, 14, 14, 16, 8, 14, 10, 12, 14, 14), start=1):
        sheet.column_dimensions[get_column_letter(col)].width = width
    _print_setup(sheet, f"A1:K{4 + len(estimates)}")


def _truncated(value: float | None, up: bool = False) -> float | None:
    """To 0.1% as the page shows it: truncated (an interval's upper end rounded up)."""
    if value is None:
        return None
    permille = math.ceil(value * 1000 - 1e-9) if up else math.floor(value * 1000 + 1e-9)
    return permille / 1000


def _table_sheet(sheet: Worksheet, report: Report) -> None:
    sheet.title = "応答状況"
    sheet["A1"] = report.title
    sheet["A1"].font = Font(size=14, bold=True)
    sheet["A2"] = NOTE
    sheet["A2"].font = Font(size=9, color="555555")
    header = ["項目", "定義", *(m.label for m in report.months), YEAR_LABEL]
    for col, name in enumerate(header, start=1):
        cell = sheet.cell(_TABLE_TOP, col, name)
        cell.font, cell.fill, cell.border = Font(bold=True), _HEADER_FILL, _BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center")

    row = _TABLE_TOP + 1
    for label, definition, attr in COUNT_ROWS:
        values = [None if c is None else getattr(c, attr) for c in report.columns]
        _write_row(sheet, row, label, definition, values, COUNT_FORMAT)
        row += 1
    for label, definition, numerator, denominator in RATIO_ROWS:
        values = [None if c is None else _fraction(c.permille(numerator, denominator)) for c in report.columns]
        _write_row(sheet, row, label, definition, values, PERCENT_FORMAT)
        row += 1

    sheet.column_dimensions["A"].width = 22
    sheet.column_dimensions["B"].width = 46
    for col in range(3, len(header) + 1):
        sheet.column_dimensions[get_column_letter(col)].width = 9.5
    sheet.freeze_panes = sheet.cell(_TABLE_TOP + 1, 3)
    _print_setup(sheet, f"A1:{get_column_letter(len(header))}{row + 30}")
    _insert_chart(sheet, report, f"A{row + 2}")


def _write_row(sheet: Worksheet, row: int, label: str, definition: str, values: list, number_format: str) -> None:
    sheet.cell(row, 1, label).font = Font(bold=True)
    sheet.cell(row, 2, definition).alignment = Alignment(wrap_text=True, vertical="center")
    for col, value in enumerate(values, start=3):
        cell = sheet.cell(row, col, NOT_COUNTED if value is None else value)
        cell.number_format = number_format
        cell.alignment = Alignment(horizontal="right")
    for col in range(1, len(values) + 3):
        sheet.cell(row, col).border = _BORDER


def _print_setup(sheet: Worksheet, area: str) -> None:
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.print_area = area


def _insert_chart(sheet: Worksheet, report: Report, anchor: str) -> None:
    image = Image(io.BytesIO(report_chart_png(report)))
    image.width, image.height = 960, 538  # px on screen; the PNG keeps its 150 dpi detail
    sheet.add_image(image, anchor)


def _funnel_sheet(sheet: Worksheet, report: Report) -> None:
    counted = [m.label for m in report.months if m.counts]
    scope = f"{counted[0]}〜{counted[-1]}" if counted else "なし"
    sheet["A1"] = f"{report.title}：内訳"
    sheet["A1"].font = Font(size=14, bold=True)
    sheet["A2"] = f"集計した月: {scope}（{len(counted)}か月）"
    sheet["A2"].font = Font(size=9, color="555555")
    for col, name in enumerate(("区分", "件数", "全質問に対する割合", "一つ上の区分に対する割合", "説明"), start=1):
        cell = sheet.cell(4, col, name)
        cell.font, cell.fill, cell.border = Font(bold=True), _HEADER_FILL, _BORDER
        cell.alignment = Alignment(horizontal="center")

    year = report.year
    definitions = {attr: definition for _, definition, attr in COUNT_ROWS}
    labels = {attr: label for label, _, attr in COUNT_ROWS}
    # (attribute, depth, parent attribute) in the order of the city's funnel diagram
    funnel = (("total", 0, None), ("excluded", 1, "total"), ("responded", 1, "total"),
              ("no_title", 2, "responded"), ("no_answer", 2, "responded"), ("answered", 2, "responded"),
              ("relearn", 3, "answered"), ("correct", 3, "answered"))
    for row, (attr, depth, parent) in enumerate(funnel, start=5):
        count = getattr(year, attr)
        sheet.cell(row, 1, labels[attr]).alignment = Alignment(indent=depth * 2)
        sheet.cell(row, 2, count).number_format = COUNT_FORMAT
        sheet.cell(row, 3, _share(count, year.total)).number_format = PERCENT_FORMAT
        sheet.cell(row, 4, _share(count, getattr(year, parent)) if parent else None).number_format = PERCENT_FORMAT
        sheet.cell(row, 5, definitions[attr])
        for col in range(1, 6):
            sheet.cell(row, col).border = _BORDER
    for col, width in zip("ABCDE", (18, 12, 18, 22, 46)):
        sheet.column_dimensions[col].width = width
    _print_setup(sheet, "A1:E12")


def _share(part: int, whole: int) -> float | str:
    """Truncated to 0.1% like every ratio of the report."""
    return _fraction(part * 1000 // whole if whole else None)


def _fraction(permille: int | None) -> float | str:
    """897 → 0.897, shown as 89.7% by PERCENT_FORMAT; no denominator → '-'."""
    return NO_RATIO if permille is None else permille / 1000
