"""Flask-side glue the blueprints share: per-request DB session and the process's services."""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from flask import current_app, g
from sqlalchemy.orm import Session, sessionmaker

from config import Settings


@dataclass
class AppServices:
    settings: Settings
    sessionmaker: sessionmaker
    _live_index: Any = None
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
