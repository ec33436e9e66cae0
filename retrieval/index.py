"""The FAQ search index: build it once from the entries, then search() per message."""
from __future__ import annotations

import dataclasses
import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from . import calibration, confidence, hybrid, thesaurus
from .calibration import Calibration
from .bm25 import WeightedBm25
from .dense import ANSWER, PHRASING, SENTENCE, DenseIndex
from .embedder import Embedder
from .normalize import has_content, hiragana_share, normalize
from .nouns import NounCoverage
from .readings import ReadingTable
from .thesaurus import Thesaurus
from .tokenize import (BUILTIN_SYNONYMS, DEFAULT, TokenSettings, apply_synonyms, kana_bigrams, nouns, tokens,
                       with_readings)

# A resident's message beyond this is cut: the topic is in the opening, and a 5,000-character
# paste must not cost seconds of encoding.
MAX_QUERY_CHARS = 500
# BM25 candidates rescored densely and blended, besides the dense index's own nearest entries.
_LEXICAL_DEPTH = 50
METHODS = ("bm25", "dense", "hybrid")


@dataclass(frozen=True)
class Document:
    faq_id: str
    question: str
    alternates: tuple[str, ...] = ()
    answer: str = ""
    # Staff-written translations of the question, (language, text): extra phrasings for a message
    # in that language (foreign.py), never seen by the Japanese path.
    translated_questions: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Hit:
    faq_id: str
    # in [0, 1], comparable to the answer/candidate thresholds; for the hybrid, the share of this
    # FAQ's near misses the entry's confidence beats (calibration.py)
    score: float


@dataclass(frozen=True)
class IndexSettings:
    """Choices measured by bench/retrieval_quality.py --grid; the defaults are the measured best."""

    method: str = "hybrid"  # "bm25", "dense" or "hybrid"
    # "confidence" or "rrf": the hybrid's order (its score is always the calibrated confidence).
    fusion: str = "confidence"
    # A fitted confidence model (confidence.fit); None: the one shipped with the code.
    confidence_model: object | None = None
    tokens: TokenSettings = DEFAULT
    # Mostly-hiragana messages rewritten into the FAQ's words before searching (readings.py).
    rewrite_readings: bool = True
    # A message's words the FAQ lacks replaced by the FAQ's synonyms (thesaurus.py).
    rewrite_synonyms: bool = True
    # Characters of the answer embedded after the question (-1: all of it, 0: none).
    answer_chars: int = 200
    # The answer's first sentences, each embedded after the question (0: none).
    answer_sentences: int = 12
    # BM25 fields: question and alternates (weight 1), their reading bigrams, the answer's words.
    reading_weight: float = 1.0
    answer_weight: float = 0.2
    lexical_answer_chars: int = -1


def _head(text: str, chars: int) -> str:
    return text if chars < 0 else text[:chars]


def _question_text(doc: Document) -> str:
    return "\n".join([doc.question, *doc.alternates])


def _exact_key(text: str) -> str:
    """A phrasing as typed, without its spacing, punctuation, marks or emoji."""
    return "".join(ch for ch in normalize(text) if ch.isalnum())


# A sentence ends at 。！？ or a line break; shorter pieces (「▼詳しくはこちら」, a bare link) say little.
_SENTENCE_END = re.compile(r"(?<=[。！？\n])")
_MIN_SENTENCE_CHARS = 6


def _sentences(answer: str, limit: int) -> list[str]:
    pieces = (piece.strip() for piece in _SENTENCE_END.split(answer))
    return [piece for piece in pieces if len(piece) >= _MIN_SENTENCE_CHARS][:limit]


def _passages(doc: Document, settings: IndexSettings) -> list[tuple[str, int]]:
    """(normalised text, its kind in dense.KINDS) for each passage embedded."""
    passages = [(normalize(p), PHRASING) for p in (doc.question, *doc.alternates)]
    if settings.answer_chars and doc.answer:
        passages.append((normalize(f"{doc.question}\n{_head(doc.answer, settings.answer_chars)}"), ANSWER))
    passages += [(normalize(f"{doc.question}\n{sentence}"), SENTENCE)
                 for sentence in _sentences(doc.answer, settings.answer_sentences)]
    # A one-sentence answer's sentence passage is its answer passage: kept once, as the answer
    # (exact() gives an entry without sentence passages its answer's cosine, the same number).
    kept: dict[str, int] = {}
    for text, kind in passages:
        if text:
            kept.setdefault(text, kind)
    return list(kept.items())


class Index:
    def __init__(self, docs: Sequence[Document], embedder: Embedder, synonyms: Mapping[str, str],
                 settings: IndexSettings, progress: bool = False):
        if settings.method not in METHODS:
            raise ValueError(f"method must be one of {METHODS}, not {settings.method!r}")
        self.docs = list(docs)
        self.embedder = embedder
        self.synonyms = with_readings({**BUILTIN_SYNONYMS,
                                       **{normalize(k): normalize(v) for k, v in synonyms.items()}})
        self.settings = settings
        self._confidence_model = settings.confidence_model
        questions = [self._tokens(_question_text(d)) for d in self.docs]
        answers = [self._tokens(_head(d.answer, settings.lexical_answer_chars))[0]
                   if settings.answer_weight > 0 else [] for d in self.docs]
        self.bm25 = WeightedBm25([([w for w, _ in questions], 1.0),
                                  ([r for _, r in questions], settings.reading_weight),
                                  (answers, settings.answer_weight)])
        self.nouns = NounCoverage([[*q, *a] for (q, _), a in zip(questions, answers)])
        # Each phrasing, as typed, to its entry (confidence.of); one two entries share picks neither.
        phrasing_owners: dict[str, set[int]] = {}
        for i, doc in enumerate(self.docs):
            for phrasing in (doc.question, *doc.alternates):
                phrasing_owners.setdefault(_exact_key(phrasing), set()).add(i)
        self.exact = {key: next(iter(entries)) for key, entries in phrasing_owners.items()
                      if key and len(entries) == 1}
        # The phrasings' words, and the answers' katakana words and kanji nouns (readings.py).
        read = self.docs if settings.rewrite_readings else []
        self.readings = ReadingTable((normalize(_question_text(d)) for d in read), (normalize(d.answer) for d in read))
        self.thesaurus = self._cached_thesaurus() if settings.rewrite_synonyms else Thesaurus({})
        passages, owners = [], []
        if settings.method != "bm25":
            for i, doc in enumerate(self.docs):
                texts = _passages(doc, settings)
                passages += texts
                owners += [i] * len(texts)
        vectors = (embedder.passages([text for text, _ in passages], progress=progress) if passages
                   else np.zeros((0, embedder.dim), dtype=np.float32))
        self.dense = DenseIndex(vectors, owners, [kind for _, kind in passages], len(self.docs))
        self.translated = self._translated(progress) if settings.method != "bm25" else {}
        self.calibration = Calibration(0.0, 1.0, ())
        if settings.method != "bm25" and self.docs:
            self.calibration = self._cached_calibration(synonyms)

    @property
    def confidence_model(self):
        """Every hybrid search weighs its candidates with this, whatever its order. The shipped
        model loads on first use: a build whose calibration is cached never needs it."""
        if self._confidence_model is None and self.settings.method == "hybrid":
            self._confidence_model = confidence.load()
        return self._confidence_model

    def warm(self) -> None:
        """Load what a search needs that a build may not have (the model, the confidence trees):
        a server does, so that its first question does not wait for them."""
        if self.settings.method != "bm25":
            self.embedder.load()
        _ = self.confidence_model

    def _translated(self, progress: bool) -> dict[str, DenseIndex]:
        """Per language, a dense index of the entries' translated questions (apart from `dense`,
        so that neither the Japanese ranking nor the calibration sees them)."""
        by_language: dict[str, tuple[list[str], list[int]]] = {}
        for i, doc in enumerate(self.docs):
            for language, question in doc.translated_questions:
                if text := normalize(question):
                    texts, owners = by_language.setdefault(language, ([], []))
                    texts.append(text)
                    owners.append(i)
        return {language: DenseIndex(self.embedder.passages(texts, progress=progress), owners,
                                     [PHRASING] * len(texts), len(self.docs))
                for language, (texts, owners) in by_language.items()}

    def _tokens(self, text: str) -> tuple[list[str], list[str]]:
        return tokens(apply_synonyms(normalize(text), self.synonyms), self.settings.tokens)

    def __len__(self) -> int:
        return len(self.docs)

    def search(self, query: str, k: int = 10) -> list[Hit]:
        """At most k entries, one hit each, best first; [] for a message with no words at all."""
        found = self.candidates(query)
        if found is None or k <= 0:
            return []
        method = self.settings.method
        if method == "bm25":
            return self._hits(found.ids, found.lexical, k)
        if method == "dense":
            return self._hits(found.ids, hybrid.dense_scale(found.cosine, found.dense_range), k)
        raw = confidence.of(self.confidence_model, found)
        shown = self.calibration.score(raw)
        shown[found.ids == found.exact] = 1.0
        order = hybrid.rrf(found.lexical, found.cosine) if self.settings.fusion == "rrf" else raw
        return self._hits(found.ids, order, k, shown)

    def prepare(self, query: str) -> str:
        """The message as it is searched: normalised, synonyms, hiragana read in the FAQ's words,
        synonyms again (the reading may produce a term, and a term typed in hiragana must meet
        its synonym before the reading turns it into something else), then the words the FAQ
        lacks in the FAQ's words (thesaurus.py)."""
        text = apply_synonyms(normalize(query)[:MAX_QUERY_CHARS], self.synonyms)
        if self.settings.rewrite_readings:
            text = self.readings.rewrite(text, typed=query[:MAX_QUERY_CHARS])
        return self.thesaurus.rewrite(apply_synonyms(text, self.synonyms))

    def candidates(self, query: str, vector: np.ndarray | None = None) -> hybrid.Signals | None:
        """The entries worth scoring and the evidence for each (what the ranking and the
        confidence are made of); None for a message with no words at all. `vector`: the prepared
        message already encoded (the calibration encodes its probes in one batch)."""
        text = self.prepare(query)
        if not self.docs or not has_content(text):
            return None
        words, readings = tokens(text, self.settings.tokens)
        if self.settings.tokens.readings:
            # Hiragana as typed, where an entry has that reading (Sudachi misreads such messages).
            known = self.bm25.fields[1][0].idf if self.bm25.fields[1][0] else {}
            readings += [b for b in dict.fromkeys(kana_bigrams(text)) if b in known and b not in readings]
        fields = self.bm25.field_scores([words, readings, words])
        hiragana = hiragana_share(text)
        if self.settings.method == "bm25":
            none = np.full(len(self.docs), -1.0, dtype=np.float32)
            return hybrid.Signals(np.arange(len(self.docs)), fields, none, none, none, hiragana, none, none)
        if vector is None:
            vector = self.embedder.queries([text])[0]
        entries = self.dense.top(vector)
        if self.settings.method == "hybrid":
            lexical = fields.sum(axis=0)
            lexical_top = np.argpartition(-lexical, min(_LEXICAL_DEPTH, len(lexical) - 1))[:_LEXICAL_DEPTH]
            seen = set(entries)
            entries += [int(e) for e in lexical_top if lexical[e] > 0 and int(e) not in seen]
        ids = np.array(entries, dtype=np.int64)
        phrasing, answer, sentence = self.dense.exact(vector, entries)
        # An entry whose answer is still empty is judged on its phrasings alone, so a paraphrase
        # reaches it (the resident is told it is being prepared, and by whom) as an exact one does.
        answer = np.where(answer < -0.5, phrasing, answer)
        sentence = np.where(sentence < -0.5, answer, sentence)
        cover, gap = self.nouns.features(nouns(text, self.settings.tokens), entries)
        return hybrid.Signals(ids, fields[:, ids], phrasing, answer, sentence, hiragana, cover, gap,
                              self.exact.get(_exact_key(query[:MAX_QUERY_CHARS]), -1),
                              self.calibration.dense_range)

    def _hits(self, ids: np.ndarray, scores: np.ndarray, k: int, shown: np.ndarray | None = None) -> list[Hit]:
        """The k best by `scores`, each hit carrying its `shown` score (default: the same)."""
        shown = scores if shown is None else shown
        order = np.argsort(-scores, kind="stable")[:k]
        return [Hit(self.docs[ids[i]].faq_id, round(float(shown[i]), 4)) for i in order
                if scores[i] > 0 or self.settings.method != "bm25"]

    def _cached_thesaurus(self) -> Thesaurus:
        """The FAQ's replacements (thesaurus.py), from the embedding cache's folder when this FAQ
        was measured with this dictionary before (a restart reads neither again), else measured now."""
        dictionary = thesaurus.fingerprint()
        folder = self.embedder.cache.path.parent / "thesaurus" if self.embedder.cache and dictionary else None
        path = folder / f"{calibration.cache_key(dictionary, self._texts_key)}.json" if folder else None
        if path is not None and path.exists():
            return Thesaurus(json.loads(path.read_text(encoding="utf-8")))
        measured = Thesaurus.of((normalize(f"{_question_text(d)}\n{d.answer}") for d in self.docs), thesaurus.load())
        if path is not None:
            _write_atomically(path, json.dumps(measured.replacements, ensure_ascii=False))
        return measured

    @cached_property
    def _texts_key(self) -> str:
        """The FAQ's texts, as the thesaurus's and the calibration's cache keys name them (built once)."""
        return repr([(d.question, d.alternates, d.answer) for d in self.docs])

    # -- calibration (calibration.py) ---------------------------------------------------------

    def _cached_calibration(self, synonyms: Mapping[str, str]) -> Calibration:
        """The FAQ's calibration, from the embedding cache's folder when this FAQ, model and
        confidence model were calibrated before (a restart costs nothing), else measured now."""
        folder = self.embedder.cache.path.parent / "calibration" if self.embedder.cache else None
        key = calibration.cache_key(
            self.embedder.model_id, confidence.fingerprint(self.settings.confidence_model),
            repr(dataclasses.replace(self.settings, confidence_model=None)),
            repr(sorted(synonyms.items())), self._texts_key)
        path = folder / f"{key}.json" if folder else None
        if path is not None and path.exists():
            return Calibration.from_json(path.read_text(encoding="utf-8"))
        measured = self.measure_calibration()
        if path is not None:
            _write_atomically(path, measured.to_json())
        return measured

    def measure_calibration(self) -> Calibration:
        """Ask the FAQ's own questions and answers' openings (calibration.py); about 600 searches
        for a large FAQ."""
        positions = calibration.probe_positions(len(self.docs))
        texts = [self.prepare(self.docs[i].question) for i in positions]
        vectors = self.embedder.known_queries(texts)
        searched = self.dense.searched  # the background of whole-entry passages, as before sentences
        floor, ceiling = calibration.dense_range(vectors, self.dense.vectors[searched], self.dense.owners[searched],
                                                 positions)
        self.calibration = Calibration(floor, ceiling, ())  # the probes' features need the range
        if self.settings.method != "hybrid":
            return self.calibration
        if len(positions) < calibration.MIN_PROBES:
            return Calibration(floor, ceiling, calibration.prior())
        # Near misses are also probed with each answer's opening sentence: a resident describing a
        # situation reads more like an answer than like a title, and in an FAQ of long answers
        # such a message meets a wrong entry more closely than the FAQ's questions do.
        openings = [(i, text) for i in positions for text in _sentences(self.docs[i].answer, 1)]
        probes = list(zip(positions, (self.docs[i].question for i in positions), vectors))
        if openings:
            opening_vectors = self.embedder.known_queries([self.prepare(text) for _, text in openings])
            probes += [(i, text, v) for (i, text), v in zip(openings, opening_vectors)]
        near_miss = []
        for position, text, vector in probes:
            found = self.candidates(text, vector)
            if found is not None and (found.ids != position).any():
                # scored as if the entry were not in the FAQ: the leads compare the others with each other
                near_miss.append(float(confidence.of(self.confidence_model, found.without(position)).max()))
        return Calibration(floor, ceiling, tuple(sorted(near_miss)))


def _write_atomically(path: Path, text: str) -> None:
    """Another worker may be writing the same file: each writes its own, then renames it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(f".{os.getpid()}.tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)


def build_index(docs: Sequence[Document], embedder: Embedder, synonyms: Mapping[str, str] | None = None,
                progress: bool = False, settings: IndexSettings | None = None) -> Index:
    """Tokenise and embed every entry (embeddings come from the disk cache when already known)."""
    return Index(docs, embedder, synonyms or {}, settings or IndexSettings(), progress)
