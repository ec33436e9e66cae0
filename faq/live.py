"""The process's live FAQ index: built once per worker, rebuilt when the FAQ changes.

INTERFACE (LiveSearch below: what the bot and admin code against; LiveIndex implements it):

    live = LiveIndex(sessionmaker, settings)
    live.search(text: str, k: int = 10) -> list[retrieval.Hit]   # published entries, best first
    live.entry(faq_id: str) -> EntryView | None                    # an entry as this index knows it
    live.refresh() -> None       # blocking: rebuild now if the FAQ's IndexState.version moved
    live.version -> int          # the FAQ version the served index was built from
    live.close() -> None         # stop the watcher thread (tests)

search() never blocks on a rebuild or on the database. A watcher thread in each process (started
with the index, and again by the first search in a forked gunicorn worker) reads IndexState.version every
settings.index_poll_seconds, and when a search finds the last check that old; if the version
moved it rebuilds and swaps the new index in whole. Answers come from the old index meanwhile.
An idle worker keeps polling, so its next answer is already current. index_poll_seconds = 0
(tests) checks on every search and never idly.
"""
from __future__ import annotations

import logging
import os
import threading
import time
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy.orm import Session, sessionmaker

import retrieval
from config import Settings
from faq import services
from faq.entries import row_of

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class EntryView:
    faq_id: str
    category: str
    question: str
    answer: str  # "" means 回答未入力
    url: str
    department: str
    # staff-written translations and やさしい日本語 (faq.entries.TRANSLATION_FIELDS)
    translations: Mapping[str, str] = field(default_factory=dict)

    def translated(self, name: str) -> str:
        """A translation, e.g. translated("answer_en"); "" when staff have not written it."""
        return self.translations.get(name, "")


class LiveSearch(Protocol):
    """What the bot and the admin pages need from the live index (LiveIndex, or a test's stand-in)."""

    @property
    def version(self) -> int:
        """The FAQ version the served index was built from."""

    def search(self, text: str, k: int = 10) -> list[retrieval.Hit]:
        """Published entries for a Japanese question, best first; never waits for a rebuild."""

    def search_foreign(self, text: str, language: str, k: int = 10) -> list[retrieval.Hit]:
        """The same for a question in another language (the multilingual model alone)."""

    def entry(self, faq_id: str) -> EntryView | None:
        """A published entry as this index knows it; None when it is not (or no longer) published."""


@dataclass(frozen=True)
class _Served:
    """What one build produced; replaced as a whole, so readers never see half of a rebuild."""

    version: int
    index: retrieval.Index
    entries: dict[str, EntryView]


class LiveIndex:
    def __init__(self, sessionmaker: sessionmaker[Session], settings: Settings):
        self._sessionmaker = sessionmaker
        self._poll_seconds = settings.index_poll_seconds
        self._embedder = retrieval.load_embedder(settings.embedding_model, settings.embedding_cache_dir,
                                                 settings.retrieval_threads)
        retrieval.language.preload()  # else a worker's first foreign question waits ~0.5 s for it
        self._build_lock = threading.Lock()
        self._served = self._build()
        # A build on a warm cache loads neither the model nor the confidence trees; every question
        # needs both: load them now, at the server's start, not on a resident's first question.
        self._served.index.warm()
        self._last_check = time.monotonic()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._watcher: threading.Thread | None = None
        self._watcher_pid: int | None = None
        self._start_lock = threading.Lock()
        self._ensure_watcher()

    @property
    def version(self) -> int:
        return self._served.version

    def search(self, text: str, k: int = 10) -> list[retrieval.Hit]:
        """Best-first hits from the index being served; a due version check runs in the background."""
        return self._index().search(text, k)

    def search_foreign(self, text: str, language: str, k: int = 10) -> list[retrieval.Hit]:
        """The same for a message in another language: ranked by the multilingual model alone,
        the entries' questions translated into that language counting as phrasings."""
        return retrieval.foreign.search(self._index(), text, k, language)

    def _index(self) -> retrieval.Index:
        self._ensure_watcher()
        if time.monotonic() - self._last_check >= self._poll_seconds:
            self._last_check = time.monotonic()
            self._wake.set()
        return self._served.index

    def entry(self, faq_id: str) -> EntryView | None:
        return self._served.entries.get(faq_id)

    def refresh(self) -> None:
        """Rebuild now if the FAQ changed since the served index was built (blocking)."""
        with self._build_lock:
            if self._read_version() != self._served.version:
                self._served = self._build()

    def close(self) -> None:
        """Stop the background watcher, waiting for a rebuild under way (tests; a worker just exits)."""
        self._stop.set()
        self._wake.set()
        if self._watcher is not None and self._watcher is not threading.current_thread():
            self._watcher.join(timeout=60)

    def _read_version(self) -> int:
        with self._sessionmaker() as session:
            return services.current_version(session)

    def _build(self) -> _Served:
        with self._sessionmaker() as session:
            # The version is read first: if the FAQ changes while we read, the next check rebuilds.
            version = services.current_version(session)
            published = services.list_entries(session, status="published")
            documents = [services.document_of(row_of(e)) for e in published]
            synonyms = services.synonyms(session)
        entries = {e.faq_id: EntryView(e.faq_id, e.category, e.question, e.answer, e.url, e.department,
                                          dict(e.translations or {}))
                   for e in published}
        index = retrieval.build_index(documents, self._embedder, synonyms=synonyms)
        log.info("FAQ index built: version %s, %s entries", version, len(entries))
        return _Served(version=version, index=index, entries=entries)

    def _ensure_watcher(self) -> None:
        # A gunicorn worker forked after the index was built has no threads: start one in it.
        if self._watcher_pid == os.getpid():
            return
        with self._start_lock:
            if self._watcher_pid == os.getpid():
                return
            if self._watcher_pid is not None:  # forked: the parent's lock state means nothing here
                self._build_lock = threading.Lock()
            self._watcher = threading.Thread(
                target=_watch, args=(weakref.ref(self), self._wake, self._stop, self._poll_seconds),
                name="faq-index-watcher", daemon=True)
            self._watcher.start()
            self._watcher_pid = os.getpid()


def _watch(ref: weakref.ref, wake: threading.Event, stop: threading.Event, poll_seconds: float) -> None:
    """Check the FAQ version when woken by search() or, idle, every poll_seconds; rebuild on change.

    Holds only a weak reference, so a discarded index (a finished test's app) ends its watcher.
    With poll_seconds 0 the check happens only when a search asks for it.
    """
    while not stop.is_set():
        wake.wait(timeout=poll_seconds or None)
        wake.clear()
        live = ref()
        if live is None or stop.is_set():
            return
        try:
            live.refresh()
        except Exception:  # a database hiccup must not kill the watcher; the old index keeps serving
            log.exception("FAQ index rebuild failed; retrying at the next check")
        del live
