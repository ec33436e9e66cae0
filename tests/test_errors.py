"""An unexpected exception: logged with its traceback, answered in Japanese without it."""
from __future__ import annotations

import logging

import pytest

import web

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
SECRET = "detail-only-for-the-log"


@pytest.fixture
def failing(app):
    """The app as in production (exceptions answered, not raised), with three views that fail."""
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def boom(*_args, **_kwargs):
        raise RuntimeError(SECRET)

    for endpoint in ("admin.home", "api.create_notice", "bot.callback", "ops.healthz"):
        app.view_functions[endpoint] = boom
    return app.test_client()


def test_a_staff_page_that_fails_shows_a_japanese_page_and_logs_the_traceback(failing, caplog):
    with caplog.at_level(logging.ERROR):
        response = failing.get("/admin/")
    page = response.get_data(as_text=True)
    assert response.status_code == 500 and response.mimetype == "text/html"
    assert "エラーが発生しました" in page and "管理画面のトップへ" in page
    assert SECRET not in page and "Traceback" not in page and "RuntimeError" not in page
    logged = [r for r in caplog.records if r.exc_info and r.exc_info[0] is RuntimeError]
    assert logged and "/admin/" in logged[0].getMessage() and str(logged[0].exc_info[1]) == SECRET


def test_the_api_answers_json_and_the_webhook_plain_text(failing):
    api = failing.post("/api/notices", json={})
    assert api.status_code == 500 and api.get_json() == {"errors": ["サーバーでエラーが発生しました。"]}
    for response in (failing.post("/callback", data="{}", headers={"X-Line-Signature": "x"}),
                     failing.get("/healthz")):
        assert response.status_code == 500 and response.mimetype == "text/plain"
        assert response.get_data(as_text=True) == web.PLAIN_ERROR
    assert SECRET not in api.get_data(as_text=True)


def test_an_error_page_that_cannot_be_rendered_falls_back_to_text(failing, app, monkeypatch):
    def no_template(*_args, **_kwargs):
        raise RuntimeError("the database is away too")

    monkeypatch.setattr(web, "render_template", no_template)
    response = failing.get("/admin/")
    assert response.status_code == 500 and response.get_data(as_text=True) == web.PLAIN_ERROR


def test_under_gunicorn_the_modules_log_into_its_error_log(app):
    root, error_log = logging.getLogger(), logging.getLogger("gunicorn.error")
    kept = root.handlers[:], root.level
    handler = logging.StreamHandler()
    error_log.addHandler(handler)
    error_log.setLevel(logging.INFO)
    try:
        web.configure_logging(app)
        assert root.handlers == [handler] and root.level == logging.INFO
    finally:
        error_log.removeHandler(handler)
        error_log.setLevel(logging.NOTSET)
        root.handlers[:] = kept[0]
        root.setLevel(kept[1])
