"""Drafting from verified answers: find one that answers this message, check it is still true, adapt it.

The pipeline makes one call, :meth:`VerifiedAnswers.find`, after retrieval. A verified answer is used only
when all of these hold:

- its question is semantically close to the message (cosine similarity of e5 query embeddings at least
  ``REPLYDRAFT_VERIFIED_THRESHOLD``, calibrated in docs/performance.md);
- it is about exactly the same products (the request's ``product_ids``, or the products the resolver
  found in the message): an answer is never used for another product, nor a general one for a product;
- the language is the answer's, the question types do not conflict (the types whose words each side
  contains overlap, or one side has none), and it asks about the same
  quantities, display codes and kinds of fact (:mod:`.agreement`: 60 L is not 80 L, E2 is not E4, a
  price is not a warranty);
- no other, different answer is nearly as close (within ``MARGIN``): then which one is meant is a guess;
- it is active, and none of its sources changed in the live index version. When the live version moves,
  every active answer's sources are compared with the digests kept with it; a changed or removed source
  makes the answer ``stale`` (with the changed sources listed) until a person confirms or edits it.

The draft then starts from the answer (``generator.provider = "verified"``): adapted to the customer's
wording by the model when one is configured (prompts/verified_adapt.j2), verbatim otherwise, cited against
the new draft's sources, and checked by compliance like any draft.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import jinja2
from sqlalchemy import select

from service.drafting.llm import ChatMessage, ChatModel, LLMError, strip_reasoning
from service.drafting.prompts import DEFAULT_DIR, escape_data
from service.learning.agreement import disagreement, intents_conflict, intents_of
from service.learning.store import VerifiedStore, product_key
from service.review.orm import VerifiedAnswerRow
from service.settings import Settings

log = logging.getLogger("replydraft.verified")

PROVIDER = "verified"
PROMPT_FILE = "verified_adapt.j2"
PAUSE_S = 60
CANDIDATES = 10  # nearest questions in scope compared; later checks may set the nearest ones aside
MARGIN = 0.01  # a second, different answer this close to the best makes the choice a guess: none is used
PRODUCT_SOURCE = "#"  # product sheets' source ids are "<file>#<product id>" (service.knowledge.models.Chunk)


@dataclass(frozen=True)
class Match:
    answer_id: str
    question: str
    answer: str
    similarity: float
    source_ids: tuple[str, ...]


@dataclass(frozen=True)
class Composed:
    text: str
    model: str
    prompt_version: str
    tokens: dict[str, int] | None = None
    fallback_reason: str | None = None


class VerifiedAnswers:
    """The look-up the pipeline calls, plus the staleness sweep it triggers when the index moves."""

    def __init__(self, settings: Settings, store: VerifiedStore, index: Any) -> None:
        self.settings = settings
        self.store = store
        self.index = index
        self._checked_version: str | None = None
        self._sweep_lock = threading.Lock()
        self._paused_until = 0.0  # after a failure (database or Chroma down), drafts skip the look-up a while
        directory: Path = settings.prompts_dir or DEFAULT_DIR
        path = directory / PROMPT_FILE
        if not path.is_file():
            path = DEFAULT_DIR / PROMPT_FILE  # a custom prompts folder without this file uses ours
        source = path.read_text(encoding="utf-8")
        self._template = jinja2.Environment(
            undefined=jinja2.StrictUndefined, autoescape=False, trim_blocks=True, lstrip_blocks=True
        ).from_string(source)
        self.prompt_version = "verified-" + hashlib.sha256(source.encode()).hexdigest()[:10]

    # --- look-up -----------------------------------------------------------------------------------
    def find(
        self,
        message: str,
        *,
        language: str,
        intent: str,
        product_ids: Sequence[str],
        found_sources: Sequence[str] = (),
    ) -> Match | None:
        """The verified answer to start this draft from, or None (never raises: drafting goes on).

        ``product_ids``: the products the message is about (request or resolver); ``found_sources``: the
        sources retrieval found for it. An answer relying on a product's sheet is used only when retrieval
        found that sheet for this message too, so an answer about one product never lands on another
        whose question reads alike."""
        if not self.settings.verified_enabled or time.monotonic() < self._paused_until:
            return None
        began = time.perf_counter()
        try:
            return self._find(message, language, intent, product_ids, set(found_sources))
        except Exception as exc:
            self._paused_until = time.monotonic() + PAUSE_S
            log.warning(
                "verified-answer look-up failed; drafting without verified answers for %d s",
                PAUSE_S,
                extra={"error": str(exc)[:300]},
            )
            return None
        finally:
            log.debug("verified look-up took %.1f ms", (time.perf_counter() - began) * 1000)

    def _find(
        self, message: str, language: str, intent: str, product_ids: Sequence[str], found: set[str]
    ) -> Match | None:
        live_info = self.index.live_version()
        live = str(live_info.version) if live_info is not None else None
        if live is not None and live != self._checked_version:
            self.sweep(live)
        self.store.sync_vectors()
        vectors = self.store.vectors
        hits = vectors.query(
            vectors.embed(message.strip()),
            language=language,
            intent=None,  # compared below on the sets of types both questions speak of
            product_key=product_key(product_ids),
            n=CANDIDATES,
        )
        asked = intents_of(message, intent)
        usable: list[tuple[VerifiedAnswerRow, float]] = []
        for answer_id, similarity in hits:
            if similarity < self.settings.verified_threshold:
                break
            row = self.store.row(answer_id)
            if row is None or row.status != "active":
                continue  # retired or stale meanwhile (another replica): the sync drops it
            if any(PRODUCT_SOURCE in s and s not in found for s in row.source_ids or []):
                continue  # it relies on a product sheet retrieval did not find for this message
            if intents_conflict(asked, intents_of(row.question, row.intent)):
                continue  # another type of question (a refund is not a delivery time)
            why = disagreement(row.question, message, scoped=bool(product_ids))
            if why is not None:
                log.debug("verified answer skipped", extra={"verified_id": row.id, "reason": why})
                continue  # close in wording, but another quantity, code or kind of fact is asked
            if live is not None and row.index_version != live and self._changed(row, live):
                continue
            usable.append((row, similarity))
        if not usable:
            return None
        row, similarity = usable[0]
        rival = next((u for u in usable[1:] if u[0].answer.strip() != row.answer.strip()), None)
        if rival is not None and similarity - rival[1] < MARGIN:
            # two different answers fit about equally: which one the customer means is a guess
            log.info(
                "verified answers too close to choose",
                extra={"verified_id": row.id, "rival_id": rival[0].id, "similarity": round(similarity, 4)},
            )
            return None
        log.info(
            "drafting from a verified answer",
            extra={"verified_id": row.id, "similarity": round(similarity, 4)},
        )
        return Match(row.id, row.question, row.answer, similarity, tuple(row.source_ids or ()))

    # --- staleness ---------------------------------------------------------------------------------
    def _changed(self, row: VerifiedAnswerRow, live: str) -> bool:
        """Compare ``row``'s sources with ``live``; mark it stale (True) or record the version (False)."""
        sources = list(row.source_ids or [])
        now = self.index.source_digests(sources) if sources else {}
        kept = row.source_digests or {}
        changed = [s for s in sources if now.get(s) is None or now.get(s) != kept.get(s)]
        if changed:
            self.store.mark_stale(row.id, changed, live)
            return True
        self.store.confirm_version(row.id, live)
        return False

    def sweep(self, live: str) -> dict[str, int]:
        """Check every active answer not yet checked against ``live``: stale ones leave use now."""
        with self._sweep_lock:
            if self._checked_version == live:
                return {"checked": 0, "stale": 0}
            t = VerifiedAnswerRow
            with self.store.db.read() as s:
                rows = list(
                    s.scalars(
                        select(t).where(
                            t.status == "active", (t.index_version != live) | (t.index_version.is_(None))
                        )
                    )
                )
                for r in rows:
                    s.expunge(r)
            stale = sum(1 for r in rows if self._changed(r, live))
            self._checked_version = live
            if rows:
                log.info(
                    "verified answers checked against the live index",
                    extra={"index_version": live, "checked": len(rows), "stale": stale},
                )
            return {"checked": len(rows), "stale": stale}

    # --- drafting ----------------------------------------------------------------------------------
    def compose(
        self,
        match: Match,
        *,
        llm: ChatModel | None,
        language: str,
        customer_message: str,
        context: str | None,
    ) -> Composed:
        """The verified answer, adapted to this message by the model when there is one (verbatim if the
        model is absent, fails, or returns nothing usable)."""
        if llm is None or not self.settings.verified_adapt:
            return Composed(match.answer, "verbatim", self.prompt_version)
        module = self._template.make_module(
            {
                "language": language,
                "answer": escape_data(match.answer),
                "customer_message": escape_data(customer_message.strip()),
                "context": escape_data(context.strip()) if context and context.strip() else "",
            }
        )
        messages: list[ChatMessage] = [
            {"role": "system", "content": str(cast(Any, module).system()).strip()},
            {"role": "user", "content": str(cast(Any, module).user()).strip()},
        ]
        try:
            completion = llm.complete(messages)
        except LLMError as exc:
            log.warning("adapting a verified answer failed; using it verbatim", extra={"kind": exc.kind})
            return Composed(match.answer, "verbatim", self.prompt_version, None, f"llm_{exc.kind}")
        text = strip_reasoning(completion.text).strip()
        if not text:
            return Composed(match.answer, "verbatim", self.prompt_version, None, "llm_empty_output")
        return Composed(text, llm.model, self.prompt_version, completion.tokens)
