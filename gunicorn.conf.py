"""gunicorn settings, read from the working directory: `gunicorn wsgi:app`.

Every worker loads the embedding model and builds the FAQ index before it takes a request
(post_worker_init), so no resident waits for that: measured in bench/results/webhook_roundtrip.md.
"""
import os
import time

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '5000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# One OpenMP thread per worker per core: two workers with two threads each on two cores made the
# round-trip p95 1.7 s instead of 59 ms under two concurrent clients (bench/results/webhook_roundtrip.md).
os.environ.setdefault("RETRIEVAL_THREADS", str(max(1, (os.cpu_count() or 1) // workers)))
# Loading the model takes seconds on a busy machine; the worker must not be killed meanwhile.
timeout = 120


def post_worker_init(worker):
    started = time.perf_counter()
    worker.wsgi.extensions["cityfaq"].live_index.search("住民票")
    worker.wsgi.extensions["cityfaq"].reply_sender.start()  # replies a dead worker left pending
    worker.wsgi.extensions["cityfaq"].notice_sender.start()  # approved notices, batches left pending
    worker.log.info("worker %s: FAQ index ready in %.1f s", worker.pid, time.perf_counter() - started)
