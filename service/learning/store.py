"""Verified answers in the database: keep from a reviewed draft, import, list, edit, retire, go stale.

Every write is one transaction; edits are a compare-and-set on ``version`` (CONFLICT when someone else
changed the answer first). Keeping from a draft writes the draft's audit entry in the same transaction.
The Chroma collection (:mod:`.vectors`) follows the table after each commit and is re-synced from it
periodically, so a failed vector write never loses an answer.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Protocol, cast

from sqlalchemy import Table, and_, func, or_, select, update

from service.drafting.citations import strip_markers
from service.drafting.intent import detect_intent
from service.drafting.text import detect_language
from service.errors import ErrorCode, ReplydraftError
from service.learning.models import (
    KeepBody,
    VerifiedAnswer,
    VerifiedInput,
    VerifiedUpdate,
)
from service.learning.vectors import Entry, VerifiedVectors
from service.review import audit
from service.review.db import Database, insert_rows, storable
from service.review.orm import Draft, VerifiedAnswerRow
from service.review.pagination import decode_cursor, encode_cursor
from service.review.principal import Principal
from service.review.rows import utcnow

log = logging.getLogger("replydraft.verified")

KEEPABLE = ("approved", "sent")
MAX_IMPORT = 5000


class SourceIndex(Protocol):
    def live_version(self) -> Any: ...

    def source_digests(self, source_ids: Sequence[str]) -> dict[str, str | None]: ...

    def catalogue(self) -> Any: ...


def product_key(product_ids: Sequence[str]) -> str:
    return "|".join(sorted(dict.fromkeys(product_ids)))


def to_model(row: VerifiedAnswerRow) -> VerifiedAnswer:
    return VerifiedAnswer.model_validate(
        {
            "id": row.id,
            "question": row.question,
            "answer": row.answer,
            "language": row.language,
            "intent": row.intent,
            "product_ids": row.product_ids or [],
            "source_ids": row.source_ids or [],
            "source_digests": row.source_digests or {},
            "index_version": row.index_version,
            "status": row.status,
            "stale_sources": row.stale_sources or [],
            "origin": row.origin,
            "origin_draft_id": row.origin_draft_id,
            "created_by": row.created_by,
            "updated_by": row.updated_by,
            "created_at": row.created_at,
            "updated_at": row.updated_at,
            "version": row.version,
        }
    )


def customer_text(text: str) -> str:
    """The approved text without citation markers (the numbering belongs to the old draft's sources)."""
    return re.sub(r"[ \t]+([,.!?;:，。！？；：])", r"\1", strip_markers(text)).strip()


class VerifiedStore:
    def __init__(
        self,
        db: Database,
        *,
        vectors: Callable[[], VerifiedVectors],
        index: Callable[[], SourceIndex],
        clock: Callable[[], datetime] = utcnow,
        scope: Callable[[dict[str, Any], str], list[str]] | None = None,
    ) -> None:
        self.db = db
        self._vectors = vectors
        self._index = index
        self.clock = clock
        # the drafting pipeline's product resolution (DraftPipeline.question_products): a kept question
        # must get the scope a later draft of the same question gets, or it is never found again
        self._scope_of = scope

    @property
    def vectors(self) -> VerifiedVectors:
        return self._vectors()

    # --- scope and sources ------------------------------------------------------------------------
    def _scope(
        self, product_ids: Sequence[str], source_ids: Sequence[str]
    ) -> tuple[list[str], dict[str, str | None], str | None]:
        """Sources (the products' own sheets added, so a changed sheet makes the answer stale), their
        digests and the live version. Unknown products or sources are refused: an answer must be about
        something the knowledge base has."""
        if not product_ids and not source_ids:
            live = self._index().live_version() if self._has_index() else None
            return [], {}, str(live.version) if live is not None else None
        index = self._index()
        live = index.live_version()
        if live is None:
            raise ReplydraftError(
                ErrorCode.INDEX_EMPTY,
                "no live index to check the products and sources against: run `replydraft reindex` first",
            )
        catalogue = index.catalogue()
        sources = list(source_ids)
        unknown_products: list[str] = []
        for pid in product_ids:
            facts = catalogue.get(pid)
            if facts is None:
                unknown_products.append(pid)
            elif facts.source_id not in sources:
                sources.append(facts.source_id)
        digests = index.source_digests(sources)
        unknown_sources = [s for s in source_ids if digests.get(s) is None]
        if unknown_products or unknown_sources:
            raise ReplydraftError(
                ErrorCode.VALIDATION,
                "unknown "
                + "; ".join(
                    part
                    for part in (
                        f"product id(s): {', '.join(unknown_products)}" if unknown_products else "",
                        f"source id(s): {', '.join(unknown_sources)}" if unknown_sources else "",
                    )
                    if part
                ),
                unknown_products=unknown_products,
                unknown_sources=unknown_sources,
            )
        return sorted(dict.fromkeys(sources)), digests, str(live.version)

    def _question_products(self, request: dict[str, Any], question: str) -> list[str]:
        """The products the question is about, found exactly as drafting finds them for a new message
        (with the pipeline's resolution when wired; else the request's product ids, else the products it
        names, else those of the customer's last turns),
        so the same question resolves to the same scope on both sides."""
        from service.drafting.sources import resolve_products

        if self._scope_of is not None:
            return self._scope_of(request, question)

        catalogue = self._index().catalogue()
        given = [str(p) for p in request.get("product_ids") or []]
        found = resolve_products(catalogue, given, question)
        recent = [t["text"] for t in request.get("conversation") or [] if t.get("role") == "customer"][-2:]
        if not found and not given and recent:
            found = resolve_products(catalogue, [], "\n".join(recent))
        return sorted(p.product_id for p in found)

    def _has_index(self) -> bool:
        try:
            return self._index().live_version() is not None
        except Exception:  # no Chroma reachable: an answer without scope does not need it
            return False

    # --- create ------------------------------------------------------------------------------------
    def keep(self, draft_id: str, body: KeepBody, principal: Principal) -> VerifiedAnswer:
        """Keep an approved or sent draft's reply for its question, scoped to its products and sources."""
        with self.db.read() as s:
            row = s.get(Draft, draft_id) if storable(draft_id) else None
            if row is None:
                raise ReplydraftError(ErrorCode.NOT_FOUND, f"no draft {draft_id}")
            self._keepable(row)
            request = row.request or {}
            cited = list(dict.fromkeys(c["source_id"] for c in row.citations or []))
            question = body.question or row.customer_message.strip()
            answer = body.answer or customer_text(row.text)
            language, intent, seen_version = row.language, row.intent, row.version
        products = self._question_products(request, question)
        sources, digests, live = self._scope(products, cited)
        now = self.clock()
        new_id = "va_" + uuid.uuid4().hex[:20]
        with self.db.write() as s:
            fresh = s.get(Draft, draft_id)
            assert fresh is not None
            if fresh.version != seen_version:  # decided on again meanwhile (e.g. an approval withdrawn)
                self._keepable(fresh)
            insert_rows(
                s,
                VerifiedAnswerRow,
                [
                    self._values(
                        new_id,
                        question,
                        answer,
                        language,
                        intent,
                        products,
                        sources,
                        digests,
                        live,
                        origin="review",
                        draft_id=draft_id,
                        principal=principal,
                        now=now,
                    )
                ],
            )
            audit.append(
                s,
                fresh,
                action="kept_verified",
                at=now,
                principal=principal,
                from_status=fresh.status,
                to_status=fresh.status,
                text_after=answer,
                note=f"kept as verified answer {new_id} (products: {', '.join(products) or 'none'})",
            )
        log.info(
            "verified answer kept",
            extra={"verified_id": new_id, "draft_id": draft_id, "actor": principal.key_id},
        )
        created = self.get(new_id)
        self._index_vectors([created])
        return created

    @staticmethod
    def _keepable(row: Draft) -> None:
        if row.status not in KEEPABLE:
            raise ReplydraftError(
                ErrorCode.CONFLICT,
                f"only an approved or sent draft can be kept as a verified answer (it is {row.status})",
            )
        if row.stale:
            raise ReplydraftError(
                ErrorCode.CONFLICT,
                "the draft's sources changed since it was written: regenerate and approve it first",
                stale_sources=list(row.stale_sources or []),
            )

    def create_many(
        self, items: Sequence[VerifiedInput], principal: Principal | None, *, origin: str = "import"
    ) -> list[str]:
        """All of them or none (one transaction); scope is checked for every item before writing."""
        if len(items) > MAX_IMPORT:
            raise ReplydraftError(ErrorCode.VALIDATION, f"at most {MAX_IMPORT} answers per import")
        now = self.clock()
        rows: list[dict[str, Any]] = []
        for n, item in enumerate(items, start=1):
            try:
                sources, digests, live = self._scope(item.product_ids, item.source_ids)
            except ReplydraftError as exc:
                raise ReplydraftError(exc.code, f"item {n}: {exc.message}", item=n, **exc.details) from None
            language = item.language if item.language != "auto" else detect_language(item.question)
            rows.append(
                self._values(
                    "va_" + uuid.uuid4().hex[:20],
                    item.question,
                    item.answer,
                    language,
                    item.intent or detect_intent(item.question),
                    item.product_ids,
                    sources,
                    digests,
                    live,
                    origin=origin,
                    draft_id=None,
                    principal=principal,
                    now=now,
                )
            )
        if rows:
            with self.db.write() as s:
                insert_rows(s, VerifiedAnswerRow, rows)
        log.info("verified answers imported", extra={"count": len(rows)})
        self._index_vectors([self._entry_of(r) for r in rows])
        return [r["id"] for r in rows]

    @staticmethod
    def _values(
        new_id: str,
        question: str,
        answer: str,
        language: str,
        intent: str,
        product_ids: Sequence[str],
        sources: Sequence[str],
        digests: dict[str, str | None],
        live: str | None,
        *,
        origin: str,
        draft_id: str | None,
        principal: Principal | None,
        now: datetime,
    ) -> dict[str, Any]:
        products = sorted(dict.fromkeys(product_ids))
        return {
            "id": new_id,
            "question": question,
            "answer": answer,
            "language": language,
            "intent": intent,
            "product_key": product_key(products),
            "product_ids": products,
            "source_ids": list(sources),
            "source_digests": {k: digests.get(k) for k in sources},
            "index_version": live,
            "status": "active",
            "stale_sources": [],
            "origin_draft_id": draft_id,
            "origin": origin,
            "created_by": principal.name if principal else None,
            "updated_by": principal.name if principal else None,
            "created_at": now,
            "updated_at": now,
            "version": 1,
        }

    # --- read --------------------------------------------------------------------------------------
    def row(self, answer_id: str) -> VerifiedAnswerRow | None:
        with self.db.read() as s:
            row = s.get(VerifiedAnswerRow, answer_id) if storable(answer_id) else None
            if row is not None:
                s.expunge(row)
            return row

    def get(self, answer_id: str) -> VerifiedAnswer:
        row = self.row(answer_id)
        if row is None:
            raise ReplydraftError(ErrorCode.NOT_FOUND, f"no verified answer {answer_id}")
        return to_model(row)

    def search(
        self,
        *,
        status: str | None = None,
        product_id: str | None = None,
        intent: str | None = None,
        language: str | None = None,
        q: str | None = None,
        limit: int = 50,
        cursor: str | None = None,
    ) -> tuple[list[VerifiedAnswer], str | None]:
        """Newest first, keyset-paginated on (created_at, id)."""
        t = VerifiedAnswerRow
        stmt = select(t)
        if status:
            stmt = stmt.where(t.status == status)
        if intent:
            stmt = stmt.where(t.intent == intent)
        if language:
            stmt = stmt.where(t.language == language)
        if product_id:
            stmt = stmt.where(
                or_(
                    t.product_key == product_id,
                    t.product_key.startswith(product_id + "|", autoescape=True),
                    t.product_key.endswith("|" + product_id, autoescape=True),
                    t.product_key.contains("|" + product_id + "|", autoescape=True),
                )
            )
        if q:
            like = q.lower()
            stmt = stmt.where(
                or_(
                    func.lower(t.question).contains(like, autoescape=True),
                    func.lower(t.answer).contains(like, autoescape=True),
                )
            )
        if cursor:
            at, last = decode_cursor(cursor)
            stmt = stmt.where(or_(t.created_at < at, and_(t.created_at == at, t.id < last)))
        stmt = stmt.order_by(t.created_at.desc(), t.id.desc()).limit(limit + 1)
        with self.db.read() as s:
            rows = list(s.scalars(stmt))
        more = len(rows) > limit
        rows = rows[:limit]
        next_cursor = encode_cursor(rows[-1].created_at, rows[-1].id) if more and rows else None
        return [to_model(r) for r in rows], next_cursor

    def counts(self) -> dict[str, int]:
        with self.db.read() as s:
            got = s.execute(select(VerifiedAnswerRow.status, func.count()).group_by(VerifiedAnswerRow.status))
            return {str(status): int(n) for status, n in got}

    def active_entries(self) -> list[Entry]:
        t = VerifiedAnswerRow
        with self.db.read() as s:
            got = s.execute(
                select(t.id, t.question, t.language, t.intent, t.product_key).where(t.status == "active")
            )
            return [Entry(*r) for r in got]

    # --- change ------------------------------------------------------------------------------------
    def update(self, answer_id: str, body: VerifiedUpdate, principal: Principal) -> VerifiedAnswer:
        current = self.get(answer_id)
        values: dict[str, Any] = {}
        for name in ("question", "answer", "intent"):
            value = getattr(body, name)
            if value is not None:
                values[name] = value
        products = body.product_ids if body.product_ids is not None else current.product_ids
        rescope = body.product_ids is not None or body.source_ids is not None or body.status == "active"
        if rescope:
            explicit = body.source_ids if body.source_ids is not None else current.source_ids
            if body.product_ids is not None and body.source_ids is None:
                # the old products' own sheets go with them
                explicit = [s for s in current.source_ids if "#" not in s]
            sources, digests, live = self._scope(products, explicit)
            values.update(
                product_ids=products,
                product_key=product_key(products),
                source_ids=sources,
                source_digests={k: digests.get(k) for k in sources},
                index_version=live,
            )
        if body.status is not None:
            values["status"] = body.status
            if body.status == "active":
                values["stale_sources"] = []
        self._cas(answer_id, body.version, values, principal)
        updated = self.get(answer_id)
        if updated.status == "active":
            self._index_vectors([updated])
        else:
            self._forget([answer_id])
        log.info("verified answer updated", extra={"verified_id": answer_id, "actor": principal.key_id})
        return updated

    def retire(self, answer_id: str, version: int, principal: Principal) -> VerifiedAnswer:
        self._cas(answer_id, version, {"status": "retired"}, principal)
        self._forget([answer_id])
        log.info("verified answer retired", extra={"verified_id": answer_id, "actor": principal.key_id})
        return self.get(answer_id)

    def _cas(self, answer_id: str, version: int, values: dict[str, Any], principal: Principal | None) -> None:
        table = cast(Table, VerifiedAnswerRow.__table__)
        changes = {
            **values,
            "version": version + 1,
            "updated_at": self.clock(),
            "updated_by": principal.name if principal else None,
        }
        with self.db.write() as s:
            done = s.execute(
                update(table).where(table.c.id == answer_id, table.c.version == version).values(**changes)
            )
            if done.rowcount != 1:  # type: ignore[attr-defined]
                current = s.get(VerifiedAnswerRow, answer_id) if storable(answer_id) else None
                if current is None:
                    raise ReplydraftError(ErrorCode.NOT_FOUND, f"no verified answer {answer_id}")
                raise ReplydraftError(
                    ErrorCode.CONFLICT,
                    f"verified answer is at version {current.version}, not {version}: reload it",
                    current=to_model(current).model_dump(mode="json"),
                )

    def mark_stale(self, answer_id: str, changed: Sequence[str], live: str) -> None:
        """Take an answer out of use because its sources changed in ``live`` (a person re-checks it)."""
        table = cast(Table, VerifiedAnswerRow.__table__)
        with self.db.write() as s:
            s.execute(
                update(table)
                .where(table.c.id == answer_id, table.c.status == "active")
                .values(
                    status="stale",
                    stale_sources=list(changed),
                    updated_at=self.clock(),
                    updated_by="staleness check",
                    version=table.c.version + 1,
                )
            )
        self._forget([answer_id])
        log.warning(
            "verified answer is stale: its sources changed",
            extra={"verified_id": answer_id, "changed": list(changed), "index_version": live},
        )

    def confirm_version(self, answer_id: str, live: str) -> None:
        """Its sources are unchanged in ``live``: record that, so the check runs once per version."""
        table = cast(Table, VerifiedAnswerRow.__table__)
        with self.db.write() as s:
            s.execute(
                update(table)
                .where(table.c.id == answer_id, table.c.status == "active")
                .values(index_version=live)
            )

    # --- vectors -----------------------------------------------------------------------------------
    @staticmethod
    def _entry_of(row: dict[str, Any] | VerifiedAnswer) -> Entry:
        d = row if isinstance(row, dict) else row.model_dump()
        return Entry(d["id"], d["question"], d["language"], d["intent"], product_key(d["product_ids"]))

    def _index_vectors(self, answers: Sequence[VerifiedAnswer | Entry]) -> None:
        entries = [a if isinstance(a, Entry) else self._entry_of(a) for a in answers]
        try:
            self.vectors.add(entries)
        except Exception as exc:  # the periodic sync adds it later; the table already has it
            log.warning("verified answer not added to its collection yet", extra={"error": str(exc)})

    def _forget(self, ids: Sequence[str]) -> None:
        try:
            self.vectors.remove(ids)
        except Exception as exc:  # used answers are re-read from the table, so this is only tidiness
            log.warning("verified answer not removed from its collection yet", extra={"error": str(exc)})

    def sync_vectors(self, *, force: bool = False) -> None:
        self.vectors.sync(self.active_entries, force=force)
