"""The 正答率 estimate in the admin: draw the month's sample from the dashboard, judge it in a
review list, see the estimate beside the city's figures and in the XLSX sheet 正答率の推定."""
from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone

from openpyxl import load_workbook
from sqlalchemy import select

from analytics.estimate import wilson_interval
from analytics.models import Message, ReviewSample
from analytics.sample import sample_messages
from tests.admin.conftest import post

MAY = datetime(2024, 5, 10, 3, tzinfo=timezone.utc)
SAMPLE_PAGE = "/admin/review/sample?month=2024-05"


def _answers(session, n: int = 30) -> None:
    session.add_all(Message(created_at=MAY + timedelta(minutes=i), user="u_00000000000000aa", text=f"質問{i}",
                            outcome="answered", faq_id="B01", score=0.9) for i in range(n))
    session.add(Message(created_at=MAY, text="答えられず", outcome="no_title"))
    session.commit()


def test_draw_judge_and_read_the_estimate(editor, faq, session):
    _answers(session)
    dashboard = editor.get("/admin/dashboard?fy=2024").get_data(as_text=True)
    assert "正答率の推定（無作為抽出による）" in dashboard and "標本を抽出" in dashboard

    response = post(editor, "/admin/review/sample/draw", {"month": "2024-05", "size": "10"})
    assert response.status_code == 302 and response.headers["Location"].endswith(SAMPLE_PAGE)
    page = editor.get(SAMPLE_PAGE).get_data(as_text=True)
    assert "この月の回答 30 件から 10 件を無作為に抽出しました" in page
    assert "0 / 10" in page and page.count('class="judge"') == 10

    sample = session.scalar(select(ReviewSample))
    members = sample_messages(session, sample)
    for i, m in enumerate(members[:8]):
        post(editor, f"/admin/review/{m.id}/judge", {"review": "correct" if i < 6 else "relearn", "back": SAMPLE_PAGE},
             token_page=SAMPLE_PAGE)
    page = editor.get(SAMPLE_PAGE).get_data(as_text=True)
    low, high = wilson_interval(6, 8)
    assert "8 / 10" in page and "75.0" in page
    assert f"{int(low * 1000) / 10:.1f}〜" in page
    dashboard = editor.get("/admin/dashboard?fy=2024").get_data(as_text=True)
    assert "75.0%" in dashboard  # the estimate
    assert "26.6%" in dashboard  # share reviewed: 8 of 30, truncated
    assert "93.3%" in dashboard  # the city's 正答率: 28 of 30, unreviewed counted as 正答
    assert "判定する" in dashboard and "標本を抽出" not in dashboard.split("5月", 1)[1].split("</tr>", 1)[0]

    again = post(editor, "/admin/review/sample/draw", {"month": "2024-05", "size": "10"})
    assert "すでに抽出しています" in editor.get(again.headers["Location"]).get_data(as_text=True)
    assert session.scalar(select(ReviewSample.seed)) == sample.seed


def test_bad_draws_are_refused_with_a_message(editor, session):
    _answers(session, 3)
    for data, message in (({"month": "2024-05", "size": "ten"}, "整数"), ({"month": "May", "size": "5"}, "YYYY-MM"),
                          ({"month": "2024-05", "size": "0"}, "1〜1000"),
                          ({"month": "2024-07", "size": "5"}, "回答した質問がありません")):
        response = post(editor, "/admin/review/sample/draw", data)
        assert response.status_code == 302
        assert message in editor.get(response.headers["Location"]).get_data(as_text=True), data
    assert session.scalar(select(ReviewSample)) is None


def test_a_viewer_sees_the_estimate_but_cannot_draw(viewer, session):
    _answers(session, 3)
    assert "正答率の推定" in viewer.get("/admin/dashboard?fy=2024").get_data(as_text=True)
    assert "標本を抽出" not in viewer.get("/admin/dashboard?fy=2024").get_data(as_text=True)
    assert post(viewer, "/admin/review/sample/draw", {"month": "2024-05", "size": "5"}).status_code == 403
    assert viewer.get(SAMPLE_PAGE).status_code == 403


def test_the_xlsx_has_the_estimate_on_its_own_sheet_and_the_table_unchanged(editor, runner, session, tmp_path):
    _answers(session, 30)
    before = runner.invoke(args=["report", "monthly", "--fiscal-year", "2024", "--format", "csv"]).output
    post(editor, "/admin/review/sample/draw", {"month": "2024-05", "size": "10"})
    for m in sample_messages(session, session.scalar(select(ReviewSample)))[:5]:
        m.review = "correct"
    session.commit()
    xlsx = editor.get("/admin/dashboard/report.xlsx?fy=2024")
    book = load_workbook(io.BytesIO(xlsx.data))
    assert book.sheetnames == ["応答状況", "内訳", "正答率の推定"]
    sheet = book["正答率の推定"]
    header = [c.value for c in sheet[4]]
    assert header[:5] == ["月", "回答", "判定済みの回答", "判定済みの割合", "市の正答率（未判定は正答）"]
    may = {name: cell.value for name, cell in zip(header, sheet[6])}
    assert may["月"] == "5月" and may["回答"] == 30 and may["判定済みの回答"] == 5
    assert may["標本"] == 10 and may["標本の判定済み"] == 5 and may["うち正答"] == 5
    assert may["推定正答率"] == 1.0 and may["95%信頼区間 上限"] == 1.0
    assert may["95%信頼区間 下限"] == int(wilson_interval(5, 5)[0] * 1000) / 1000
    april = {name: cell.value for name, cell in zip(header, sheet[5])}
    assert april["回答"] == 0 and april["推定正答率"] == "-"

    out = tmp_path / "r.xlsx"
    result = runner.invoke(args=["report", "monthly", "--fiscal-year", "2024", "--format", "xlsx", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert load_workbook(out)["正答率の推定"]["C6"].value == 5
    # judging 正答 changes no count of the city's table: unreviewed answers already counted as 正答
    assert runner.invoke(args=["report", "monthly", "--fiscal-year", "2024", "--format", "csv"]).output == before
