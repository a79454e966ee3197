"""The Chroma adapter: embedded (PersistentClient) by default, a Chroma server when a URL is set.

Each index version is its own collection. The live version is named in the metadata of one small alias
collection, so every replica that talks to the same Chroma sees the same live version, and switching it is
one metadata write.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import urlparse

import chromadb
import numpy as np
from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.config import Settings as ChromaSettings
from chromadb.utils.embedding_functions import register_embedding_function

from service.embeddings.base import Embedder, Vectors
from service.knowledge.models import Chunk
from service.settings import Settings

ADD_BATCH = 1000
GET_BATCH = 2000


@register_embedding_function
class ReplydraftEmbeddingFunction(EmbeddingFunction[Documents]):
    """Exposes our embedder to Chroma, so Chroma-native queries (query_texts) use the same model and the
    query/passage forms e5 needs."""

    def __init__(self, embedder: Embedder) -> None:
        self._embedder = embedder

    def __call__(self, input: Documents) -> Embeddings:
        return list(self._embedder.embed_passages(list(input)))

    def embed_query(self, input: Documents) -> Embeddings:
        return [self._embedder.embed_query(t) for t in input]

    @staticmethod
    def name() -> str:
        return "replydraft"

    def get_config(self) -> dict[str, Any]:
        return {"model_id": self._embedder.model_id}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> ReplydraftEmbeddingFunction:
        raise NotImplementedError(
            "replydraft collections are opened by replydraft with its configured embedder"
        )

    def default_space(self) -> Any:
        return "cosine"


def make_client(settings: Settings) -> ClientAPI:
    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        return chromadb.HttpClient(
            host=url.hostname or "127.0.0.1",
            port=url.port or (443 if url.scheme == "https" else 8000),
            ssl=url.scheme == "https",
            tenant=settings.chroma_tenant,
            database=settings.chroma_database,
            settings=chroma_settings,
        )
    path = settings.data_dir / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


@dataclass
class AliasState:
    live: str | None
    history: list[str]  # newest first, live included


class ChromaStore:
    """Version collections plus the alias record. Knows nothing about BM25 or fusion."""

    def __init__(self, client: ClientAPI, prefix: str, embedder: Embedder) -> None:
        self._client = client
        self.prefix = prefix
        self._ef = ReplydraftEmbeddingFunction(embedder)
        self._collections: dict[str, Collection] = {}

    @property
    def alias_name(self) -> str:
        return f"{self.prefix}-alias"

    def is_version_name(self, name: str) -> bool:
        return name.startswith(f"{self.prefix}-v")

    # --- alias ---------------------------------------------------------------------------------------
    def _alias_collection(self) -> Collection:
        return self._client.get_or_create_collection(self.alias_name, metadata={"kind": "replydraft-alias"})

    def read_alias(self) -> AliasState:
        meta = self._alias_collection().metadata or {}
        history = json.loads(str(meta.get("history", "[]")))
        live = meta.get("live")
        return AliasState(live=str(live) if live else None, history=[str(h) for h in history])

    def write_alias(self, state: AliasState) -> None:
        self._alias_collection().modify(
            metadata={
                "kind": "replydraft-alias",
                "live": state.live or "",
                "history": json.dumps(state.history),
            }
        )

    # --- versions ------------------------------------------------------------------------------------
    def create_version(self, name: str, metadata: dict[str, Any]) -> Collection:
        col = self._client.create_collection(
            name, metadata={"hnsw:space": "cosine", **metadata}, embedding_function=cast(Any, self._ef)
        )
        self._collections[name] = col
        return col

    def collection(self, name: str) -> Collection:
        col = self._collections.get(name)
        if col is None:
            col = self._client.get_collection(name, embedding_function=cast(Any, self._ef))
            self._collections[name] = col
        return col

    def version_names(self) -> list[str]:
        return sorted(c.name for c in self._client.list_collections() if self.is_version_name(c.name))

    def delete_version(self, name: str) -> None:
        self._collections.pop(name, None)
        with contextlib.suppress(Exception):  # already gone: deleting is idempotent
            self._client.delete_collection(name)

    def add(self, name: str, chunks: Sequence[Chunk], vectors: Vectors) -> None:
        col = self.collection(name)
        for start in range(0, len(chunks), ADD_BATCH):
            part = chunks[start : start + ADD_BATCH]
            col.add(
                ids=[c.id for c in part],
                embeddings=vectors[start : start + ADD_BATCH],
                documents=[c.text for c in part],
                metadatas=[c.metadata() for c in part],  # type: ignore[misc]
            )

    def existing_vectors(self, name: str, ids: Sequence[str]) -> dict[str, Vectors]:
        """Stored embeddings for those ids that the version holds (for reuse across versions)."""
        col = self.collection(name)
        found: dict[str, Vectors] = {}
        for start in range(0, len(ids), GET_BATCH):
            got = col.get(ids=list(ids[start : start + GET_BATCH]), include=["embeddings"])  # type: ignore[list-item]
            embs = got.get("embeddings")
            if embs is None:
                continue
            for cid, emb in zip(got["ids"], embs, strict=True):
                found[cid] = np.asarray(emb, dtype=np.float32)
        return found

    def iter_chunks(self, name: str) -> Iterator[Chunk]:
        col = self.collection(name)
        total = col.count()
        for offset in range(0, total, GET_BATCH):
            got = col.get(limit=GET_BATCH, offset=offset, include=["documents", "metadatas"])  # type: ignore[list-item]
            docs = got.get("documents") or []
            metas = got.get("metadatas") or []
            for cid, doc, meta in zip(got["ids"], docs, metas, strict=True):
                yield Chunk.from_metadata(cid, doc or "", dict(meta or {}))

    def count(self, name: str) -> int:
        return self.collection(name).count()

    def present(self, name: str, ids: Sequence[str]) -> set[str]:
        if not ids:
            return set()
        got = self.collection(name).get(ids=list(ids), include=[])
        return set(got["ids"])

    def query(
        self, name: str, vector: Vectors, n: int, where: dict[str, Any] | None = None
    ) -> list[tuple[str, float]]:
        """Ids and cosine similarity, best first."""
        col = self.collection(name)
        res = col.query(
            query_embeddings=cast(Any, [vector]),
            n_results=n,
            where=where,  # type: ignore[arg-type]
            include=["distances"],  # type: ignore[list-item]
        )
        ids = res["ids"][0] if res["ids"] else []
        dists = (res.get("distances") or [[]])[0]
        return [(cid, 1.0 - float(d)) for cid, d in zip(ids, dists, strict=True)]
