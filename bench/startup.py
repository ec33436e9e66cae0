"""Start-up times: command-line help, and the steps of `make run` until /chat answers.

    .venv/bin/python bench/startup.py [--runs 5] [--cache instance/embeddings] [--before /tmp/before]

Each run of `make run`'s steps (Makefile, target `run`) gets a new instance folder (a new SQLite
database) with a copy of a warm embedding cache: --cache (empty if missing) after one unmeasured
run of the same version, so every passage of the sample FAQ is embedded and its calibration kept.
The steps: `db upgrade`, `faq import faq/sample/city_faq.csv --if-empty`, `faq index`, then
`LOCAL_CHAT=1 chat serve`, timed until POST /chat/send returns the bot's reply to a question.
With --before (an export of an older commit, `git archive main | tar -x -C /tmp/before`), its runs
are interleaved with this tree's, with the same interpreter, and both are reported (medians).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLASK = [str(Path(sys.executable).parent / "flask"), "--app", "wsgi"]  # as the Makefile runs it
HELP_COMMANDS = (["--help"], ["users", "create", "--help"], ["report", "monthly", "--help"])
QUESTION = "住民票の写しを取りたい"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(instance: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "EMBEDDING_CACHE_DIR")}
    return {**env, "INSTANCE_PATH": str(instance), "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false",
            **extra}


def _timed(root: Path, args: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run([*FLASK, *args], cwd=root, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def _ask(port: int) -> list | None:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/chat/send", method="POST",
                                     data=json.dumps({"text": QUESTION}).encode(),
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.load(response)["replies"]
    except (urllib.error.URLError, ConnectionError):
        return None


def make_run(root: Path, cache: Path, keep: Path | None = None) -> dict[str, float]:
    """One run of the steps on a copy of `cache`; seconds per step and in all. `keep`: where to
    leave the cache as the run left it."""
    with tempfile.TemporaryDirectory() as tmp:
        instance = Path(tmp) / "instance"
        shutil.copytree(cache, instance / "embeddings")
        env = _env(instance)
        steps = {}
        started = time.perf_counter()
        steps["db upgrade"] = _timed(root, ["db", "upgrade"], env)
        steps["faq import"] = _timed(root, ["faq", "import", "faq/sample/city_faq.csv", "--if-empty"], env)
        steps["faq index"] = _timed(root, ["faq", "index"], env)
        port = _free_port()
        serve_started = time.perf_counter()
        server = subprocess.Popen([*FLASK, "chat", "serve"], cwd=root, env=_env(instance, LOCAL_CHAT="1", PORT=str(port)),
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            while not _ask(port):
                if server.poll() is not None:
                    raise SystemExit(f"chat serve stopped ({server.returncode}) in {root}")
                time.sleep(0.05)
            steps["chat serve until /chat answers"] = time.perf_counter() - serve_started
            steps["total"] = time.perf_counter() - started
            steps["chat serve RSS (MB)"] = _rss_mb(server.pid)
        finally:
            server.terminate()
            server.wait(timeout=30)
        if keep is not None:
            shutil.copytree(instance / "embeddings", keep, ignore=shutil.ignore_patterns("*.locks", "*.lock"))
    return steps


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _snapshot(source: Path, target: Path) -> None:
    """A consistent copy of a cache another process may be writing; the runs never touch `source`."""
    if not (source / "embeddings.sqlite3").exists():
        target.mkdir()
        return
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("*.locks", "*.lock", "*.sqlite3*"))
    with sqlite3.connect(source / "embeddings.sqlite3") as src, \
            sqlite3.connect(target / "embeddings.sqlite3") as dst:
        src.backup(dst)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--cache", type=Path, default=ROOT / "instance" / "embeddings",
                        help="a warm embedding cache (copied, never written)")
    parser.add_argument("--before", type=Path, help="an export of an older commit, run interleaved")
    args = parser.parse_args()
    roots = {"after": ROOT, **({"before": args.before.resolve()} if args.before else {})}
    times: dict[str, dict[str, list[float]]] = {name: {} for name in roots}
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp) / "embeddings"
        _snapshot(args.cache, cache)
        # Warm for each version: one unmeasured run leaves the cache as that version's `make run`
        # leaves it (a version may key its calibration differently).
        warm = {name: Path(tmp) / f"warm-{name}" for name in roots}
        for name, root in roots.items():
            make_run(root, cache, keep=warm[name])
        for run in range(args.runs):
            for name, root in (roots.items() if run % 2 == 0 else reversed(roots.items())):
                instance = Path(tmp) / "help"
                for command in HELP_COMMANDS:
                    label = "flask --app wsgi " + " ".join(command)
                    times[name].setdefault(label, []).append(_timed(root, command, _env(instance)))
                for label, seconds in make_run(root, warm[name]).items():
                    times[name].setdefault(f"make run: {label}", []).append(seconds)
            print(f"run {run + 1}/{args.runs} done (load {os.getloadavg()[0]:.1f})", file=sys.stderr)
    labels = list(times["after"])
    print("| | " + " | ".join(roots) + " |\n|---|" + "---|" * len(roots))
    for label in labels:
        unit = "" if "MB" in label else " s"
        cells = [f"{statistics.median(times[name][label]):.2f}{unit} "
                 f"({min(times[name][label]):.2f}–{max(times[name][label]):.2f})" for name in roots]
        print(f"| `{label}` | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
