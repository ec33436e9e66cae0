"""正答率 dashboard for a fiscal year: the report table, the funnel, the chart, review status,
and the downloads (report CSV/XLSX, a month's log CSV). Viewers may see all of it."""
from __future__ import annotations

import io
from datetime import datetime

from flask import Response, flash, redirect, render_template, request, url_for

from admin.blueprint import bp
from admin.audit_views import note
from admin.auth import role_required
from analytics.estimate import interval_text, percent, year_estimates
from analytics.languages import questions_by_language
from analytics.logcsv import export_log
from analytics.periods import JST, fiscal_months, month_in_fiscal_year, parse_month
from analytics.report import monthly_report, report_csv
from analytics.review import review_status
from analytics.sample import DEFAULT_SIZE
from faq.freshness import stale_count
from web import db_session, services

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _fiscal_year() -> int:
    fy = request.args.get("fy", type=int)
    if fy and 2000 <= fy <= 2100:
        return fy
    now = datetime.now(JST)
    return now.year if now.month >= 4 else now.year - 1


@bp.route("/dashboard")
@role_required("viewer")
def dashboard():
    from analytics.chart import FontMissing, cjk_font  # matplotlib: with the first chart, not at start

    fy = _fiscal_year()
    s = db_session()
    report = monthly_report(s, fy)
    try:
        cjk_font()
        chart_error = ""
    except FontMissing as exc:
        chart_error = str(exc)
    return render_template("admin/dashboard.html", fy=fy, report=report, year=report.year,
                           languages=questions_by_language(s, fy),
                           status=review_status(s, fy), chart_error=chart_error,
                           estimates=year_estimates(s, fy), percent=percent, interval_text=interval_text,
                           default_sample_size=DEFAULT_SIZE, stale=stale_count(s, services().settings.faq_stale_months),
                           stale_months=services().settings.faq_stale_months,
                           months=[f"{y}-{m:02d}" for y, m in fiscal_months(fy)],
                           log_month="{}-{:02d}".format(*month_in_fiscal_year(fy, datetime.now(JST).date())))


@bp.route("/dashboard/chart.png")
@role_required("viewer")
def dashboard_chart():
    from analytics.chart import FontMissing, report_chart_png

    report = monthly_report(db_session(), _fiscal_year())
    try:
        png = report_chart_png(report)
    except FontMissing as exc:
        return Response(str(exc), status=503, mimetype="text/plain")
    return Response(png, mimetype="image/png", headers={"Cache-Control": "no-store"})


@bp.route("/dashboard/report.csv")
@role_required("viewer")
def dashboard_report_csv():
    fy = _fiscal_year()
    buffer = io.StringIO()
    report_csv(monthly_report(db_session(), fy), buffer)
    _noted("report_download", f"{fy}年度", "CSV")
    return _download(buffer.getvalue().encode("utf-8"), "text/csv", f"report-{fy}.csv")


@bp.route("/dashboard/report.xlsx")
@role_required("viewer")
def dashboard_report_xlsx():
    from analytics.chart import FontMissing
    from analytics.xlsx import report_xlsx  # openpyxl and matplotlib

    fy = _fiscal_year()
    buffer = io.BytesIO()
    try:
        report_xlsx(monthly_report(db_session(), fy), buffer, year_estimates(db_session(), fy))
    except FontMissing as exc:
        flash(str(exc), "error")
        return redirect(url_for("admin.dashboard", fy=fy))
    _noted("report_download", f"{fy}年度", "Excel")
    return _download(buffer.getvalue(), XLSX, f"report-{fy}.xlsx")


@bp.route("/dashboard/log.csv")
@role_required("viewer")
def dashboard_log_csv():
    try:
        year, month = parse_month(request.args.get("month", ""))
    except ValueError as exc:
        flash(str(exc), "error")
        return redirect(url_for("admin.dashboard"))
    buffer = io.StringIO()
    count = export_log(db_session(), buffer, (year, month))
    _noted("log_download", f"{year}年{month}月", f"CSV {count}件")
    return _download(buffer.getvalue().encode("utf-8"), "text/csv", f"log-{year}-{month:02d}.csv")


def _noted(action: str, target: str, detail: str) -> None:
    note(action, target, detail)
    db_session().commit()


def _download(data: bytes, mimetype: str, filename: str) -> Response:
    return Response(data, mimetype=mimetype, headers={"Content-Disposition": f"attachment; filename={filename}"})
