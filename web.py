"""Flask-side glue the blueprints share: per-request DB session and the process's services."""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, Response, current_app, g, jsonify, render_template, request
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.routing import IntegerConverter

from config import Settings
from db import MAX_ID, is_fault

log = logging.getLogger(__name__)


@dataclass
class AppServices:
    settings: Settings
    sessionmaker: sessionmaker
    _live_index: Any = None
    _reply_sender: Any = None
    _notice_sender: Any = None
    _check_worker: Any = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def live_index(self):
        """The FAQ search index of this process, loaded once (model and index) on first use."""
        if self._live_index is None:
            with self._lock:
                if self._live_index is None:
                    from faq.live import LiveIndex

                    self._live_index = LiveIndex(self.sessionmaker, self.settings)
        return self._live_index

    @property
    def reply_sender(self):
        """The reply sender of this process (bot/sender.py), started on first use."""
        with self._lock:
            if self._reply_sender is None:
                from bot.sender import ReplySender

                self._reply_sender = ReplySender(self.sessionmaker, self.settings)
        self._reply_sender.start()
        return self._reply_sender


    @property
    def notice_sender(self):
        """The notice sender of this process (notices/delivery.py), started on first use."""
        with self._lock:
            if self._notice_sender is None:
                from notices.delivery import NoticeSender

                self._notice_sender = NoticeSender(self.sessionmaker, self.settings)
        self._notice_sender.start()
        return self._notice_sender

    def wake_check_worker(self) -> None:
        """A check was queued: run it in a thread of this process, unless a separate
        `faq check-worker` process runs checks (CHECK_WORKER=separate)."""
        if self.settings.check_worker != "inline":
            return
        with self._lock:
            if self._check_worker is None:
                from admin.check_jobs import CheckWorker

                # Idle it polls slowly: a job queued in this process wakes it at once.
                self._check_worker = CheckWorker(self.sessionmaker, self.settings, idle_seconds=60.0)
        self._check_worker.wake()


class RowIdConverter(IntegerConverter):
    """`<id:name>` in a route: a primary key. One beyond MAX_ID names no row and answers 404
    before any query (PostgreSQL would refuse to compare it, SQLite to bind it)."""

    def __init__(self, url_map, **kwargs) -> None:
        super().__init__(url_map, min=1, max=MAX_ID, **kwargs)


def services() -> AppServices:
    return current_app.extensions["cityfaq"]


def db_session() -> Session:
    if "db_session" not in g:
        g.db_session = services().sessionmaker()
    return g.db_session


def close_db_session(_exc: BaseException | None = None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


def database_unavailable(error: DBAPIError) -> Response:
    """A page that failed for a database fault: 503 and a word to try again (the engine has
    dropped its connections, so the next request starts afresh). Any other error stays a 500."""
    if not is_fault(error):
        raise error
    log.error("request failed: database unavailable: %s", str(error.orig).strip()[:200])
    return Response("データベースに一時的に接続できません。少し待ってから、もう一度お試しください。\n", 503,
                    {"Retry-After": "10", "Content-Type": "text/plain; charset=utf-8"})


def configure_logging(app: Flask) -> None:
    """Where every module's `logging.getLogger(__name__)` writes: under gunicorn into its error log
    (its handlers and level: --log-level), otherwise to standard error from WARNING up, as before,
    so that a command's output stays what staff read. A root logger that already has handlers
    (a second app in this process, pytest's capture) is left as it is."""
    root = logging.getLogger()
    gunicorn_error = logging.getLogger("gunicorn.error")
    if gunicorn_error.handlers:
        if root.handlers != gunicorn_error.handlers:
            root.handlers = list(gunicorn_error.handlers)
            root.setLevel(gunicorn_error.level)
    elif not root.handlers:
        logging.basicConfig(level=logging.WARNING, format="%(asctime)s [%(process)d] [%(levelname)s] %(name)s: %(message)s")
    app.register_error_handler(500, internal_error)


STAFF_ERROR = "処理中にエラーが発生しました。記録を残しましたので、少し待ってからもう一度お試しください。続く場合はシステムの担当者にお知らせください。"
PLAIN_ERROR = "サーバーでエラーが発生しました。\n"


def internal_error(_error: BaseException) -> Response | tuple[Response | str, int]:
    """An unexpected exception: Flask has logged it with its traceback (app.logger, into the
    server's log); the answer says so in Japanese and shows none of it. Staff get a page, the
    API JSON, LINE's webhook and the rest plain text."""
    if request.blueprint == "api":
        return jsonify(errors=["サーバーでエラーが発生しました。"]), 500
    if request.blueprint == "admin":
        try:
            return render_template("admin/error.html", title="エラーが発生しました", message=STAFF_ERROR), 500
        except Exception:  # the page itself needs the database (the signed-in user): say it plainly
            log.exception("the error page could not be rendered")
    return Response(PLAIN_ERROR, 500, {"Content-Type": "text/plain; charset=utf-8"})
