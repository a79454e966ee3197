"""Versioned, zero-downtime knowledge index with hybrid (dense + BM25) retrieval.

A reindex builds a complete new version beside the live one, checks it, and only then switches the alias;
whatever fails before the switch leaves the live version serving. Unchanged chunks (content-addressed ids)
reuse their stored embeddings, so only new text costs model time.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import numpy as np

from service.answering.facts import FactStore
from service.embeddings.base import Embedder
from service.errors import ErrorCode, ReplydraftError
from service.index.bm25 import LexicalIndex
from service.index.catalogue import Catalogue
from service.index.chroma_store import AliasState, ChromaStore, make_client
from service.index.crosslingual import Glossary
from service.knowledge.models import Chunk, Hit, IngestResult
from service.metrics import Metrics
from service.settings import Settings

log = logging.getLogger("replydraft.index")

RRF_K = 60
EXACT_DENSE_MAX = 3000  # filters keeping at most this many chunks are searched exactly
VECTOR_CACHE_MAX = 20000
# Weight of the translated BM25 list (service.index.crosslingual) in the fusion, relative to the others.
CROSSLINGUAL_WEIGHT = 1.0
ALIAS_TTL_S = 2.0  # how stale a replica's view of the live version may be
ORPHAN_AGE_S = 3600  # unreferenced versions younger than this may be another replica's build in progress

ProgressFn = Callable[[str, int, int], None]  # phase, done, total


@dataclass
class RetrievalFilters:
    product_ids: list[str] | None = None
    category: str | None = None
    source_type: Literal["product", "policy"] | None = None


@dataclass
class VersionInfo:
    version: str
    built_at: str
    chunks: int
    documents: int
    products: int
    source_digest: str
    source: str
    embedder: str
    live: bool = False


@dataclass
class ReindexReport:
    status: Literal["built", "unchanged", "dry_run"]
    version: str | None
    previous_version: str | None
    documents: int
    chunks: int
    products: int
    sources_added: list[str]
    sources_changed: list[str]
    sources_removed: list[str]
    chunks_added: int
    chunks_removed: int
    embeddings_reused: int
    embeddings_computed: int
    seconds: float
    issues: list[dict[str, str]]
    sentence_embeddings: int = 0  # policy sentences embedded for the fact store (others reused)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ReindexProgress:
    state: Literal["idle", "running", "succeeded", "failed"] = "idle"
    phase: str = ""
    done: int = 0
    total: int = 0
    started_at: str | None = None
    finished_at: str | None = None
    error: str | None = None
    report: dict[str, Any] | None = None

    def snapshot(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class _LiveState:
    version: str
    lexical: LexicalIndex
    catalogue: Catalogue
    info: VersionInfo
    facts: FactStore
    source_chunks: dict[str, set[str]] = field(default_factory=dict)
    product_chunks: dict[str, list[str]] = field(default_factory=dict)
    vectors: dict[str, np.ndarray] = field(default_factory=dict)  # stored vectors fetched for exact search


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _where(
    filters: RetrievalFilters | None, product_ids: Sequence[str] | None = None
) -> dict[str, Any] | None:
    clauses: list[dict[str, Any]] = []
    ids = list(product_ids) if product_ids is not None else (filters.product_ids if filters else None)
    if ids:
        clauses.append({"product_id": {"$in": list(ids)}})
    if filters and filters.category:
        clauses.append({"category": filters.category})
    if filters and filters.source_type:
        clauses.append({"source_type": filters.source_type})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def _matches(chunk: Chunk, filters: RetrievalFilters | None) -> bool:
    if filters is None:
        return True
    if filters.product_ids and chunk.product_id not in filters.product_ids:
        return False
    if filters.category and chunk.category != filters.category:
        return False
    return not (filters.source_type and chunk.source_type != filters.source_type)


class IndexManager:
    def __init__(
        self, settings: Settings, embedder: Embedder, store: ChromaStore, metrics: Metrics | None = None
    ) -> None:
        self.settings = settings
        self.metrics = metrics
        self.embedder = embedder
        self.store = store
        self._cache_dir = settings.data_dir / "bm25"
        self._facts_dir = settings.data_dir / "facts"  # policy sentence vectors, one folder per version
        self._state_lock = threading.Lock()
        self._live: _LiveState | None = None
        self._alias_checked = 0.0
        self._alias_live: str | None = None
        self._reindex_lock = threading.Lock()
        self._progress = ReindexProgress()
        self._progress_lock = threading.Lock()
        self.glossary = Glossary.load(settings.retrieval_glossaries)

    @classmethod
    def from_settings(
        cls, settings: Settings, embedder: Embedder, metrics: Metrics | None = None
    ) -> IndexManager:
        store = ChromaStore(make_client(settings), settings.collection_prefix, embedder)
        return cls(settings, embedder, store, metrics)

    # --- live version -------------------------------------------------------------------------------
    def _current_alias(self) -> str | None:
        now = time.monotonic()
        if now - self._alias_checked > ALIAS_TTL_S:
            self._alias_live = self.store.read_alias().live
            self._alias_checked = now
        return self._alias_live

    def _load_state(self, version: str) -> _LiveState:
        folder = self._cache_dir / version
        lexical: LexicalIndex | None = None
        if folder.is_dir():
            try:
                lexical = LexicalIndex.load(folder)
            except Exception as exc:  # a damaged cache is rebuilt, never trusted
                log.warning(
                    "bm25 cache unreadable, rebuilding", extra={"version": version, "error": str(exc)}
                )
        if lexical is None:
            chunks = sorted(self.store.iter_chunks(version), key=lambda c: (c.source_id, c.ordinal, c.id))
            lexical = LexicalIndex.build(chunks)
            try:
                lexical.save(folder)
            except OSError as exc:
                log.warning("bm25 cache not saved", extra={"error": str(exc)})
        source_chunks: dict[str, set[str]] = {}
        product_chunks: dict[str, list[str]] = {}
        for c in lexical.chunks:
            source_chunks.setdefault(c.source_id, set()).add(c.id)
            if c.product_id:
                product_chunks.setdefault(c.product_id, []).append(c.id)
        return _LiveState(
            version=version,
            lexical=lexical,
            catalogue=Catalogue.from_chunks(lexical.chunks),
            info=self._version_info(version, live=True),
            facts=FactStore.from_chunks(lexical.chunks),
            source_chunks=source_chunks,
            product_chunks=product_chunks,
        )

    def _state(self) -> _LiveState | None:
        live = self._current_alias()
        if live is None:
            return None
        state = self._live
        if state is not None and state.version == live:
            return state
        with self._state_lock:
            if self._live is None or self._live.version != live:
                self._live = self._load_state(live)
            return self._live

    def _require_state(self) -> _LiveState:
        state = self._state()
        if state is None:
            raise ReplydraftError(
                ErrorCode.INDEX_EMPTY, "no live index: run `replydraft reindex` or POST /v1/index/reindex"
            )
        return state

    def warm_up(self) -> None:
        """Load the live version and the model before the first request, so it pays no start-up cost."""
        self._state()
        self.embedder.embed_query("warm up")

    def live_version(self) -> VersionInfo | None:
        state = self._state()
        return state.info if state else None

    def catalogue(self) -> Catalogue:
        state = self._state()
        return state.catalogue if state else Catalogue([])

    def facts(self) -> FactStore:
        """The live version's fact store, its policy sentences embedded (stored at build time; a replica
        without the stored vectors computes them once)."""
        state = self._state()
        if state is None:
            return FactStore([], {}, [])
        state.facts.ensure_vectors(self.embedder, self._facts_dir / state.version)
        return state.facts

    def present_fact_digests(self, digests: Sequence[str]) -> set[str]:
        """The fact digests (service/answering/facts.py) the live version's fact store holds."""
        state = self._state()
        if state is None:
            return set()
        return state.facts.present(digests)

    def present_chunk_ids(self, chunk_ids: Sequence[str]) -> set[str]:
        state = self._state()
        if state is None:
            return set()
        return {cid for cid in chunk_ids if cid in state.lexical.position}

    def source_digests(self, source_ids: Sequence[str]) -> dict[str, str | None]:
        """Each source's digest in the live version (None when it is not there): the sha256 of its chunk
        ids, which are content hashes, so any change of the source's text changes the digest."""
        state = self._state()
        out: dict[str, str | None] = {}
        for sid in source_ids:
            ids = state.source_chunks.get(sid) if state else None
            out[sid] = hashlib.sha256("\n".join(sorted(ids)).encode()).hexdigest()[:32] if ids else None
        return out

    def _version_info(self, name: str, live: bool = False) -> VersionInfo:
        meta = self.store.collection(name).metadata or {}
        return VersionInfo(
            version=name,
            built_at=str(meta.get("built_at", "")),
            chunks=int(meta.get("chunks", 0)),
            documents=int(meta.get("documents", 0)),
            products=int(meta.get("products", 0)),
            source_digest=str(meta.get("source_digest", "")),
            source=str(meta.get("source", "")),
            embedder=str(meta.get("embedder", "")),
            live=live,
        )

    def list_versions(self) -> list[VersionInfo]:
        alias = self.store.read_alias()
        return [
            self._version_info(v, live=v == alias.live)
            for v in alias.history
            if v in self.store.version_names()
        ]

    # --- retrieval ----------------------------------------------------------------------------------
    def retrieve(
        self, query: str, k: int | None = None, filters: RetrievalFilters | None = None
    ) -> list[Hit]:
        """Hybrid retrieval: dense and BM25 candidates fused by reciprocal rank.

        Products the query names (id, model code, full name) get a third ranked list of their own chunks,
        and chunks of *other* products are pushed down, so near-duplicates cannot crowd out the one asked
        about.
        """
        query = query.strip()
        if not query:
            raise ReplydraftError(ErrorCode.VALIDATION, "query must not be empty")
        limit = k or self.settings.retrieval_k
        state = self._require_state()
        began = time.perf_counter()
        n = self.settings.retrieval_candidates
        qv = self.embedder.embed_query(query)

        allowed: list[str] | None = None
        if filters and (filters.product_ids or filters.category or filters.source_type):
            allowed = [c.id for c in state.lexical.chunks if _matches(c, filters)]
        if allowed is not None and len(allowed) <= EXACT_DENSE_MAX:
            # A narrow filter is answered exactly from stored vectors: Chroma's filtered HNSW search gets
            # slow when the filter keeps only a small share of the collection.
            dense = self._dense_exact(state, qv, allowed)[:n]
        else:
            dense = self.store.query(state.version, qv, n, _where(filters))
        mask = None
        if filters and (filters.product_ids or filters.category or filters.source_type):
            mask = np.array(
                [1.0 if _matches(c, filters) else 0.0 for c in state.lexical.chunks], dtype=np.float32
            )
        lexical = state.lexical.search(query, n, mask)
        translated = self.glossary.translate(query)
        crossed = state.lexical.search(translated, n, mask) if translated else []

        mentioned = [p.product_id for p in state.catalogue.find_mentions(query)]
        if filters and filters.product_ids:
            mentioned = [m for m in mentioned if m in filters.product_ids]
        named_ids = [
            cid
            for pid in mentioned
            for cid in state.product_chunks.get(pid, [])
            if _matches(state.lexical.chunks[state.lexical.position[cid]], filters)
        ]
        named = self._dense_exact(state, qv, named_ids)[:n]

        scores: dict[str, float] = {}
        dense_rank: dict[str, int] = {}
        bm25_rank: dict[str, int] = {}
        for rank, (cid, _) in enumerate(dense, 1):
            scores[cid] = scores.get(cid, 0.0) + 1.0 / (RRF_K + rank)
            dense_rank[cid] = rank
        for rank, (lex_pos, _) in enumerate(lexical, 1):
            cid = state.lexical.chunks[lex_pos].id
            scores[cid] = scores.get(cid, 0.0) + 1.0 / (RRF_K + rank)
            bm25_rank[cid] = rank
        for rank, (lex_pos, _) in enumerate(crossed, 1):
            cid = state.lexical.chunks[lex_pos].id
            scores[cid] = scores.get(cid, 0.0) + CROSSLINGUAL_WEIGHT / (RRF_K + rank)
        for rank, (cid, _) in enumerate(named, 1):
            scores[cid] = scores.get(cid, 0.0) + 2.0 / (RRF_K + rank)
        if mentioned:
            wanted = set(mentioned)
            for cid in scores:
                pos = state.lexical.position.get(cid)
                if pos is None:
                    continue
                pid = state.lexical.chunks[pos].product_id
                if pid is not None and pid not in wanted:
                    scores[cid] *= 0.3

        hits: list[Hit] = []
        deferred: list[Hit] = []
        per_source: dict[str, int] = {}
        cap = self.settings.retrieval_max_per_source
        for cid, score in sorted(scores.items(), key=lambda kv: (-kv[1], kv[0])):
            pos = state.lexical.position.get(cid)
            if pos is None:
                continue
            hit = Hit(state.lexical.chunks[pos], score, dense_rank.get(cid), bm25_rank.get(cid))
            source = hit.chunk.source_id
            if cap and per_source.get(source, 0) >= cap:
                deferred.append(hit)  # diversity: other documents first, these only if slots remain
                continue
            per_source[source] = per_source.get(source, 0) + 1
            hits.append(hit)
            if len(hits) >= limit:
                break
        if len(hits) < limit:
            hits = sorted(hits + deferred[: limit - len(hits)], key=lambda h: -h.score)
        if self.metrics:
            self.metrics.retrieval_latency.observe(time.perf_counter() - began)
        return hits

    def _dense_exact(self, state: _LiveState, qv: np.ndarray, ids: Sequence[str]) -> list[tuple[str, float]]:
        """Exact cosine ranking of a few chunks from their stored vectors (cached per version)."""
        if not ids:
            return []
        missing = [cid for cid in ids if cid not in state.vectors]
        if missing:
            if len(state.vectors) + len(missing) > VECTOR_CACHE_MAX:
                state.vectors.clear()
            fetched = self.store.existing_vectors(state.version, missing)
            state.vectors.update(fetched)
        else:
            fetched = {}
        ranked = []
        for cid in ids:
            vec = state.vectors.get(cid)
            if vec is None:
                vec = fetched.get(cid)  # the cache may have been cleared by another thread meanwhile
            if vec is not None:
                ranked.append((cid, float(np.dot(vec, qv))))
        return sorted(ranked, key=lambda kv: -kv[1])

    # --- reindex ------------------------------------------------------------------------------------
    def progress(self) -> dict[str, Any]:
        with self._progress_lock:
            return self._progress.snapshot()

    def _set_progress(self, **changes: Any) -> None:
        with self._progress_lock:
            for key, value in changes.items():
                setattr(self._progress, key, value)

    def _claim_reindex(self) -> None:
        """Take the one-reindex-per-process lock (or refuse) and reset the progress record."""
        if not self._reindex_lock.acquire(blocking=False):
            raise ReplydraftError(
                ErrorCode.REINDEX_RUNNING, "a reindex is already running", progress=self.progress()
            )
        self._set_progress(
            state="running",
            phase="starting",
            done=0,
            total=0,
            started_at=_now(),
            finished_at=None,
            error=None,
            report=None,
        )

    def reindex_running(self) -> bool:
        return self._reindex_lock.locked()

    def start_background_reindex(
        self, source: Path | None = None, strict: bool = False, force: bool = False
    ) -> None:
        """One reindex at a time per process; a second request is refused, not queued."""
        self._claim_reindex()

        def run() -> None:
            try:
                self._reindex_locked(source, dry_run=False, strict=strict, force=force)
            except Exception:
                log.exception("background reindex failed")
            finally:
                self._reindex_lock.release()

        threading.Thread(target=run, name="reindex", daemon=True).start()

    def reindex(
        self,
        source: Path | None = None,
        *,
        dry_run: bool = False,
        strict: bool = False,
        force: bool = False,
        on_progress: ProgressFn | None = None,
    ) -> ReindexReport:
        self._claim_reindex()
        try:
            return self._reindex_locked(
                source, dry_run=dry_run, strict=strict, force=force, on_progress=on_progress
            )
        finally:
            self._reindex_lock.release()

    def _reindex_locked(
        self,
        source: Path | None,
        *,
        dry_run: bool,
        strict: bool,
        force: bool,
        on_progress: ProgressFn | None = None,
    ) -> ReindexReport:
        from service.knowledge.ingest import ingest_source

        started = time.monotonic()

        def progress(phase: str, done: int, total: int) -> None:
            self._set_progress(phase=phase, done=done, total=total)
            if on_progress:
                on_progress(phase, done, total)

        try:
            root = (source or self.settings.knowledge_dir).resolve()
            progress("reading", 0, 0)
            result = ingest_source(
                root,
                chunk_chars=self.settings.chunk_chars,
                max_file_bytes=self.settings.max_file_bytes,
                max_field_chars=self.settings.max_field_chars,
                strict=strict,
            )
            report = self._build(
                root, result, dry_run=dry_run, force=force, progress=progress, started=started
            )
        except Exception as exc:
            message = exc.message if isinstance(exc, ReplydraftError) else f"{type(exc).__name__}: {exc}"
            self._set_progress(state="failed", error=message, finished_at=_now())
            if self.metrics:
                self.metrics.reindex_runs.labels("failed").inc()
            raise
        if self.metrics:
            self.metrics.reindex_runs.labels(report.status).inc()
        progress("done", report.chunks, report.chunks)  # a finished run reads as complete, not "0 / 1"
        self._set_progress(state="succeeded", finished_at=_now(), report=report.to_dict())
        return report

    def _build(
        self,
        root: Path,
        result: IngestResult,
        *,
        dry_run: bool,
        force: bool,
        progress: ProgressFn,
        started: float,
    ) -> ReindexReport:
        alias = self.store.read_alias()
        live = self._state() if alias.live else None
        old_sources = live.source_chunks if live else {}
        new_sources: dict[str, set[str]] = {}
        for c in result.chunks:
            new_sources.setdefault(c.source_id, set()).add(c.id)
        old_ids = set().union(*old_sources.values()) if old_sources else set()
        new_ids = {c.id for c in result.chunks}
        same_embedder = live is not None and live.info.embedder == self.embedder.model_id

        def report(
            status: Literal["built", "unchanged", "dry_run"], version: str | None, reused: int, computed: int
        ) -> ReindexReport:
            return ReindexReport(
                status=status,
                version=version,
                previous_version=alias.live,
                documents=result.documents,
                chunks=len(result.chunks),
                products=len(result.products),
                sources_added=sorted(set(new_sources) - set(old_sources)),
                sources_changed=sorted(
                    s for s in new_sources if s in old_sources and new_sources[s] != old_sources[s]
                ),
                sources_removed=sorted(set(old_sources) - set(new_sources)),
                chunks_added=len(new_ids - old_ids),
                chunks_removed=len(old_ids - new_ids),
                embeddings_reused=reused,
                embeddings_computed=computed,
                seconds=round(time.monotonic() - started, 3),
                issues=[{"path": i.path, "reason": i.reason} for i in result.issues],
            )

        reusable = len(new_ids & old_ids) if same_embedder else 0
        if dry_run:
            return report("dry_run", None, reusable, len(new_ids) - reusable)
        if (
            live is not None
            and same_embedder
            and not force
            and new_ids == old_ids
            and live.info.source_digest == result.digest
        ):
            return report("unchanged", live.version, 0, 0)

        stamp = datetime.now(UTC)
        name = f"{self.store.prefix}-v{stamp:%Y%m%d%H%M%S}-{secrets.token_hex(3)}"
        self.store.create_version(
            name,
            {
                "built_at": stamp.isoformat(timespec="seconds"),
                "chunks": len(result.chunks),
                "documents": result.documents,
                "products": len(result.products),
                "source_digest": result.digest,
                "source": str(root),
                "embedder": self.embedder.model_id,
            },
        )
        try:
            vectors, reused = self._vectors_for(
                result.chunks, live.version if (live and same_embedder) else None, progress
            )
            progress("writing", 0, len(result.chunks))
            self.store.add(name, result.chunks, vectors)
            progress("checking", 0, 1)
            lexical = LexicalIndex.build(result.chunks)
            self._verify(name, result.chunks, vectors)
            lexical.save(self._cache_dir / name)
            progress("facts", 0, 1)
            facts = FactStore.from_chunks(result.chunks)
            previous = self._facts_dir / live.version if (live and same_embedder) else None
            sentences = facts.embed_policy(
                self.embedder, self.settings.embedding_batch_size, reuse_from=previous
            )
            facts.save_vectors(self._facts_dir / name)
            progress("switching", 0, 1)
            history = [name] + [v for v in alias.history if v != name]
            self.store.write_alias(AliasState(live=name, history=history))
            self._alias_checked = 0.0
        except BaseException:
            self.store.delete_version(name)
            raise
        self._prune(history)
        built = report("built", name, reused, len(result.chunks) - reused)
        built.sentence_embeddings = sentences
        return built

    def _vectors_for(
        self, chunks: Sequence[Chunk], reuse_from: str | None, progress: ProgressFn
    ) -> tuple[np.ndarray, int]:
        dim = self.embedder.dim
        vectors = np.zeros((len(chunks), dim), dtype=np.float32)
        stored = self.store.existing_vectors(reuse_from, [c.id for c in chunks]) if reuse_from else {}
        todo: list[int] = []
        for i, c in enumerate(chunks):
            vec = stored.get(c.id)
            if vec is not None and vec.shape == (dim,):
                vectors[i] = vec
            else:
                todo.append(i)
        batch = max(1, self.settings.embedding_batch_size)
        progress("embedding", 0, len(todo))
        for start in range(0, len(todo), batch):
            idx = todo[start : start + batch]
            vectors[idx] = self.embedder.embed_passages([chunks[i].text for i in idx])
            progress("embedding", min(start + batch, len(todo)), len(todo))
        return vectors, len(chunks) - len(todo)

    def _verify(self, name: str, chunks: Sequence[Chunk], vectors: np.ndarray) -> None:
        """A version goes live only if it holds every chunk and answers a query with the right chunk."""
        count = self.store.count(name)
        if count != len(chunks):
            raise ReplydraftError(
                ErrorCode.INTERNAL, f"new index holds {count} chunks, expected {len(chunks)}"
            )
        probe = len(chunks) // 2
        got = [cid for cid, _ in self.store.query(name, vectors[probe], 5)]
        if chunks[probe].id not in got:
            raise ReplydraftError(
                ErrorCode.INTERNAL, "smoke query on the new index did not find its own chunk"
            )

    def _prune(self, history: list[str]) -> None:
        keep = history[: self.settings.index_keep_versions]
        if keep != history:
            alias = self.store.read_alias()
            self.store.write_alias(
                AliasState(live=alias.live, history=[v for v in alias.history if v in keep])
            )
        now = datetime.now(UTC)
        for name in self.store.version_names():
            if name in keep:
                continue
            if name not in history and self._age_s(name, now) < ORPHAN_AGE_S:
                continue
            self.store.delete_version(name)
            self._remove_cache(name)

    def _age_s(self, name: str, now: datetime) -> float:
        try:
            stamp = datetime.strptime(name[len(self.store.prefix) + 2 :][:14], "%Y%m%d%H%M%S").replace(
                tzinfo=UTC
            )
        except ValueError:
            return float("inf")
        return (now - stamp).total_seconds()

    def _remove_cache(self, name: str) -> None:
        import shutil

        shutil.rmtree(self._cache_dir / name, ignore_errors=True)
        shutil.rmtree(self._facts_dir / name, ignore_errors=True)

    def rollback(self) -> VersionInfo:
        """Make the previous version live again (it is kept for exactly this)."""
        if self.reindex_running():
            raise ReplydraftError(
                ErrorCode.REINDEX_RUNNING, "a reindex is running; roll back after it finishes"
            )
        alias = self.store.read_alias()
        existing = set(self.store.version_names())
        candidates = [v for v in alias.history[1:] if v in existing]
        if not alias.live or not candidates:
            raise ReplydraftError(ErrorCode.CONFLICT, "no previous index version to roll back to")
        target = candidates[0]
        history = [target] + [v for v in alias.history if v != target]
        self.store.write_alias(AliasState(live=target, history=history))
        self._alias_checked = 0.0
        info = self._version_info(target, live=True)
        return info

    def close(self) -> None:
        """Nothing to release: Chroma clients close with the process."""
