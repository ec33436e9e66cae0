"""A daemon thread per process that does a round of work, then sleeps until woken or until the
round says. Started again in a forked child (gunicorn forks its workers), which has no threads.
No Flask here."""
from __future__ import annotations

import logging
import os
import threading

log = logging.getLogger(__name__)


class Background:
    name = "background"
    poll_seconds = 1.0  # after a failed round

    def __init__(self) -> None:
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._pid: int | None = None

    def start(self) -> None:
        """Start the thread in this process (once; again in a forked child, which has none)."""
        with self._lock:
            if self._thread is not None and self._pid == os.getpid():
                return
            self._stop.clear()
            self._pid = os.getpid()
            self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
            self._thread.start()

    def wake(self) -> None:
        """Work was committed: do a round now rather than at the next poll."""
        self.start()
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None and self._pid == os.getpid():
            self._thread.join(timeout=30)

    def round(self) -> float:
        """One round of work; the seconds until the next."""
        raise NotImplementedError

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                wait = self.round()
            except Exception:  # the database may be away for a moment: try again at the next poll
                log.exception("%s: a round failed", self.name)
                wait = self.poll_seconds
            self._wake.wait(wait)
