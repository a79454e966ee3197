"""Aggregate metrics over scored cases: retrieval, reply quality, compliance and operations."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

from service.drafting.pipeline import NO_LLM
from service.evaluation import answers


def _mean(values: Iterable[float]) -> float | None:
    values = list(values)
    return round(sum(values) / len(values), 4) if values else None


def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))], 1)


def summarise(results: list[dict[str, Any]]) -> dict[str, Any]:
    """The headline metrics (flat names, so thresholds and baselines can refer to them)."""
    ok = [r for r in results if "error" not in r]
    retrieval = [r["retrieval"] for r in ok if r.get("retrieval")]
    with_facts = [r for r in results if r.get("coverage") is not None]
    claims = sum(r["claims"] for r in ok)
    markers = sum(r["markers"] for r in ok)
    with_verdict = [r for r in ok if r.get("expected_verdict") is not None]
    latencies = [r["latency_ms"] for r in ok]
    tokens: Counter[str] = Counter()
    for r in ok:
        tokens.update(r.get("tokens") or {})
    return {
        "cases": len(results),
        "errors": len(results) - len(ok),
        "pass_rate": _ratio(sum(r["passed"] for r in results), len(results)),
        "hit_at_k": _mean(1.0 if x["hit"] else 0.0 for x in retrieval),
        "recall_at_k": _mean(x["recall"] for x in retrieval),
        "mrr": _mean(1 / x["rank"] if x["rank"] else 0.0 for x in retrieval),
        "retrieval_cases": len(retrieval),
        "key_fact_coverage": _mean(r["coverage"] for r in with_facts),
        "full_coverage_rate": _ratio(sum(r["coverage"] == 1.0 for r in with_facts), len(with_facts)),
        "forbidden_rate": _ratio(sum(bool(r.get("forbidden")) for r in ok), len(ok)),
        "groundedness": _ratio(sum(r["supported_claims"] for r in ok), claims) if claims else 1.0,
        "numeric_claims": claims,
        "citation_validity": _ratio(sum(r["valid_markers"] for r in ok), markers) if markers else 1.0,
        "language_match": _ratio(sum(r["language_ok"] for r in ok), len(ok)),
        # Over cases that expect a verdict: a case without one says nothing about the filter.
        "verdict_accuracy": _ratio(sum(r["verdict_ok"] for r in with_verdict), len(with_verdict)),
        "latency_p50_ms": _percentile(latencies, 50),
        "latency_p95_ms": _percentile(latencies, 95),
        "llm_drafts": sum(r["provider"] != "extractive" for r in ok),
        "offline_drafts": sum(r["provider"] == "extractive" for r in ok),
        # Drafts where a configured model failed and the offline drafter stood in.
        "fallback_drafts": sum(
            r["provider"] == "extractive" and r.get("fallback_reason") != NO_LLM for r in ok
        ),
        "tokens_total": tokens.get("total", 0),
        **answers.summarise(results),
    }


def by_tag(results: list[dict[str, Any]]) -> dict[str, dict[str, dict[str, Any]]]:
    """Per tag name and value: cases, pass rate, coverage, hit rate — where a change helped or hurt."""
    groups: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    for r in results:
        for name, value in (r.get("tags") or {}).items():
            groups[name][value].append(r)
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for name, values in sorted(groups.items()):
        out[name] = {}
        for value, rows in sorted(values.items()):
            s = summarise(rows)
            out[name][value] = {
                "cases": len(rows),
                "pass_rate": s["pass_rate"],
                "key_fact_coverage": s["key_fact_coverage"],
                "hit_at_k": s["hit_at_k"],
                "latency_p50_ms": s["latency_p50_ms"],
            }
    return out


def latency_histogram(results: list[dict[str, Any]], bins: int = 12) -> list[dict[str, float]]:
    values = [r["latency_ms"] for r in results if "error" not in r]
    if not values:
        return []
    lo, hi = min(values), max(values)
    width = (hi - lo) / bins or 1.0
    counts = [0] * bins
    for v in values:
        counts[min(bins - 1, int((v - lo) / width))] += 1
    return [
        {"from": round(lo + i * width, 1), "to": round(lo + (i + 1) * width, 1), "n": c}
        for i, c in enumerate(counts)
    ]


def median(values: list[float]) -> float | None:
    return round(statistics.median(values), 2) if values else None
