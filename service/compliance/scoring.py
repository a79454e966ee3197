"""Scoring the filter against a labelled set (``eval/compliance_set.yaml``): per-category precision and
recall, recall on the items that must block, and the false-positive rate on clean items.

Used by the regression test, ``python -m bench.compliance_bench`` and the eval suite.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, Protocol

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from service.compliance.models import ComplianceResult, Verdict
from service.compliance.rulepacks import CATEGORIES, Category


class Expected(BaseModel):
    model_config = ConfigDict(extra="forbid")
    verdict: Verdict
    categories: list[Category] = Field(default_factory=list)

    @model_validator(mode="after")
    def _coherent(self) -> Expected:
        if (self.verdict == Verdict.PASS) != (not self.categories):
            raise ValueError("a pass item has no categories and a warn/block item has at least one")
        return self


class LabelledItem(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(min_length=1)
    text: str = Field(min_length=1)
    lang: Literal["zh", "en"]
    sources: list[str] = Field(default_factory=list)
    context: str | None = None
    customer_text: str | None = None
    note: str | None = None
    # How the item was written (evasion and look-alike sets: "separators", "homoglyphs", ...); scored apart
    # so one technique the filter misses shows even when the overall numbers look fine.
    technique: str | None = Field(None, max_length=80)
    expected: Expected


class Checker(Protocol):
    def check(
        self,
        text: str,
        *,
        sources: Sequence[str] = ...,
        context: str | None = ...,
        language: str | None = ...,
        customer_text: str | None = ...,
    ) -> ComplianceResult: ...


class LabelledSet(BaseModel):
    """The file: the settings the items assume (link allow-list) and the items."""

    model_config = ConfigDict(extra="forbid")
    description: str = ""
    allowed_domains: list[str] = Field(default_factory=list)
    shared_sources: dict[str, str] = Field(
        default_factory=dict, alias="x-sources", description="YAML anchors for source texts reused by items"
    )
    items: list[LabelledItem]

    @model_validator(mode="after")
    def _unique(self) -> LabelledSet:
        ids = [x.id for x in self.items]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"duplicate item ids: {', '.join(dupes)}")
        return self


def load_labelled_set(path: Path) -> LabelledSet:
    return LabelledSet.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def score_labelled_set(engine: Checker, items: Iterable[LabelledItem | Mapping[str, Any]]) -> dict[str, Any]:
    """Run every item through ``engine`` and compare with its label.

    - ``per_category``: precision/recall of "this category has a finding" against the labelled categories.
    - ``block_recall``: share of items labelled block that the engine blocks.
    - ``block_category_recall``: per category, recall on the items labelled block (the severe cases).
    - ``false_positive_rate``: share of clean (pass) items that get any finding.
    - ``block_precision`` / ``warn_precision``: of the items the engine blocks (warns on), the share
      labelled so; a filter that blocks innocent replies is as costly to a store as one that misses.
    - ``caught_rate``: share of non-pass items that get a non-pass verdict (any finding that stops or
      holds the text); ``flagged_rate``: share of all items that get one (for look-alike sets: the noise).
    - ``by_technique``: the same per ``technique``.
    - ``verdict_accuracy`` and ``mismatches`` (items whose verdict or categories differ), for debugging.
    """
    parsed = [x if isinstance(x, LabelledItem) else LabelledItem.model_validate(x) for x in items]
    tp = dict.fromkeys(CATEGORIES, 0)
    fp = dict.fromkeys(CATEGORIES, 0)
    fn = dict.fromkeys(CATEGORIES, 0)
    block_tp = dict.fromkeys(CATEGORIES, 0)
    block_n = dict.fromkeys(CATEGORIES, 0)
    blocks = blocked = clean = flagged_clean = correct = 0
    got_block = right_block = got_warn = right_warn = violations = caught = flagged = 0
    techniques: dict[str, dict[str, int]] = {}
    mismatches: list[dict[str, Any]] = []
    for item in parsed:
        result = engine.check(
            item.text,
            sources=item.sources,
            context=item.context,
            language=item.lang,
            customer_text=item.customer_text,
        )
        got = {f.category for f in result.flags}  # info notes are not flags
        want = set(item.expected.categories)
        for cat in CATEGORIES:
            if cat in got and cat in want:
                tp[cat] += 1
            elif cat in got:
                fp[cat] += 1
            elif cat in want:
                fn[cat] += 1
        if item.expected.verdict == Verdict.BLOCK:
            blocks += 1
            blocked += result.verdict == Verdict.BLOCK
            for cat in want:
                block_n[cat] += 1
                block_tp[cat] += cat in got
        if item.expected.verdict == Verdict.PASS:
            clean += 1
            flagged_clean += result.verdict != Verdict.PASS
        correct += result.verdict == item.expected.verdict
        got_block += result.verdict == Verdict.BLOCK
        violations += item.expected.verdict != Verdict.PASS
        caught += item.expected.verdict != Verdict.PASS and result.verdict != Verdict.PASS
        flagged += result.verdict != Verdict.PASS
        right_block += result.verdict == Verdict.BLOCK and item.expected.verdict == Verdict.BLOCK
        got_warn += result.verdict == Verdict.WARN
        right_warn += result.verdict == Verdict.WARN and item.expected.verdict == Verdict.WARN
        if item.technique:
            row = techniques.setdefault(
                item.technique, {"items": 0, "violations": 0, "caught": 0, "flagged": 0, "correct": 0}
            )
            row["items"] += 1
            row["violations"] += item.expected.verdict != Verdict.PASS
            row["caught"] += item.expected.verdict != Verdict.PASS and result.verdict != Verdict.PASS
            row["flagged"] += result.verdict != Verdict.PASS
            row["correct"] += result.verdict == item.expected.verdict
        if result.verdict != item.expected.verdict or got != want:
            mismatches.append(
                {
                    "id": item.id,
                    "text": item.text,
                    "expected": {"verdict": item.expected.verdict.value, "categories": sorted(want)},
                    "got": {"verdict": result.verdict.value, "categories": sorted(got)},
                    "findings": [f"{f.rule_id}:{f.matched}" for f in result.flags],
                }
            )
    per_category = {
        cat: {
            "precision": _ratio(tp[cat], tp[cat] + fp[cat]),
            "recall": _ratio(tp[cat], tp[cat] + fn[cat]),
            "support": tp[cat] + fn[cat],
            "tp": tp[cat],
            "fp": fp[cat],
            "fn": fn[cat],
        }
        for cat in CATEGORIES
    }
    return {
        "items": len(parsed),
        "clean_items": clean,
        "block_items": blocks,
        "per_category": per_category,
        "block_recall": _ratio(blocked, blocks),
        "block_category_recall": {c: _ratio(block_tp[c], block_n[c]) for c in CATEGORIES if block_n[c]},
        "false_positive_rate": _ratio(flagged_clean, clean),
        "verdict_accuracy": _ratio(correct, len(parsed)),
        "block_precision": _ratio(right_block, got_block),
        "warn_precision": _ratio(right_warn, got_warn),
        "caught_rate": _ratio(caught, violations),
        "flagged_rate": _ratio(flagged, len(parsed)),
        "by_technique": {
            name: {
                **row,
                "caught_rate": _ratio(row["caught"], row["violations"]),
                "flagged_rate": _ratio(row["flagged"], row["items"]),
            }
            for name, row in sorted(techniques.items())
        },
        "mismatches": mismatches,
    }
