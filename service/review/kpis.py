"""Acceptance KPIs: how reviewers use the drafts, the number this product lives by.

Every decision is one outcome:

- ``unchanged``: approved without an edit;
- ``small_edit``: approved after an edit whose normalised edit distance (characters changed / characters
  of the draft) is at most ``small_edit`` (default 0.2: a fixed word or number, a sentence added);
- ``rewritten``: approved after a larger edit (the reviewer wrote the reply);
- ``rejected``; ``regenerated`` (a new draft was asked for).

``accepted_rate`` counts unchanged and small edits, the drafts that saved the reviewer most of the work.
Broken down per generator, prompt version, model, intent, product, reviewer and UTC day, with the median
time from the draft's creation to the decision.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import select

from service.review.db import Database
from service.review.orm import Decision, Draft

OUTCOMES = ("unchanged", "small_edit", "rewritten", "rejected", "regenerated")
DIMENSIONS = ("generator", "prompt_version", "model", "intent", "product", "reviewer")
DEFAULT_SMALL_EDIT = 0.2
MAX_GROUPS = 50  # per dimension, largest first: a dashboard, not a data export


class OutcomeCounts(BaseModel):
    decisions: int = 0
    unchanged: int = 0
    small_edit: int = 0
    rewritten: int = 0
    rejected: int = 0
    regenerated: int = 0
    accepted_rate: float | None = Field(None, description="(unchanged + small_edit) / decisions")
    unchanged_rate: float | None = None
    median_time_to_decision_s: float | None = None


class AcceptanceGroup(OutcomeCounts):
    key: str


class AcceptanceDay(OutcomeCounts):
    day: str


class Acceptance(BaseModel):
    """Acceptance of drafts by reviewers over the window; thresholds as documented in docs/api.md."""

    small_edit_threshold: float
    total: OutcomeCounts
    by: dict[str, list[AcceptanceGroup]] = Field(
        description="Per dimension (generator, prompt_version, model, intent, product, reviewer)"
    )
    per_day: list[AcceptanceDay]


def outcome(action: str, edited: bool, edit_distance: int, original_chars: int, small_edit: float) -> str:
    if action in {"rejected", "reject"}:
        return "rejected"
    if action in {"regenerated", "regenerate"}:
        return "regenerated"
    if not edited or edit_distance == 0:
        return "unchanged"
    share = edit_distance / max(1, original_chars)
    return "small_edit" if share <= small_edit else "rewritten"


@dataclass
class _Tally:
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OUTCOMES, 0))
    seconds: list[float] = field(default_factory=list)

    def add(self, result: str, seconds: float) -> None:
        self.counts[result] += 1
        self.seconds.append(seconds)

    def fields(self) -> dict[str, Any]:
        n = sum(self.counts.values())
        return {
            "decisions": n,
            **self.counts,
            "accepted_rate": round((self.counts["unchanged"] + self.counts["small_edit"]) / n, 4)
            if n
            else None,
            "unchanged_rate": round(self.counts["unchanged"] / n, 4) if n else None,
            "median_time_to_decision_s": round(statistics.median(self.seconds), 1) if self.seconds else None,
        }


def _products(request: dict[str, Any] | None, citations: Iterable[Any]) -> list[str]:
    """The products a draft was about: those asked for in the request, else those its citations name."""
    asked = [str(p) for p in (request or {}).get("product_ids") or []]
    if asked:
        return asked
    cited = [str(c.get("product_id")) for c in citations if isinstance(c, dict) and c.get("product_id")]
    return sorted(set(cited)) or ["(none)"]


def compute_acceptance(
    db: Database, days: int, now: datetime, small_edit: float = DEFAULT_SMALL_EDIT
) -> Acceptance:
    now = now.astimezone(UTC)
    since = datetime.combine(now.date() - timedelta(days=days - 1), time.min, tzinfo=UTC)
    with db.read() as s:
        rows = s.execute(
            select(
                Decision.action,
                Decision.decided_at,
                Decision.review_seconds,
                Decision.edited,
                Decision.edit_distance,
                Decision.original_chars,
                Decision.actor_key_id,
                Draft.provider,
                Draft.generator,
                Draft.intent,
                Draft.request,
                Draft.citations,
            )
            .join(Draft, Draft.id == Decision.draft_id)
            # A withdrawn approval is an undo, not a decision on the text (stats count it apart).
            .where(Decision.decided_at >= since, Decision.action != "withdrawn")
        ).all()
    total = _Tally()
    groups: dict[str, dict[str, _Tally]] = {d: defaultdict(_Tally) for d in DIMENSIONS}
    per_day: dict[str, _Tally] = defaultdict(_Tally)
    for row in rows:
        result = outcome(row.action, row.edited, row.edit_distance, row.original_chars, small_edit)
        seconds = float(row.review_seconds)
        total.add(result, seconds)
        per_day[row.decided_at.astimezone(UTC).date().isoformat()].add(result, seconds)
        generator = row.generator or {}
        keys = {
            "generator": [row.provider],
            "prompt_version": [str(generator.get("prompt_version") or "(none)")],
            "model": [str(generator.get("model") or "(none)")],
            "intent": [row.intent],
            "product": _products(row.request, row.citations or []),
            "reviewer": [row.actor_key_id or "(unknown)"],
        }
        for dimension, values in keys.items():
            for value in values:
                groups[dimension][value].add(result, seconds)
    by = {
        dimension: [
            AcceptanceGroup(key=key, **tally.fields())
            for key, tally in sorted(values.items(), key=lambda kv: (-sum(kv[1].counts.values()), kv[0]))[
                :MAX_GROUPS
            ]
        ]
        for dimension, values in groups.items()
    }
    days_out = []
    for i in range(days):
        day = (since.date() + timedelta(days=i)).isoformat()
        days_out.append(AcceptanceDay(day=day, **per_day.get(day, _Tally()).fields()))
    return Acceptance(
        small_edit_threshold=small_edit, total=OutcomeCounts(**total.fields()), by=by, per_day=days_out
    )


ACCEPTANCE_WINDOW_DAYS = 7


class AcceptanceCollector:
    """``replydraft_review_outcomes{outcome, generator}``: decisions of the last 7 days by outcome, read
    from the database at scrape time so every replica reports the same numbers (``accepted_rate`` as a
    ratio of sums in PromQL). A scrape during a database outage leaves the family out."""

    def __init__(self, db: Database, small_edit: float, clock: Any) -> None:
        self.db, self.small_edit, self.clock = db, small_edit, clock

    def _family(self) -> Any:
        from prometheus_client.core import GaugeMetricFamily

        return GaugeMetricFamily(
            "replydraft_review_outcomes",
            f"Review decisions of the last {ACCEPTANCE_WINDOW_DAYS} days by outcome and generator",
            labels=["outcome", "generator"],
        )

    def describe(self) -> Iterable[Any]:
        yield self._family()

    def collect(self) -> Iterable[Any]:
        try:
            kpi = compute_acceptance(self.db, ACCEPTANCE_WINDOW_DAYS, self.clock(), self.small_edit)
        except Exception as exc:  # a scrape must not fail because the database is down
            import logging

            logging.getLogger("replydraft.review").warning("acceptance metrics unavailable: %s", exc)
            return
        family = self._family()
        for group in kpi.by["generator"]:
            for name in OUTCOMES:
                family.add_metric([name, group.key], getattr(group, name))
        yield family
