"""gunicorn settings, read from the working directory: `gunicorn wsgi:app`.

Where to serve, how many workers and threads come from config.from_env(), the same Settings
the app reads (HOST, PORT, WEB_CONCURRENCY, RETRIEVAL_THREADS): a bad value stops gunicorn at start
with the ConfigError naming it. Every worker loads the embedding model and builds the FAQ index
before it takes a request (post_worker_init), so no resident waits for that: measured in
bench/results/webhook_roundtrip.md.
"""
import time

# Not `import config`: gunicorn reads every module-level name here, and `config` is one of its settings.
from config import check, from_env

settings = from_env()
check(settings)
bind = f"{settings.host}:{settings.port}"
workers = settings.web_concurrency
# One OpenMP thread per worker per core (Settings.threads_per_worker); gunicorn sets raw_env in the
# environment the workers' app reads its Settings from.
raw_env = [f"RETRIEVAL_THREADS={settings.threads_per_worker()}"]
timeout = settings.worker_timeout


def post_worker_init(worker):
    started = time.perf_counter()
    worker.wsgi.extensions["cityfaq"].live_index.search("住民票")
    # The webhook's own modules too: line-bot-sdk's models alone take 1.5 s to import, which each
    # worker's first resident used to wait for (README, Speed and memory).
    import bot.events  # noqa: F401
    worker.wsgi.extensions["cityfaq"].reply_sender.start()  # replies a dead worker left pending
    worker.wsgi.extensions["cityfaq"].notice_sender.start()  # approved notices, batches left pending
    worker.log.info("worker %s: FAQ index ready in %.1f s", worker.pid, time.perf_counter() - started)
