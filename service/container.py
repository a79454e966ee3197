"""The one place where components are wired from settings.

Components are created lazily and cached, so a CLI command that only needs the compliance filter does not
load the embedding model. Tests build a container with fakes by passing components explicitly.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

from service.settings import Settings

T = TypeVar("T")


class Container:
    """Holds settings and builds each component once, on first use (thread-safe)."""

    def __init__(self, settings: Settings, **overrides: Any) -> None:
        self.settings = settings
        self._cache: dict[str, Any] = dict(overrides)
        self._lock = threading.RLock()

    def _get(self, name: str, build: Callable[[], T]) -> T:
        with self._lock:
            if name not in self._cache:
                self._cache[name] = build()
            return self._cache[name]  # type: ignore[no-any-return]

    def provide(self, name: str, value: Any) -> None:
        """Replace a component (tests, or a CLI flag that swaps one)."""
        with self._lock:
            self._cache[name] = value

    # --- components --------------------------------------------------------------------------------
    @property
    def metrics(self) -> Any:
        """service.metrics.Metrics: this container's Prometheus registry."""

        def build() -> Any:
            from service.metrics import Metrics

            return Metrics()

        return self._get("metrics", build)

    @property
    def embedder(self) -> Any:
        def build() -> Any:
            from service.embeddings.factory import build_embedder

            return build_embedder(self.settings)

        return self._get("embedder", build)

    @property
    def index(self) -> Any:
        """service.index.manager.IndexManager: versions, reindex, retrieval."""

        def build() -> Any:
            from service.index.manager import IndexManager

            return IndexManager.from_settings(self.settings, self.embedder, self.metrics)

        return self._get("index", build)

    @property
    def compliance(self) -> Any:
        """service.compliance.engine.ComplianceEngine."""

        def build() -> Any:
            from service.compliance.engine import ComplianceEngine

            # The meaning layer shares the drafting embedder (loaded only when a sentence needs it).
            return ComplianceEngine.from_settings(self.settings, embedder=lambda: self.embedder)

        return self._get("compliance", build)

    @property
    def llm(self) -> Any:
        """service.drafting.llm.ChatModel or None when no endpoint is configured."""

        def build() -> Any:
            from service.drafting.llm import build_chat_model

            return build_chat_model(self.settings)

        return self._get("llm", build)

    @property
    def drafter(self) -> Any:
        """service.drafting.pipeline.DraftPipeline."""

        def build() -> Any:
            from service.drafting.pipeline import DraftPipeline

            return DraftPipeline.from_container(self)

        return self._get("drafter", build)

    @property
    def store(self) -> Any:
        """service.connectors.base.StoreConnector, or None when REPLYDRAFT_STORE_CONNECTOR=none."""

        def build() -> Any:
            from service.connectors.factory import build_connector

            return build_connector(self.settings)

        return self._get("store", build)

    @property
    def store_desk(self) -> Any:
        """service.store.desk.StoreDesk over the connector and the store policy, or None without one."""

        def build() -> Any:
            from service.store.desk import StoreDesk
            from service.store.policy import StorePolicy

            if self.store is None:
                return None
            return StoreDesk(self.store, StorePolicy.load(self.settings.store_policy_file))

        return self._get("store_desk", build)

    @property
    def verified(self) -> Any:
        """service.learning.store.VerifiedStore: verified answers (table + their Chroma collection)."""

        def build() -> Any:
            from service.index.chroma_store import make_client
            from service.learning.store import VerifiedStore
            from service.learning.vectors import VerifiedVectors

            def vectors() -> VerifiedVectors:
                return self._get(
                    "verified_vectors",
                    lambda: VerifiedVectors(
                        make_client(self.settings), self.settings.collection_prefix, self.embedder
                    ),
                )

            # Chroma and the index are reached on use, so listing answers needs only the database.
            return VerifiedStore(
                self.db,
                vectors=vectors,
                index=lambda: self.index,
                scope=lambda request, question: self.drafter.question_products(request, question),
            )

        return self._get("verified", build)

    @property
    def verified_answers(self) -> Any:
        """service.learning.verified.VerifiedAnswers: the drafting pipeline's verified-answer look-up."""

        def build() -> Any:
            from service.learning.verified import VerifiedAnswers

            return VerifiedAnswers(self.settings, self.verified, self.index)

        return self._get("verified_answers", build)

    @property
    def db(self) -> Any:
        """service.review.db.Database (SQLAlchemy engine + sessions)."""

        def build() -> Any:
            from service.review.db import Database

            return Database.from_settings(self.settings)

        return self._get("db", build)

    @property
    def reviews(self) -> Any:
        """service.review.workflow.ReviewService: drafts, state machine, audit, outbox, keys."""

        def build() -> Any:
            from service.review.workflow import ReviewService

            return ReviewService.from_container(self)

        return self._get("reviews", build)

    @property
    def keys(self) -> Any:
        """service.api.auth.KeyStore; the database-backed store of the review package by default."""

        def build() -> Any:
            from service.review.keys import DatabaseKeyStore

            return DatabaseKeyStore(self.db, cache_seconds=self.settings.auth_cache_seconds)

        return self._get("keys", build)

    @property
    def limiter(self) -> Any:
        """service.ratelimit.Limiter: per-key rates and the drafting concurrency cap."""

        def build() -> Any:
            from service.ratelimit import Limiter

            return Limiter(self.settings)

        return self._get("limiter", build)

    def close(self) -> None:
        with self._lock:
            for value in self._cache.values():
                closer = getattr(value, "close", None)
                if callable(closer):
                    closer()
            self._cache.clear()
