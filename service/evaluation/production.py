"""Eval cases from production: reviewed drafts become golden cases, and replay re-drafts them.

Every approval is a person saying what the right reply was. ``export`` turns reviewed drafts into golden
cases QA can curate into eval/: the approved text (as sent, markers removed, personal data masked) is the
reference, and its key facts are the numbers with units and the model codes that survived review (they
are in the approved text, whether the draft had them or the reviewer put them there). Rejected drafts come
as cases without facts, with the rejection reason, for QA to write the facts. Cases are deduplicated by
normalised message and products (the latest review wins).

``replay`` drafts the same messages with today's pipeline (a new model, prompt or index) and reports how
far the new drafts are from what reviewers approved, beside how far the old drafts were, before switching.
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from service.compliance.pii import mask_pii
from service.drafting.citations import strip_markers
from service.evaluation.golden import Case
from service.evaluation.matching import matches, prepare
from service.review.db import Database
from service.review.editdistance import levenshtein
from service.review.orm import Draft, Revision

EXPORT_STATUSES = ("approved", "sent", "rejected")
MAX_EXPORT = 5000
# Numbers with a unit a reply commits to, and model codes: the facts a reviewer checks.
_QUANTITY = re.compile(
    r"(?<![\d.])\d+(?:\.\d+)?\s*(?:元|块|年|个月|月|周|天|日|小时|分钟|升|L|W|瓦|kW|千瓦|kg|公斤|克|g|cm|厘米|mm|毫米|"
    r"米|%|折|件|片|次|℃|°C|mAh|GB|TB|寸|英寸|days?|hours?|years?|months?|weeks?|yuan)(?![A-Za-z])",
    re.IGNORECASE,
)
_PRICE = re.compile(r"[¥￥$]\s*\d+(?:\.\d+)?")
_MODEL = re.compile(r"(?<![A-Za-z0-9])[A-Z]{1,6}-?\d{2,}[A-Z0-9()-]*(?![A-Za-z0-9])")
_NORM = re.compile(r"[\W_]+", re.UNICODE)


@dataclass(frozen=True)
class Reviewed:
    draft_id: str
    status: str
    message: str
    request: dict[str, Any]
    generated: str  # the text the generator wrote
    final: str  # the text the reviewer approved (or the rejected draft)
    reason: str | None
    provider: str
    decided_at: datetime


def reviewed_drafts(
    db: Database, since: datetime, until: datetime | None, statuses: Iterable[str], limit: int = MAX_EXPORT
) -> list[Reviewed]:
    """Drafts in the given statuses whose last change is in the window, newest first."""
    wanted = [s for s in statuses]
    with db.read() as s:
        query = (
            select(
                Draft.id,
                Draft.status,
                Draft.customer_message,
                Draft.request,
                Draft.text,
                Draft.provider,
                Draft.updated_at,
                Revision.text.label("generated"),
            )
            .join(Revision, (Revision.draft_id == Draft.id) & (Revision.number == 1))
            .where(Draft.status.in_(wanted), Draft.updated_at >= since)
            .order_by(Draft.updated_at.desc(), Draft.id)
            .limit(limit)
        )
        if until is not None:
            query = query.where(Draft.updated_at < until)
        rows = s.execute(query).all()
        reasons = _reasons(s, [r.id for r in rows if r.status == "rejected"])
    return [
        Reviewed(
            draft_id=r.id,
            status=r.status,
            message=r.customer_message,
            request=r.request or {},
            generated=r.generated,
            final=r.text,
            reason=reasons.get(r.id),
            provider=r.provider,
            decided_at=r.updated_at,
        )
        for r in rows
    ]


def _reasons(session: Any, ids: list[str]) -> dict[str, str]:
    if not ids:
        return {}
    from service.review.orm import Decision

    rows = session.execute(
        select(Decision.draft_id, Decision.reason).where(
            Decision.draft_id.in_(ids), Decision.action == "rejected"
        )
    ).all()
    return {r.draft_id: r.reason for r in rows if r.reason}


def key_facts(text: str) -> list[str]:
    """Numbers with units, prices and model codes in a text, in order, without repeats."""
    seen: list[str] = []
    for pattern in (_PRICE, _QUANTITY, _MODEL):
        for m in pattern.finditer(text):
            value = re.sub(r"\s+", "", m.group(0))
            if value not in seen:
                seen.append(value)
    return seen


def _dedupe_key(message: str, products: Iterable[str]) -> str:
    folded = _NORM.sub("", unicodedata.normalize("NFKC", message).lower())
    return folded + "|" + ",".join(sorted(products))


def _language(text: str) -> str:
    cjk = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")
    return "zh" if cjk >= max(1, len(text) // 10) else "en"


def to_case(item: Reviewed) -> dict[str, Any]:
    """One golden case (the format of eval/README.md), personal data masked everywhere."""
    approved = item.status in {"approved", "sent"}
    reference = mask_pii(strip_markers(item.final)).strip()
    request = item.request
    case: dict[str, Any] = {
        "id": f"prod-{item.draft_id[:24]}",
        "message": mask_pii(item.message),
        "tags": {
            "origin": "production",
            "review": "approved" if approved else "rejected",
            "generator": item.provider,
            "language": _language(item.message),
            "reviewed": item.decided_at.date().isoformat(),
        },
    }
    turns = [
        {"role": t["role"], "text": mask_pii(t["text"])}
        for t in request.get("conversation") or []
        if isinstance(t, dict) and t.get("role") in {"customer", "agent"} and t.get("text")
    ]
    if turns:
        case["conversation"] = turns
    if request.get("context"):
        case["context"] = mask_pii(str(request["context"]))
    if request.get("product_ids"):
        case["product_ids"] = [str(p) for p in request["product_ids"]]
    if approved:
        case["reference"] = reference
        facts = [f for f in key_facts(reference) if "<" not in f]
        case["expect"] = {"facts": facts, "verdict": ["pass", "warn"]}
    else:
        case["expect"] = {"verdict": ["pass", "warn"]}
        case["note"] = "rejected draft: write the facts it should have had" + (
            f" (reviewer: {mask_pii(item.reason)})" if item.reason else ""
        )
        case["rejected_text"] = reference
    return case


def export_cases(items: Iterable[Reviewed]) -> list[dict[str, Any]]:
    """Deduplicated (latest review of the same message and products wins), validated as golden cases."""
    out: dict[str, dict[str, Any]] = {}
    for item in items:  # newest first: the first seen wins
        key = _dedupe_key(item.message, item.request.get("product_ids") or [])
        if key not in out:
            out[key] = to_case(item)
    cases = list(out.values())
    for case in cases:
        Case.model_validate(case)  # what `replydraft eval --golden` will accept
    return cases


def normalised_distance(a: str, b: str) -> float:
    a, b = strip_markers(a).strip(), strip_markers(b).strip()
    return round(levenshtein(a, b) / max(1, len(a), len(b)), 4)


def replay(
    items: list[Reviewed],
    draft: Callable[[Case], str],
    small_edit: float,
    on_done: Callable[[], None] = lambda: None,
) -> dict[str, Any]:
    """Re-draft each approved message; compare the new draft and the old one with the approved text."""
    rows: list[dict[str, Any]] = []
    for item in items:
        if item.status not in {"approved", "sent"}:
            continue
        case = Case.model_validate(to_case(item))
        try:
            new = draft(case)
        except Exception as exc:
            rows.append({"id": case.id, "error": f"{type(exc).__name__}: {exc}"})
            on_done()
            continue
        facts = case.expect.facts
        prepared = prepare(new)
        rows.append(
            {
                "id": case.id,
                "message": case.message,
                "approved": case.reference,
                "old_draft": strip_markers(item.generated),
                "new_draft": strip_markers(new),
                "old_distance": normalised_distance(item.generated, item.final),
                "new_distance": normalised_distance(new, item.final),
                "facts": len(facts),
                "facts_kept": sum(matches(prepared, f) for f in facts),
            }
        )
        on_done()
    ok = [r for r in rows if "error" not in r]

    def median(key: str) -> float | None:
        return round(statistics.median(r[key] for r in ok), 4) if ok else None

    with_facts = [r for r in ok if r["facts"]]
    return {
        "cases": len(rows),
        "errors": len(rows) - len(ok),
        "small_edit_threshold": small_edit,
        "old_median_distance": median("old_distance"),
        "new_median_distance": median("new_distance"),
        "new_closer_rate": round(sum(r["new_distance"] < r["old_distance"] for r in ok) / len(ok), 4)
        if ok
        else None,
        "new_further_rate": round(sum(r["new_distance"] > r["old_distance"] for r in ok) / len(ok), 4)
        if ok
        else None,
        # Would a reviewer have accepted it unchanged or with a small edit (by the KPI threshold)?
        "old_accept_rate": round(sum(r["old_distance"] <= small_edit for r in ok) / len(ok), 4)
        if ok
        else None,
        "new_accept_rate": round(sum(r["new_distance"] <= small_edit for r in ok) / len(ok), 4)
        if ok
        else None,
        "fact_retention": round(
            sum(r["facts_kept"] for r in with_facts) / sum(r["facts"] for r in with_facts), 4
        )
        if with_facts
        else None,
        "rows": rows,
    }
