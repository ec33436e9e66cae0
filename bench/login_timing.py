"""How long a failed login takes in each case: the answer's time must not tell which names exist.

    .venv/bin/python bench/login_timing.py [--tries 15]

Posts the login form through Flask's test client (a fresh SQLite file, each try from its own
client address so that the per-client wait never answers first) for an unknown name, a wrong
password, and the right password of an account that is waiting after five failures.
"""
from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import config  # noqa: E402
import db  # noqa: E402

PASSWORD = "correct-horse-42"
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tries", type=int, default=15)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp())
    settings = config.Settings(database_url=f"sqlite:///{tmp}/bench.sqlite3", line_channel_secret="s",
                               line_channel_access_token="t", secret_key="k", instance_path=tmp / "instance",
                               embedding_cache_dir=tmp / "embeddings", index_poll_seconds=0.0)
    db.upgrade(settings.database_url)
    from admin.accounts import create_user
    from wsgi import create_app

    app = create_app(settings)
    app.config["TESTING"] = True
    with app.app_context():
        session = app.extensions["cityfaq"].sessionmaker()
        for name in ("editor", "viewer"):
            create_user(session, name, PASSWORD, "editor")
        session.commit()

    def attempt(name: str, password: str, address: str) -> float:
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = address
        token = TOKEN.search(client.get("/admin/login").get_data(as_text=True)).group(1)
        started = time.perf_counter()
        client.post("/admin/login", data={"username": name, "password": password, "csrf_token": token})
        return (time.perf_counter() - started) * 1000

    for n in range(5):
        attempt("viewer", "wrong password", f"10.9.0.{n}")  # the viewer account now waits
    cases = {"unknown name": ("nobody", PASSWORD), "wrong password": ("editor", "wrong password"),
             "account waiting": ("viewer", PASSWORD)}
    for i, (case, (name, password)) in enumerate(cases.items()):
        times = [attempt(name, password, f"10.8.{i}.{n}") for n in range(args.tries)]
        print(f"{case:<16} median {statistics.median(times):6.1f} ms  min {min(times):6.1f} ms")


if __name__ == "__main__":
    main()
