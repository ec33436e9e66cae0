"""GET /healthz (200 or 503 JSON) and GET /metrics (Prometheus text)."""
from __future__ import annotations

from flask import Blueprint, Response, jsonify
from sqlalchemy.exc import SQLAlchemyError

from ops.status import check_health, metrics_text
from web import db_session, services

bp = Blueprint("ops", __name__)
PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8"


def _index_version() -> int | None:
    # Never loads the index here: a probe must not start a model load of several seconds.
    live = services()._live_index
    return None if live is None else live.version


@bp.route("/healthz")
def healthz():
    health = check_health(db_session(), _index_version())
    response = jsonify(health.as_json())
    response.status_code = 200 if health.ok else 503
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/metrics")
def metrics():
    try:
        body, status = metrics_text(db_session(), _index_version()), 200
    except SQLAlchemyError:  # the counts live in the database; say so rather than fail with a 500
        body, status = "# database unreachable\n", 503
    return Response(body, status=status, headers={"Content-Type": PROMETHEUS_TEXT, "Cache-Control": "no-store"})
