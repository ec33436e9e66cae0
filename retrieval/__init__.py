"""Japanese text in, ranked FAQ entries out (no Flask, no LINE, no database).

The index, the embedder and foreign-language search (numpy, faiss, the model) load on first use
(PEP 562 __getattr__ below): a command that needs only the language names (`faq.entries`, hence
every command line start) must not wait for numpy. `decide` and `normalize` are imported here as
they are functions named like their modules: imported lazily, the module would shadow them.
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from . import language
from .decide import Decision, decide
from .normalize import normalize

# name -> the module of this package that holds it
_LAZY = {"Embedder": "embedder", "load_embedder": "embedder", "Document": "index", "Hit": "index",
         "Index": "index", "IndexSettings": "index", "build_index": "index", "foreign": "foreign"}

if TYPE_CHECKING:
    from . import foreign
    from .embedder import Embedder, load_embedder
    from .index import Document, Hit, Index, IndexSettings, build_index

__all__ = ["Decision", "Document", "Embedder", "Hit", "Index", "IndexSettings", "build_index",
           "decide", "foreign", "language", "load_embedder", "normalize"]


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = importlib.import_module(f".{_LAZY[name]}", __name__)
    return module if name == _LAZY[name] else getattr(module, name)
