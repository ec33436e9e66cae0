"""The check before publishing as a job (issue 14): a draft entry is scored on the city's own
questions (analytics/check_set.py) against the FAQ as published and as it would be with the
draft, by a worker thread, never in the request that asked. No Flask here.

A job is 待機中 (queued) → 実行中 (running) → 完了 (done) or 失敗 (failed). One at a time: while a job
is queued or running its `active` is 1, and the unique constraint refuses a second one (the asker
is shown the running job). The worker is a background.Background thread: in the web process that
queued the job (CHECK_WORKER=inline, the default), or only in `flask --app wsgi faq check-worker`,
a process that serves no resident (CHECK_WORKER=separate). A job left running by a process that
died (its pid gone on this host, or no progress for STALE) is marked 失敗 by the next worker round
or the next request to start a job.
"""
from __future__ import annotations

import dataclasses
import logging
import os
import socket
import time
import uuid
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from admin.draft_check import check_draft
from admin.models import CheckJob
from analytics import check_set
from background import Background
from config import Settings
from db import utcnow
from faq import services as faq_services
from faq.entries import EntryRow

log = logging.getLogger(__name__)

STATE_LABELS = {"queued": "待機中", "running": "実行中", "done": "完了", "failed": "失敗"}
STALE = timedelta(minutes=10)  # no progress for this long: the process running it is gone
HEARTBEAT_SECONDS = 1.0  # progress is written at most this often
DIED = "チェックしていたプロセスが止まったため、中断しました。もう一度チェックしてください。"
NOT_TAKEN = ("10 分待っても実行されませんでした。チェック用のプロセス（faq check-worker）が動いているか、"
             "管理者に確認してください。")
NO_QUESTIONS = ("確かめる質問がありません（判定済みの質問も、言い換えのある FAQ もありません）。"
                "確認キューで回答を判定すると、その質問で確かめられるようになります。")
# What the result keeps of each side's metrics (retrieval.evaluate): the page shows these.
METRICS = ("hit@1", "hit@3", "reached", "answered_right", "answered_wrong")

_process: tuple[int, str] | None = None


def worker_id() -> str:
    """host:pid:token of this process; the token tells a restarted process from a dead one that
    had the same pid (a container's pids start again from 1)."""
    global _process
    if _process is None or _process[0] != os.getpid():
        _process = (os.getpid(), uuid.uuid4().hex[:8])
    return f"{socket.gethostname()}:{_process[0]}:{_process[1]}"


def _dead(worker: str | None) -> bool:
    """Whether the process named by worker_id() is certainly gone (only knowable on this host)."""
    host, _, rest = (worker or "").partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return False
    if int(pid) == os.getpid():
        return worker != worker_id()  # this pid, but an earlier process's token
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # someone else's process: alive
        return False
    return False


def active_job(session: Session) -> CheckJob | None:
    return session.scalar(select(CheckJob).where(CheckJob.active == 1))


def fail_stale(session: Session) -> int:
    """Mark 失敗 the running jobs whose process died, and a job no worker took for STALE (with
    CHECK_WORKER=separate and no `faq check-worker` running), which would hold the slot for ever;
    the caller commits. How many."""
    now = utcnow()
    failed = 0
    for job in session.scalars(select(CheckJob).where(CheckJob.state.in_(("queued", "running")))):
        if job.state == "queued" and job.created_at < now - STALE:
            _finish(job, "failed", error=NOT_TAKEN)
            failed += 1
        elif job.state == "running" and (_dead(job.worker) or (job.heartbeat_at or job.created_at) < now - STALE):
            _finish(job, "failed", error=DIED)
            failed += 1
    session.flush()
    return failed


def enqueue(session: Session, row: EntryRow, started_by: str) -> tuple[CheckJob, bool]:
    """Queue a check of `row`, or give the job already queued or running (and False). The
    caller commits, then wakes a worker."""
    fail_stale(session)
    existing = active_job(session)
    if existing is not None:
        return existing, False
    job = CheckJob(state="queued", active=1, faq_id=row.faq_id, draft=dataclasses.asdict(row),
                   started_by=started_by)
    try:
        with session.begin_nested():  # two staff pressing at once: the constraint decides
            session.add(job)
    except IntegrityError:
        return active_job(session) or _latest(session), False
    return job, True


def _latest(session: Session) -> CheckJob:
    return session.scalar(select(CheckJob).order_by(CheckJob.id.desc()).limit(1))


def claim(session: Session) -> int | None:
    """Take the oldest queued job for this process (a conditional update: one taker); commits."""
    job_id = session.scalar(select(CheckJob.id).where(CheckJob.state == "queued").order_by(CheckJob.id).limit(1))
    if job_id is None:
        return None
    now = utcnow()
    taken = session.execute(update(CheckJob).where(CheckJob.id == job_id, CheckJob.state == "queued")
                            .values(state="running", worker=worker_id(), started_at=now, heartbeat_at=now)).rowcount
    session.commit()
    return job_id if taken == 1 else None


def run(sessionmaker_: sessionmaker[Session], settings: Settings, job_id: int) -> None:
    """Score the claimed job's draft and store the result; any error is stored as 失敗."""
    try:
        _run(sessionmaker_, settings, job_id)
    except Exception as exc:
        log.exception("check job %s failed", job_id)
        with sessionmaker_() as session:
            job = session.get(CheckJob, job_id)
            if job is not None and job.state == "running":
                _finish(job, "failed", error=f"チェック中にエラーが起きました（{type(exc).__name__}）。"
                                           "もう一度試し、続くようなら管理者に連絡してください。")
                session.commit()


def _run(sessionmaker_: sessionmaker[Session], settings: Settings, job_id: int) -> None:
    import retrieval  # loads torch; in a web process this is the model its index already holds

    started = time.perf_counter()
    with sessionmaker_() as session:
        job = session.get(CheckJob, job_id)
        row = EntryRow(**job.draft).cleaned()
        questions = check_set.build(session)
        docs = faq_services.documents(session)
        synonyms = faq_services.synonyms(session)
        job.total = 2 * len(questions.queries)  # each question on both sides
        if not questions.queries:
            _finish(job, "failed", error=NO_QUESTIONS)
        session.commit()
        if not questions.queries:
            return
    # A question is kept out of the index it is asked of: else a relearned phrasing finds itself.
    docs = [dataclasses.replace(doc, alternates=_kept(doc.alternates, questions.held_out)) for doc in docs]
    row = dataclasses.replace(row, alternates=list(_kept(row.alternates, questions.held_out)))
    embedder = retrieval.load_embedder(settings.embedding_model, settings.embedding_cache_dir,
                                       settings.retrieval_threads)
    progress = _Progress(sessionmaker_, job_id)
    result = check_draft(docs, row, questions.queries, embedder, synonyms, settings.answer_threshold,
                         settings.candidate_threshold, on_query=progress.step)
    before, after = result.before.to_dict(), result.after.to_dict()
    with sessionmaker_() as session:
        job = session.get(CheckJob, job_id)
        job.done = progress.done
        job.result = {
            "questions": {"source": questions.source, "n": len(questions.queries),
                          "missing": questions.missing, "description": questions.describe()},
            "before": {key: before[key] for key in METRICS},
            "after": {key: after[key] for key in METRICS},
            "changes": [{"query": c.query, "relevant": c.relevant, "better": c.better,
                         "before": _brief(c.before), "after": _brief(c.after)} for c in result.changes],
            "seconds": round(time.perf_counter() - started, 1),
        }
        _finish(job, "done")
        session.commit()


def _kept(alternates, held_out: frozenset[str]) -> tuple[str, ...]:
    return tuple(text for text in alternates if check_set.text_key(text) not in held_out)


def _brief(row: dict) -> dict:
    return {key: row[key] for key in ("rank", "top", "decision", "relevant")}


def _finish(job: CheckJob, state: str, error: str | None = None) -> None:
    job.state, job.active, job.error = state, None, error
    job.finished_at = utcnow()


class _Progress:
    """Counts scored questions; writes the count (and so a heartbeat) at most once a second."""

    def __init__(self, sessionmaker_: sessionmaker[Session], job_id: int) -> None:
        self._sessionmaker, self._job_id = sessionmaker_, job_id
        self.done = 0
        self._written = time.monotonic()

    def step(self) -> None:
        self.done += 1
        if time.monotonic() - self._written >= HEARTBEAT_SECONDS:
            self._written = time.monotonic()
            with self._sessionmaker() as session:
                session.execute(update(CheckJob).where(CheckJob.id == self._job_id)
                                .values(done=self.done, heartbeat_at=utcnow()))
                session.commit()


class CheckWorker(Background):
    """Runs queued checks one after another in this process; woken by a new job, polling too."""

    name = "check-worker"

    def __init__(self, sessionmaker_: sessionmaker[Session], settings: Settings, idle_seconds: float = 2.0) -> None:
        super().__init__()
        self._sessionmaker = sessionmaker_
        self._settings = settings
        self.idle_seconds = idle_seconds

    def round(self) -> float:
        return 0.0 if self.run_once() else self.idle_seconds

    def run_once(self) -> bool:
        """Fail the jobs of dead processes, then run one queued job; whether there was one."""
        with self._sessionmaker() as session:
            if fail_stale(session):
                session.commit()
            job_id = claim(session)
        if job_id is None:
            return False
        run(self._sessionmaker, self._settings, job_id)
        return True
