"""The council-ready workbook and the chart: numbers, formats, funnel sheet, and real Japanese glyphs."""
import io
import warnings
from datetime import datetime, timezone

import pytest
from matplotlib import font_manager
from openpyxl import load_workbook
from PIL import Image

from analytics import chart
from analytics.models import Message
from analytics.report import monthly_report

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.fixture
def report(session):
    """April: 1,200 questions (100 excluded, 50 表題なし, 20 回答未入力, 30 再学習要, 1,000 正答); May: all excluded."""
    april = datetime(2022, 4, 10, 1, tzinfo=timezone.utc)
    for n, outcome, review in ((100, "excluded", None), (50, "no_title", None), (20, "no_answer", None),
                               (30, "answered", "relearn"), (1000, "answered", None)):
        session.add_all(Message(created_at=april, outcome=outcome, review=review) for _ in range(n))
    session.add(Message(created_at=datetime(2022, 5, 10, tzinfo=timezone.utc), outcome="excluded"))
    session.commit()
    return monthly_report(session, 2022)


def test_workbook_has_the_table_formats_funnel_and_chart(runner, report, tmp_path):
    path = tmp_path / "r4.xlsx"
    result = runner.invoke(args=["report", "monthly", "--fiscal-year", "2022", "--format", "xlsx", "-o", str(path)])
    assert result.exit_code == 0, result.output
    book = load_workbook(path)
    assert book.sheetnames == ["応答状況", "内訳", "正答率の推定"]  # the estimate on a sheet of its own
    sheet = book["応答状況"]
    assert sheet["A1"].value == "令和4年度 (2022年4月〜2023年3月) チャットボット応答状況"
    header = [c.value for c in sheet[4]]
    assert header == ["項目", "定義", *(f"{m}月" for m in (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)), "年合計"]
    rows = {r[0].value: r for r in sheet.iter_rows(min_row=5, max_row=15)}
    assert rows["全質問"][2].value == 1200 and rows["全質問"][2].number_format == "#,##0"
    assert rows["全質問"][14].value == 1201  # 年合計: April + May
    assert rows["全質問"][4].value == "未集計"
    assert rows["正答"][2].value == 1000
    assert rows["正答率"][2].value == pytest.approx(0.970) and rows["正答率"][2].number_format == "0.0%"
    assert rows["回答率"][2].value == pytest.approx(0.936)  # 1030/1100 = 93.63…%, truncated
    assert rows["回答率"][3].value == "-"  # May: everything excluded, nothing to divide
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.fitToWidth == 1 and sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.column_dimensions["B"].width > 30
    assert len(sheet._images) == 1

    funnel = {r[0].value: r for r in book["内訳"].iter_rows(min_row=5, max_row=12)}
    assert [funnel[k][1].value for k in ("全質問", "除外", "応答", "表題なし", "回答未入力", "回答", "再学習要", "正答")] == [
        1201, 101, 1100, 50, 20, 1030, 30, 1000]
    assert funnel["正答"][0].alignment.indent > funnel["回答"][0].alignment.indent > funnel["応答"][0].alignment.indent
    assert funnel["正答"][3].value == pytest.approx(0.970)  # of 回答


def test_chart_uses_a_cjk_font_and_misses_no_glyph(report, tmp_path):
    font = chart.cjk_font()
    assert "CJK" in font.name or "Gothic" in font.name or "JP" in font.name
    face = font_manager.get_font(font.fname)
    assert all(face.get_char_index(ord(ch)) for ch in "令和年度全質問回答率正答率未集計")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns "Glyph … missing from font(s)" for tofu
        png = chart.report_chart_png(report)
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.size[0] >= 1200
    (tmp_path / "chart.png").write_bytes(png)


@pytest.mark.usefixtures("stale_font_cache")
def test_chart_and_workbook_use_a_font_installed_after_the_font_cache(runner, report, tmp_path):
    assert chart.cjk_font().name == "Noto Sans CJK JP"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        chart.report_chart_png(report)
    result = runner.invoke(args=["report", "monthly", "--fiscal-year", "2022", "--format", "xlsx",
                                 "-o", str(tmp_path / "r4.xlsx")])
    assert result.exit_code == 0, result.output


@pytest.mark.usefixtures("stale_font_cache", "no_fontconfig")
def test_without_fontconfig_the_font_is_found_where_debian_installs_it(report):
    assert chart.cjk_font().fname == chart.FONT_FILES[0]


@pytest.mark.usefixtures("stale_font_cache", "no_fontconfig")
def test_chart_refuses_to_draw_without_a_japanese_font(report, monkeypatch):
    monkeypatch.setattr(chart, "FONT_FILES", ())
    with pytest.raises(chart.FontMissing, match="fonts-noto-cjk"):
        chart.report_chart_png(report)
