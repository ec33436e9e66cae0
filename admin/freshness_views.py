"""「見直しが必要な FAQ」: published entries nobody has reviewed for FAQ_STALE_MONTHS, by
department, and the same list as CSV for Excel. Viewers may read it (the dashboard links here)."""
from __future__ import annotations

import io

from flask import Response, render_template

from admin.blueprint import bp
from admin.audit_views import note
from admin.auth import role_required
from db import utcnow
from faq.freshness import months_before, reviewed_date, stale_groups, write_stale_csv
from web import db_session, services


@bp.route("/faq/stale")
@role_required("viewer")
def faq_stale():
    months = services().settings.faq_stale_months
    now = utcnow()
    groups = stale_groups(db_session(), months, now)
    return render_template("admin/faq_stale.html", groups=groups, months=months, now=now,
                           total=sum(len(g.entries) for g in groups), reviewed_date=reviewed_date,
                           cutoff=months_before(now, months).strftime("%Y-%m-%d"))


@bp.route("/faq/stale.csv")
@role_required("viewer")
def faq_stale_csv():
    months = services().settings.faq_stale_months
    now = utcnow()
    buffer = io.StringIO()
    count = write_stale_csv(stale_groups(db_session(), months, now), buffer, now)
    note("stale_download", "見直しが必要な FAQ", f"CSV {count}件（{months}か月以上未確認）")
    db_session().commit()
    return Response(buffer.getvalue().encode("utf-8"), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=faq-stale.csv"})
