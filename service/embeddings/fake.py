"""A fast deterministic embedder for unit tests: hashed character n-grams, L2-normalised.

Texts that share characters and bigrams land close together, so retrieval tests stay meaningful
without loading a model.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np

from service.embeddings.base import Vectors


class FakeEmbedder:
    model_id = "fake:char-ngram-256"

    def __init__(self, dim: int = 256) -> None:
        self.dim = dim
        self.calls = 0  # passages embedded so far, so tests can prove reuse

    def _vec(self, text: str) -> Vectors:
        v = np.zeros(self.dim, dtype=np.float32)
        t = text.lower()
        grams = list(t) + [t[i : i + 2] for i in range(len(t) - 1)]
        for g in grams:
            if g.isspace():
                continue
            h = int.from_bytes(hashlib.blake2b(g.encode("utf-8"), digest_size=4).digest(), "little")
            v[h % self.dim] += 1.0
        n = float(np.linalg.norm(v))
        return v / n if n else v

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        self.calls += len(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.vstack([self._vec(t) for t in texts])

    def embed_query(self, text: str) -> Vectors:
        return self._vec(text)
