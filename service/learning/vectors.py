"""Question embeddings of the active verified answers, in their own Chroma collection.

The database is the truth; this collection only finds candidates fast, so it is rebuilt from the table
whenever it is missing, was built by another embedder, or holds a different set of answers (another
replica's write, a failed add). It works the same on the local Chroma folder and on a Chroma server.
Questions are embedded in the e5 *query* form on both sides: a question is compared with questions.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection

from service.embeddings.base import Embedder, Vectors

log = logging.getLogger("replydraft.verified")

SYNC_EVERY_S = 30.0  # how often a replica compares the collection with the table
BATCH = 500
OTHER = "other"  # the intent detector's "no type found"


@dataclass(frozen=True)
class Entry:
    """What the collection holds of one active verified answer."""

    id: str
    question: str
    language: str
    intent: str
    product_key: str


class VerifiedVectors:
    """The ``<prefix>-kept-answers`` collection (never taken for an index version, see ChromaStore)."""

    def __init__(self, client: ClientAPI, prefix: str, embedder: Embedder) -> None:
        self._client = client
        self.name = f"{prefix}-kept-answers"
        self.embedder = embedder
        self._col: Collection | None = None
        self._lock = threading.Lock()
        self._synced_at = 0.0

    def _collection(self) -> Collection:
        if self._col is None:
            col = self._client.get_or_create_collection(
                self.name, metadata={"hnsw:space": "cosine", "embedder": self.embedder.model_id}
            )
            if (col.metadata or {}).get("embedder") != self.embedder.model_id:
                log.warning("verified-answer vectors were built by another embedder: rebuilding")
                self._client.delete_collection(self.name)
                col = self._client.create_collection(
                    self.name, metadata={"hnsw:space": "cosine", "embedder": self.embedder.model_id}
                )
            self._col = col
        return self._col

    def embed(self, question: str) -> Vectors:
        return self.embedder.embed_query(question)

    def sync(self, active: Callable[[], Sequence[Entry]], *, force: bool = False) -> None:
        """Make the collection hold exactly the active answers (cheap when it already does)."""
        now = time.monotonic()
        if not force and now - self._synced_at < SYNC_EVERY_S:
            return
        with self._lock:
            if not force and time.monotonic() - self._synced_at < SYNC_EVERY_S:
                return
            col = self._collection()
            want = {e.id: e for e in active()}
            have: set[str] = set()
            total = col.count()
            for offset in range(0, total, BATCH):
                have.update(col.get(limit=BATCH, offset=offset, include=[])["ids"])
            extra = sorted(have - set(want))
            missing = [want[i] for i in sorted(set(want) - have)]
            if extra:
                col.delete(ids=extra)
            if missing:
                log.info("adding %d verified answers to their collection", len(missing))
                self._add(col, missing)
            self._synced_at = time.monotonic()

    def add(self, entries: Sequence[Entry]) -> None:
        if entries:
            with self._lock:
                self._add(self._collection(), entries)

    def _add(self, col: Collection, entries: Sequence[Entry]) -> None:
        for start in range(0, len(entries), BATCH):
            part = entries[start : start + BATCH]
            vectors = np.vstack([self.embed(e.question) for e in part])
            col.upsert(
                ids=[e.id for e in part],
                embeddings=cast(Any, vectors),
                metadatas=[
                    {"language": e.language, "intent": e.intent, "product_key": e.product_key} for e in part
                ],
            )

    def remove(self, ids: Sequence[str]) -> None:
        if ids:
            with self._lock:
                self._collection().delete(ids=list(ids))

    def query(
        self, vector: Vectors, *, language: str, intent: str | None, product_key: str, n: int = 3
    ) -> list[tuple[str, float]]:
        """Ids and cosine similarity of the nearest questions with this language and products, and an
        intent that does not conflict: the same, or "other" on either side (no type detected is no
        evidence of another type). ``intent=None``: any (the caller compares the types itself)."""
        col = self._collection()
        clauses: list[dict[str, Any]] = [{"language": language}, {"product_key": product_key}]
        if intent is not None and intent != OTHER:
            clauses.append({"intent": {"$in": [intent, OTHER]}})
        where = {"$and": clauses}
        try:
            res = col.query(
                query_embeddings=cast(Any, [vector]),
                n_results=n,
                where=cast(Any, where),
                include=cast(Any, ["distances"]),
            )
        except Exception as exc:  # an empty or unfiltered-away collection: nothing to match
            log.debug("verified query found nothing", extra={"error": str(exc)})
            return []
        ids = res["ids"][0] if res["ids"] else []
        dists = (res.get("distances") or [[]])[0]
        return [(i, 1.0 - float(d)) for i, d in zip(ids, dists, strict=True)]

    def drop(self) -> None:
        """Forget the collection (tests, and `replydraft verified rebuild`)."""
        with self._lock:
            try:
                self._client.delete_collection(self.name)
            except Exception:  # already gone
                log.debug("no verified collection to drop")
            self._col = None
            self._synced_at = 0.0
