"""A worker's first webhook imports nothing heavy: post_worker_init (gunicorn.conf.py) loads what
the webhook path imports, so the first resident does not wait 1.2-2.0 s for line-bot-sdk."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.bot.conftest import SECRET

pytestmark = pytest.mark.slow  # a fresh interpreter loads the model and the index

ROOT = Path(__file__).resolve().parents[2]
# A fresh interpreter, as a gunicorn worker: the app, post_worker_init, then one signed webhook.
WORKER = r"""
import json, runpy, sys
from bot import line_webhook as wh
import wsgi

class Log:
    def info(self, *args): pass

class Worker:  # what post_worker_init uses of gunicorn's worker
    wsgi, pid, log = wsgi.app, 0, Log()

runpy.run_path("gunicorn.conf.py")["post_worker_init"](Worker)
before = set(sys.modules)
raw = wh.body(wh.text("住民票を取りたい"))
status = wsgi.app.test_client().post("/callback", data=raw.encode(), headers=wh.headers(raw, sys.argv[1])).status_code
print(json.dumps({"status": status, "imported": sorted(set(sys.modules) - before)}))
"""


def test_the_first_webhook_imports_nothing_of_the_bot_line_bot_sdk_or_retrieval(settings, faq, tmp_path):
    env = {**os.environ, "DATABASE_URL": settings.database_url, "LINE_CHANNEL_SECRET": SECRET,
           "LINE_CHANNEL_ACCESS_TOKEN": settings.line_channel_access_token,
           "LINE_API_BASE_URL": settings.line_api_base_url, "SECRET_KEY": settings.secret_key,
           "EMBEDDING_CACHE_DIR": str(settings.embedding_cache_dir), "INSTANCE_PATH": str(tmp_path / "instance"),
           "HF_HUB_OFFLINE": "1"}
    done = subprocess.run([sys.executable, "-c", WORKER, SECRET], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["status"] == 200
    heavy = [m for m in result["imported"] if m.split(".")[0] in ("bot", "linebot", "retrieval", "faq", "sudachipy")]
    assert heavy == []
