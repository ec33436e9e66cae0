"""A database fault under real gunicorn: lost questions, 5xx and recovery time once it ends.

    .venv/bin/python bench/db_fault_recovery.py [--database-url URL] [--fault-seconds 10]

Two gunicorn workers serve a small FAQ. A new signed question is posted every --interval seconds
for 3 s, then during the fault, then until --after seconds past it; any question not answered 200
is delivered again at every later tick, as LINE redelivers. The fault: SQLite — the database and
its -wal/-shm files made immutable (chattr +i: read-only even to root, needs ext4 and root);
PostgreSQL — ALTER DATABASE … SET default_transaction_read_only = on with the app's backends
terminated, so every new session is read-only. Prints what was sent, what got into the log, the
statuses, how long after the fault the first new question got its 200, and whether a worker died.
Run in an export of an older commit, the script measures that commit.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402
from sqlalchemy import create_engine, func, select, text  # noqa: E402

import db  # noqa: E402
from analytics.models import Message  # noqa: E402
from bench.webhook_roundtrip import free_port, worker_pids  # noqa: E402
from faq.importer import import_faq, parse_faq_csv  # noqa: E402
from bot import line_webhook as wh  # noqa: E402
from bot.line_stub import LineStub  # noqa: E402

SECRET, TOKEN = "bench-channel-secret", "bench-access-token"
QUESTIONS = ["住民票はどこで取れますか", "ソファを捨てたい", "住民税の払い方", "児童手当を申請したい"]


# The four entries the bot's tests ask about (tests/bot/conftest.py has the same), one with an empty answer.
FAQ_CSV = """id,category,question,alternates,answer,url,department
J01,住民票,住民票の写しを取りたい,"住民票はどこで取れますか
住民票の取り方",住民票の写しは、市民課の窓口またはコンビニ交付で取れます。コンビニ交付にはマイナンバーカードが必要です。,https://city.example.jp/juminhyo,市民課
G01,ごみ,粗大ごみの出し方,"ソファを捨てたい
大きいごみの捨て方",粗大ごみは、粗大ごみ受付センターへ電話で申し込んでください。,https://city.example.jp/sodai,環境課
C01,子育て,児童手当の申請方法,"児童手当の手続き
児童手当を申請したい",,,子育て支援課
T01,税金,住民税の納付方法,住民税の払い方,納付書で金融機関かコンビニで払えます。,,税務課
"""

class SqliteFault:
    def __init__(self, url: str) -> None:
        path = url.removeprefix("sqlite:///")
        self.files = [path, f"{path}-wal", f"{path}-shm"]

    def start(self) -> None:
        # Should this script die, the flag still comes off.
        self.undo = subprocess.Popen(["sh", "-c", 'sleep 120; chattr -i "$@"', "undo", *self.files])
        subprocess.run(["chattr", "+i", *self.files], check=True)

    def end(self) -> None:
        subprocess.run(["chattr", "-i", *self.files], check=True)
        self.undo.kill()
        self.undo.wait()


class PostgresFault:
    def __init__(self, url: str) -> None:
        self.name = url.rsplit("/", 1)[1]
        self.admin = create_engine(url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")

    def _run(self, sql: str) -> None:
        with self.admin.connect() as conn:
            conn.execute(text(sql))

    def start(self) -> None:
        self._run(f'ALTER DATABASE "{self.name}" SET default_transaction_read_only = on')
        self._run(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{self.name}'")

    def end(self) -> None:
        self._run(f'ALTER DATABASE "{self.name}" SET default_transaction_read_only = off')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="", help="a PostgreSQL server's URL; a database is made on it")
    parser.add_argument("--fault-seconds", type=float, default=10.0)
    parser.add_argument("--interval", type=float, default=0.25)
    parser.add_argument("--after", type=float, default=20.0)
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="fault-bench-"))
    if args.database_url:
        name = f"fault_bench_{os.getpid()}"
        with create_engine(args.database_url, isolation_level="AUTOCOMMIT").connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = args.database_url.rsplit("/", 1)[0] + "/" + name
        fault = PostgresFault(url)
    else:
        url = f"sqlite:///{tmp / 'bench.sqlite3'}"
        fault = SqliteFault(url)
    db.upgrade(url)
    db.import_models()
    engine = db.make_engine(url)
    with db.make_sessionmaker(engine)() as session:
        import_faq(session, parse_faq_csv(FAQ_CSV.encode("utf-8")))
        session.commit()
    engine.dispose()

    stub = LineStub(access_token=TOKEN).start()
    port = free_port()
    log = tmp / "gunicorn.log"
    env = {**os.environ, "DATABASE_URL": url, "LINE_CHANNEL_SECRET": SECRET,
           "LINE_CHANNEL_ACCESS_TOKEN": TOKEN, "LINE_API_BASE_URL": stub.url, "SECRET_KEY": "bench",
           "INSTANCE_PATH": str(tmp / "instance"), "EMBEDDING_CACHE_DIR": str(tmp / "embeddings"),
           "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
    gunicorn = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}",
                                 "--error-logfile", str(log), "wsgi:app"], cwd=ROOT, env=env)
    http = requests.Session()
    sent, waiting, statuses = [], [], Counter()
    try:
        while not (log.exists() and log.read_text().count("FAQ index ready") == 2):
            if gunicorn.poll() is not None:
                sys.exit(f"gunicorn exited:\n{log.read_text()}")
            time.sleep(0.5)
        workers = worker_pids(gunicorn.pid)

        def deliver(event: dict, phase: str) -> bool:
            body = wh.body(event)
            try:
                status = http.post(f"http://127.0.0.1:{port}/callback", data=body.encode(),
                                   headers=wh.headers(body, SECRET), timeout=30).status_code
            except requests.RequestException:
                status = "no answer"
            statuses[(phase, status)] += 1
            return status == 200

        started = time.monotonic()
        fault_at, end_at = started + 3, started + 3 + args.fault_seconds
        stop_at = end_at + args.after
        faulted = ended = False
        first_ok_after = None
        while time.monotonic() < stop_at:
            now = time.monotonic()
            if not faulted and now >= fault_at:
                fault.start()
                faulted = True
            if faulted and not ended and now >= end_at:
                fault.end()
                ended = True
            phase = "before" if not faulted else "during" if not ended else "after"
            event = wh.text(QUESTIONS[len(sent) % len(QUESTIONS)])
            sent.append(event)
            if deliver(event, phase):
                if ended and first_ok_after is None:
                    first_ok_after = time.monotonic() - end_at
            else:
                waiting.append(event)
            for again in list(waiting[:-1] if waiting and waiting[-1] is event else waiting):
                if deliver(dict(again, deliveryContext={"isRedelivery": True}), phase + " (redelivered)"):
                    waiting.remove(again)
            time.sleep(max(0.0, args.interval - (time.monotonic() - now)))
        if faulted and not ended:
            fault.end()
        alive = worker_pids(gunicorn.pid)
        engine = db.make_engine(url)
        with db.make_sessionmaker(engine)() as session:
            logged = session.scalar(select(func.count()).select_from(Message))
        engine.dispose()
    finally:
        gunicorn.terminate()
        gunicorn.wait(timeout=60)
        stub.stop()
        if args.database_url:
            fault._run(f'DROP DATABASE IF EXISTS "{fault.name}" WITH (FORCE)')
            fault.admin.dispose()
    kind = "PostgreSQL" if args.database_url else "SQLite"
    print(f"{kind}, fault {args.fault_seconds:g} s, a question every {args.interval:g} s")
    print(f"questions sent {len(sent)}, in the log {logged}, still refused at the end {len(waiting)}")
    for (phase, status), count in sorted(statuses.items(), key=lambda kv: (kv[0][0], str(kv[0][1]))):
        print(f"  {phase:24} {status}: {count}")
    print("first new question answered 200 after the fault ended: "
          + (f"{first_ok_after:.2f} s" if first_ok_after is not None else "never"))
    print(f"workers {workers} -> {alive}" + ("" if workers == alive else " (a worker died and was replaced)"))
    died = log.read_text().count("Bus error") + log.read_text().count("signal 7")
    if died:
        print(f"gunicorn log: {died} worker(s) killed by SIGBUS")


if __name__ == "__main__":
    main()
