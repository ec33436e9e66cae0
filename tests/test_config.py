"""One frozen Settings, read from the environment in config.py only and checked at start."""
from __future__ import annotations

import dataclasses
import re
import runpy
from pathlib import Path

import pytest

import config
from errors import UserError

ROOT = Path(__file__).resolve().parent.parent
# Where reading the environment is allowed: the one place it is read, and what is not the app.
ALLOWED = {"config.py"}
NOT_THE_APP = ("tests", "bench", "scripts", ".venv", "instance", "node_modules")
# Not configuration: backup.py hands the environment on to pg_dump (with PGPASSWORD added), and the
# embedder sizes OpenMP (writes, never reads), which reads only OMP_NUM_THREADS from the environment.
PASS_ON = {"backup.py": "env = dict(os.environ)",
           "retrieval/embedder.py": 'os.environ["OMP_NUM_THREADS"] = str(threads)'}
READS = re.compile(r"\bos\.environ\b|\bgetenv\(|\bfrom os import [^\n]*\benviron\b")


def _env(tmp_path: Path, **values: str) -> dict[str, str]:
    return {"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "k", **values}


def test_the_defaults_are_the_documented_ones(tmp_path):
    settings = config.from_env(_env(tmp_path))
    assert (settings.answer_threshold, settings.candidate_threshold, settings.index_poll_seconds) == (0.96, 0.013, 2.0)
    assert (settings.host, settings.port, settings.web_concurrency) == ("127.0.0.1", 5000, 2)
    assert (settings.trust_proxy, settings.session_cookie_secure, settings.retrieval_threads) == (False, False, 0)
    assert settings.database_url == f"sqlite:///{tmp_path / 'cityfaq.sqlite3'}"
    assert settings.embedding_cache_dir == tmp_path / "embeddings"
    config.check(settings)


def test_every_variable_is_read(tmp_path):
    settings = config.from_env(_env(
        tmp_path, TRUST_PROXY="1", SESSION_COOKIE_SECURE="yes", WEB_CONCURRENCY="4", RETRIEVAL_THREADS="1",
        HOST="0.0.0.0", PORT="8000", ANSWER_THRESHOLD="0.9", CANDIDATE_THRESHOLD="0.2", INDEX_POLL_SECONDS="5"))
    assert (settings.trust_proxy, settings.session_cookie_secure) == (True, True)
    assert (settings.web_concurrency, settings.retrieval_threads, settings.threads_per_worker()) == (4, 1, 1)
    assert (settings.host, settings.port) == ("0.0.0.0", 8000)
    assert (settings.answer_threshold, settings.candidate_threshold, settings.index_poll_seconds) == (0.9, 0.2, 5.0)


def test_settings_are_frozen(tmp_path):
    settings = config.from_env(_env(tmp_path))
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.answer_threshold = 0.5  # type: ignore[misc]


@pytest.mark.parametrize("name, value", [
    ("ANSWER_THRESHOLD", "0,9"), ("CANDIDATE_THRESHOLD", "abc"), ("INDEX_POLL_SECONDS", "2s"),
    ("ANSWER_THRESHOLD", "nan"), ("PORT", "http"), ("WEB_CONCURRENCY", "two"), ("RETRIEVAL_THREADS", "1.5"),
    ("FAQ_STALE_MONTHS", "一年"), ("TRUST_PROXY", "ture"), ("SESSION_COOKIE_SECURE", "2"), ("LOCAL_CHAT", "maybe"),
])
def test_a_value_that_cannot_be_read_is_refused_naming_the_variable(tmp_path, name, value):
    with pytest.raises(config.ConfigError, match=f"^{name} は.*「{re.escape(value)}」"):
        config.from_env(_env(tmp_path, **{name: value}))


@pytest.mark.parametrize("values, name", [
    ({"ANSWER_THRESHOLD": "0.3", "CANDIDATE_THRESHOLD": "0.5"}, "CANDIDATE_THRESHOLD"),
    ({"ANSWER_THRESHOLD": "-0.1", "CANDIDATE_THRESHOLD": "-0.2"}, "ANSWER_THRESHOLD"),
    ({"INDEX_POLL_SECONDS": "-1"}, "INDEX_POLL_SECONDS"),
    ({"PORT": "70000"}, "PORT"),
    ({"WEB_CONCURRENCY": "0"}, "WEB_CONCURRENCY"),
    ({"RETRIEVAL_THREADS": "-2"}, "RETRIEVAL_THREADS"),
    ({"FAQ_STALE_MONTHS": "0"}, "FAQ_STALE_MONTHS"),
    ({"CHECK_WORKER": "cron"}, "CHECK_WORKER"),
])
def test_a_value_out_of_range_stops_the_app_at_start(tmp_path, values, name):
    settings = config.from_env(_env(tmp_path, **values))
    with pytest.raises(config.ConfigError, match=f"^{name}") as refused:
        config.check(settings)
    assert isinstance(refused.value, UserError) and not refused.value.message.isascii()  # told in Japanese


def test_gunicorn_reads_the_same_settings(tmp_path, monkeypatch):
    from gunicorn.config import KNOWN_SETTINGS

    for name, value in _env(tmp_path, HOST="0.0.0.0", PORT="8123", WEB_CONCURRENCY="3").items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("RETRIEVAL_THREADS", raising=False)
    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    # gunicorn takes every module-level name that is one of its settings: only those meant as one.
    known = {s.name for s in KNOWN_SETTINGS}
    assert {name for name in conf if name in known} == {"bind", "workers", "raw_env", "timeout", "post_worker_init"}
    assert (conf["bind"], conf["workers"], conf["timeout"]) == ("0.0.0.0:8123", 3, config.Settings.worker_timeout)
    assert conf["raw_env"] == [f"RETRIEVAL_THREADS={conf['settings'].threads_per_worker()}"]
    monkeypatch.setenv("RETRIEVAL_THREADS", "1")
    assert runpy.run_path(str(ROOT / "gunicorn.conf.py"))["raw_env"] == ["RETRIEVAL_THREADS=1"]
    monkeypatch.setenv("WEB_CONCURRENCY", "many")
    with pytest.raises(config.ConfigError, match="^WEB_CONCURRENCY"):
        runpy.run_path(str(ROOT / "gunicorn.conf.py"))


def _app_sources() -> list[Path]:
    return [p for p in sorted(ROOT.rglob("*.py"))
            if not set(p.relative_to(ROOT).parts[:-1]) & set(NOT_THE_APP) and p.name != "conftest.py"]


def test_only_config_reads_the_environment():
    sources = _app_sources()
    assert len(sources) > 50 and ROOT / "gunicorn.conf.py" in sources  # the walk found the app
    readers = []
    for path in sources:
        name = path.relative_to(ROOT).as_posix()
        if name in ALLOWED:
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if READS.search(line) and not (name in PASS_ON and PASS_ON[name] in line):
                readers.append(f"{name}: {line.strip()}")
    assert readers == [], "read the environment in config.from_env and pass Settings on:\n" + "\n".join(readers)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_proxy_and_cookie_settings_reach_the_app(settings):
    from werkzeug.middleware.proxy_fix import ProxyFix

    from wsgi import create_app

    plain = create_app(settings)
    assert not isinstance(plain.wsgi_app, ProxyFix) and not plain.config["SESSION_COOKIE_SECURE"]
    behind = create_app(dataclasses.replace(settings, trust_proxy=True, session_cookie_secure=True))
    assert isinstance(behind.wsgi_app, ProxyFix) and behind.config["SESSION_COOKIE_SECURE"]
