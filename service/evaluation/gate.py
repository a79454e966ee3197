"""Thresholds and baselines: what makes `replydraft eval` exit 1, so CI can refuse a worse change."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from service.evaluation.golden import EvalInputError
from service.evaluation.judge import METRICS as JUDGE_METRICS
from service.evaluation.metrics import summarise

# Metrics where lower is better; counts that are neither better nor worse; every other one: higher is better.
LOWER_IS_BETTER = frozenset(
    {
        "forbidden_rate",
        "latency_p50_ms",
        "latency_p95_ms",
        "errors",
        "fallback_drafts",
        "tokens_total",
        "judge_failures",
        "judge_disagreement",
        "judge_disagreement_stdev",
        "false_positive_rate",
        "flagged_rate",
        "max_technique_flagged_rate",
        "wrong_product_facts",
        "wrong_product_unflagged",
        "customer_text_marks",
        "review_text_labels",
        "first_text_p50_ms",
        "wrong_product_rate",
        "irrelevant_sentence_rate",
        "marker_leak_rate",
    }
)
NEUTRAL = frozenset(
    {
        "cases",
        "retrieval_cases",
        "numeric_claims",
        "llm_drafts",
        "offline_drafts",
        "judge_cases",
        "questions",
        "quoted_sentences",
        "multi_part_cases",
        "repairs_total",
    }
)
# Names a thresholds file may use: a typo must be bad input (exit 2), not a silently failing gate.
GOLDEN_METRICS = frozenset(summarise([])) | frozenset(JUDGE_METRICS)
COMPLIANCE_METRICS = frozenset(
    {
        "block_recall",
        "false_positive_rate",
        "verdict_accuracy",
        "block_precision",
        "warn_precision",
        "caught_rate",
        "flagged_rate",
        "min_technique_caught_rate",
        "max_technique_flagged_rate",
    }
)
RETRIEVAL_METRICS = frozenset({"hit_at_k", "mrr", "questions"})
_PER_CATEGORY = re.compile(r"^(precision|recall)\.[A-Za-z0-9_-]+$")  # e.g. recall.off_platform


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid")
    min: float | None = None
    max: float | None = None
    max_drop: float | None = Field(None, ge=0, description="Largest allowed worsening against the baseline")
    # The target: a value on the wrong side is reported as "below target" but does not fail the
    # gate, so the gate refuses regressions without pretending today's numbers meet the goal.
    target: float | None = None

    @model_validator(mode="after")
    def _sets_something(self) -> Rule:
        if self.min is None and self.max is None and self.max_drop is None and self.target is None:
            raise ValueError("a rule needs min, max, max_drop or target")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min {self.min} is above max {self.max}")
        return self


class SetRules(BaseModel):
    """Rules for one named set of a suite (``demo``, ``evasions``) or one split of it (``demo.test``)."""

    model_config = ConfigDict(extra="forbid")
    golden: dict[str, Rule] = Field(default_factory=dict)
    retrieval: dict[str, Rule] = Field(default_factory=dict)
    compliance: dict[str, Rule] = Field(default_factory=dict)


class Thresholds(BaseModel):
    model_config = ConfigDict(extra="forbid")
    metrics: dict[str, Rule] = Field(default_factory=dict)
    compliance: dict[str, Rule] = Field(default_factory=dict)  # metrics of the labelled compliance set
    # Suite runs (`replydraft eval --suite`): ``golden`` applies to every golden set and split (``metrics``
    # is its older name), ``retrieval`` to every retrieval set, ``compliance`` to every compliance set;
    # ``sets`` adds or overrides rules for one set (``ecom``) or one split (``ecom.test``).
    golden: dict[str, Rule] = Field(default_factory=dict)
    retrieval: dict[str, Rule] = Field(default_factory=dict)
    sets: dict[str, SetRules] = Field(default_factory=dict)

    def for_set(self, section: str, name: str, split: str) -> dict[str, Rule]:
        base = {"golden": {**self.metrics, **self.golden}, "retrieval": self.retrieval}.get(
            section, self.compliance
        )
        out = dict(base)
        for key in (name, f"{name}.{split}"):
            extra = self.sets.get(key)
            if extra is not None:
                out.update(getattr(extra, section))
        return out


def load_thresholds(path: Path) -> Thresholds:
    """``metrics:`` and ``compliance:`` sections, or golden-set metric names at the top level."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig")) or {}
    except OSError as exc:
        raise EvalInputError(f"{path}: cannot read thresholds ({exc.strerror})") from exc
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise EvalInputError(f"{path}: invalid thresholds file ({exc})") from exc
    if not isinstance(data, dict):
        raise EvalInputError(f"{path}: expected a mapping of metric names to rules")
    flat = {
        k: v for k, v in data.items() if k not in {"metrics", "compliance", "golden", "retrieval", "sets"}
    }
    if flat:
        nested = data.get("metrics") or {}
        if not isinstance(nested, dict) or set(flat) & set(nested):
            raise EvalInputError(f"{path}: a metric is given both at the top level and under metrics")
        data = {**data, "metrics": {**nested, **flat}}
        for key in flat:
            del data[key]
    try:
        thresholds = Thresholds.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:10])
        raise EvalInputError(f"{path}: invalid thresholds file ({problems})") from exc
    golden_rules = [("metrics", thresholds.metrics), ("golden", thresholds.golden)]
    retrieval_rules = [("retrieval", thresholds.retrieval)]
    compliance_rules = [("compliance", thresholds.compliance)]
    for name, extra in thresholds.sets.items():
        golden_rules.append((f"sets.{name}.golden", extra.golden))
        retrieval_rules.append((f"sets.{name}.retrieval", extra.retrieval))
        compliance_rules.append((f"sets.{name}.compliance", extra.compliance))
    unknown = (
        [f"{where}.{m}" for where, rules in golden_rules for m in rules if m not in GOLDEN_METRICS]
        + [f"{where}.{m}" for where, rules in retrieval_rules for m in rules if m not in RETRIEVAL_METRICS]
        + [
            f"{where}.{m}"
            for where, rules in compliance_rules
            for m in rules
            if m not in COMPLIANCE_METRICS and not _PER_CATEGORY.match(m)
        ]
    )
    if unknown:
        raise EvalInputError(
            f"{path}: unknown metric {', '.join(unknown)} (golden-set metrics: "
            f"{', '.join(sorted(GOLDEN_METRICS))}; compliance: {', '.join(sorted(COMPLIANCE_METRICS))}, "
            "precision.CATEGORY, recall.CATEGORY)"
        )
    return thresholds


def load_baseline(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise EvalInputError(f"{path}: cannot read baseline ({exc.strerror})") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise EvalInputError(f"{path}: baseline is not a JSON report ({exc})") from exc
    if not isinstance(data, dict) or not (
        isinstance(data.get("metrics"), dict)
        or (data.get("kind") == "suite" and isinstance(data.get("golden"), dict))
    ):
        raise EvalInputError(
            f"{path}: not a report.json of replydraft eval (no 'metrics', not a suite report)"
        )
    return data


def worsening(metric: str, now: float, before: float) -> float:
    """How much worse ``now`` is than ``before`` (positive: worse; always 0 for plain counts)."""
    if metric in NEUTRAL:
        return 0.0
    return now - before if metric in LOWER_IS_BETTER else before - now


def check(
    section: str, values: dict[str, Any], rules: dict[str, Rule], baseline: dict[str, Any] | None
) -> list[dict[str, Any]]:
    """One row per rule: the metric, its value, the limit and whether it held."""
    rows = []
    for metric, rule in rules.items():
        value = values.get(metric)
        row: dict[str, Any] = {"section": section, "metric": metric, "value": value, "ok": True, "why": ""}
        if rule.target is not None:
            row["target"] = rule.target
        if not isinstance(value, (int, float)):
            before = (baseline or {}).get(metric)
            if rule.min is not None or rule.max is not None:
                row.update(ok=False, why="metric missing from this run")
            elif isinstance(before, (int, float)):
                row.update(ok=False, why=f"metric missing from this run (the baseline had {before})")
            else:
                # Undefined for this set (no clean items in an evasion set, no violations in a look-alike
                # set): a regression or target rule has nothing to compare.
                row.update(why="not defined for this set")
            rows.append(row)
            continue
        if rule.target is not None:
            short = value > rule.target if metric in LOWER_IS_BETTER else value < rule.target
            row["below_target"] = bool(short)
        if rule.min is not None and value < rule.min:
            row.update(ok=False, why=f"below min {rule.min}")
        if rule.max is not None and value > rule.max:
            row.update(ok=False, why=f"above max {rule.max}")
        before = (baseline or {}).get(metric)
        if rule.max_drop is not None and isinstance(before, (int, float)):
            worse = worsening(metric, float(value), float(before))
            if worse > rule.max_drop + 1e-9:
                row.update(
                    ok=False, why=f"{worse:.4g} worse than the baseline {before} (allowed {rule.max_drop})"
                )
        rows.append(row)
    return rows


def deltas(now: dict[str, Any], before: dict[str, Any]) -> dict[str, dict[str, Any]]:
    out = {}
    for metric, value in now.items():
        old = before.get(metric)
        if isinstance(value, (int, float)) and isinstance(old, (int, float)) and not isinstance(value, bool):
            worse = worsening(metric, float(value), float(old))
            out[metric] = {
                "before": old,
                "now": value,
                "delta": round(value - old, 4),
                "regressed": worse > 1e-9,
            }
    return out


def case_deltas(now: list[dict[str, Any]], before: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Cases that changed outcome or coverage since the baseline, regressions first."""
    old = {c["id"]: c for c in before}
    out = []
    for case in now:
        prev = old.get(case["id"])
        if prev is None:
            continue
        cov, prev_cov = case.get("coverage"), prev.get("coverage")
        if case.get("passed") != prev.get("passed") or cov != prev_cov:
            regressed = (prev.get("passed") and not case.get("passed")) or (
                cov is not None and prev_cov is not None and cov < prev_cov
            )
            out.append(
                {
                    "id": case["id"],
                    "passed_before": prev.get("passed"),
                    "passed_now": case.get("passed"),
                    "coverage_before": prev_cov,
                    "coverage_now": cov,
                    "regressed": bool(regressed),
                }
            )
    return sorted(out, key=lambda c: (not c["regressed"], c["id"]))
