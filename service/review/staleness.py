"""Staleness: does a draft awaiting review or sending still quote what the live index says?

A draft keeps the index version it was written against and what it cites. Once per live index version
each pending or approved (not yet sent) draft is re-checked and the result stored on it (not a state
change: its version stays), so a reviewer sees the warning before approving, and before sending an
approval whose sources changed since (and can withdraw it).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from sqlalchemy import or_, select, update

from service.review.orm import Draft
from service.review.rows import Context
from service.review.states import Status

log = logging.getLogger("replydraft.review")

OPEN = (Status.PENDING, Status.APPROVED)  # drafts whose staleness can still change what is sent


class Staleness:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def live_version(self) -> str | None:
        try:
            live = self.ctx.index().live_version()
        except Exception as exc:  # the index being down must not block reading or reviewing drafts
            log.warning("index unavailable, staleness not checked: %s", exc)
            return None
        return str(live.version) if live is not None else None

    def changed(self, rows: Sequence[Draft], live: str) -> dict[str, list[str]] | None:
        """Changed source ids per draft, from what each citation says its source version was.

        A passage citation names its chunk, a content hash: missing from the live version means its text
        changed. A product citation names the digest of the product's facts: a different digest in the
        live catalogue, or no such product, means a fact it may quote (a price, a status) changed.
        Drafts written against the live version are fresh. None when the index cannot tell right now.
        """
        todo = [r for r in rows if r.index_version != live]
        cited = [(r, c) for r in todo for c in r.citations or []]
        wanted = sorted({c["chunk_id"] for _, c in cited if c.get("chunk_id")})
        try:
            present = self.ctx.index().present_chunk_ids(wanted) if wanted else set()
            products = self.ctx.index().catalogue() if any(_product(c) for _, c in cited) else None
        except Exception as exc:
            log.warning("index unavailable, staleness not checked: %s", exc)
            return None
        changed: dict[str, list[str]] = {row.id: [] for row in rows}
        for row, citation in cited:
            if citation.get("chunk_id"):
                gone = citation["chunk_id"] not in present
            elif _product(citation) and products is not None:
                facts = products.get(citation["product_id"])
                gone = facts is None or facts.digest() != citation["fact_digest"]
            else:  # an old citation that names no version: nothing to compare
                gone = False
            if gone and citation["source_id"] not in changed[row.id]:
                changed[row.id].append(citation["source_id"])
        return changed

    def refresh(self, rows: Sequence[Draft], live: str | None = None) -> None:
        """Re-check open drafts once per live index version; the result is stored on the draft."""
        if not any(r.status in OPEN for r in rows):
            return
        live = live or self.live_version()
        if live is None:
            return
        todo = [r for r in rows if r.status in OPEN and r.stale_checked_version != live]
        changed = self.changed(todo, live) if todo else None
        if not changed:
            return
        with self.ctx.db.write() as s:
            for row in todo:
                row.stale, row.stale_sources, row.stale_checked_version = (
                    bool(changed[row.id]),
                    changed[row.id],
                    live,
                )
                # Not a state change: the version stays, so a reviewer's pending action is unaffected.
                s.execute(
                    update(Draft)
                    .where(Draft.id == row.id, Draft.version == row.version)
                    .values(stale=row.stale, stale_sources=row.stale_sources, stale_checked_version=live)
                    .execution_options(synchronize_session=False)
                )

    def refresh_pending(self) -> None:
        """Re-check every open draft not yet checked against the live version (before a queue read)."""
        live = self.live_version()
        if live is None:
            return
        with self.ctx.db.read() as s:
            rows = list(
                s.scalars(
                    select(Draft).where(
                        Draft.status.in_([status.value for status in OPEN]),
                        or_(Draft.stale_checked_version.is_(None), Draft.stale_checked_version != live),
                    )
                )
            )
        self.refresh(rows, live)


def _product(citation: dict[str, Any]) -> bool:
    return bool(citation.get("product_id") and citation.get("fact_digest") and not citation.get("chunk_id"))
