"""Japanese text in, ranked FAQ entries out (no Flask, no LINE, no database)."""
from . import foreign, language
from .decide import Decision, decide
from .embedder import Embedder, load_embedder
from .index import Document, Hit, Index, IndexSettings, build_index
from .normalize import normalize

__all__ = ["Decision", "Document", "Embedder", "Hit", "Index", "IndexSettings", "build_index",
           "decide", "foreign", "language", "load_embedder", "normalize"]
