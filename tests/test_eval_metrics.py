"""Eval metrics on hand-built results: the numbers QA gates on must mean what eval/README.md says."""

from __future__ import annotations

from typing import Any

import pytest

from service.compliance.models import ComplianceResult, Verdict
from service.drafting.models import Citation, DraftRequest, GeneratedDraft, GeneratorInfo
from service.drafting.pipeline import NO_LLM
from service.evaluation.metrics import by_tag, latency_histogram, summarise
from service.evaluation.runner import _citations, _grounded


def result(**over: Any) -> dict[str, Any]:
    """One scored case as runner.score_case shapes it, passing unless told otherwise."""
    base: dict[str, Any] = {
        "id": "c",
        "tags": {},
        "passed": True,
        "retrieval": {"hit": True, "rank": 1, "recall": 1.0, "missing": []},
        "coverage": 1.0,
        "forbidden": [],
        "claims": 0,
        "supported_claims": 0,
        "markers": 0,
        "valid_markers": 0,
        "language_ok": True,
        "verdict_ok": True,
        "expected_verdict": ["pass"],
        "latency_ms": 10.0,
        "provider": "extractive",
        "fallback_reason": NO_LLM,
        "tokens": {},
    }
    return base | over


def test_retrieval_metrics_skip_cases_without_expectations() -> None:
    m = summarise(
        [
            result(retrieval={"hit": True, "rank": 1, "recall": 1.0, "missing": []}),
            result(retrieval={"hit": True, "rank": 4, "recall": 0.5, "missing": ["x"]}),
            result(retrieval={"hit": False, "rank": None, "recall": 0.0, "missing": ["y"]}),
            result(retrieval=None),  # nothing expected: not part of hit@k, recall@k or MRR
        ]
    )
    assert m["retrieval_cases"] == 3
    assert m["hit_at_k"] == pytest.approx(2 / 3, abs=1e-4)
    assert m["recall_at_k"] == 0.5
    assert m["mrr"] == pytest.approx((1 + 0.25 + 0) / 3, abs=1e-4)


def test_reply_metrics() -> None:
    m = summarise(
        [
            result(coverage=1.0, claims=4, supported_claims=4, markers=2, valid_markers=2),
            result(coverage=0.5, passed=False, forbidden=["加微信"], claims=1, supported_claims=0),
            result(coverage=None, markers=2, valid_markers=1, language_ok=False),  # no facts expected
            result(verdict_ok=True, expected_verdict=None),  # no verdict expected: not in verdict_accuracy
            result(verdict_ok=False, passed=False),
        ]
    )
    assert m["key_fact_coverage"] == pytest.approx((1 + 0.5 + 1 + 1) / 4)
    assert m["full_coverage_rate"] == 0.75
    assert m["pass_rate"] == 0.6
    assert m["forbidden_rate"] == 0.2
    assert m["groundedness"] == 0.8 and m["numeric_claims"] == 5
    assert m["citation_validity"] == 0.75
    assert m["language_match"] == 0.8
    assert m["verdict_accuracy"] == 0.75


def test_no_claims_and_no_markers_are_not_failures() -> None:
    m = summarise([result()])
    assert m["groundedness"] == 1.0 and m["citation_validity"] == 1.0


def test_errors_count_as_failed_cases_and_stay_out_of_draft_metrics() -> None:
    broken = {"id": "e", "tags": {}, "error": "RuntimeError: boom", "passed": False, "coverage": 0.0}
    m = summarise([result(), broken])
    assert m["errors"] == 1 and m["pass_rate"] == 0.5
    assert m["key_fact_coverage"] == 0.5  # the failed case's facts count as missed
    assert m["language_match"] == 1.0 and m["latency_p50_ms"] == 10.0


def test_operations_latency_and_who_drafted() -> None:
    rows = [result(latency_ms=float(ms)) for ms in range(1, 101)]
    rows[0] |= {"provider": "openai-compatible", "fallback_reason": None, "tokens": {"total": 120}}
    rows[1] |= {"provider": "openai-compatible", "fallback_reason": None, "tokens": {"total": 80}}
    rows[2] |= {"provider": "extractive", "fallback_reason": "llm_error: timeout"}
    m = summarise(rows)
    assert m["latency_p50_ms"] in (50.0, 51.0) and m["latency_p95_ms"] in (95.0, 96.0)
    assert m["llm_drafts"] == 2 and m["offline_drafts"] == 98 and m["fallback_drafts"] == 1
    assert m["tokens_total"] == 200
    hist = latency_histogram(rows, bins=4)
    assert [b["n"] for b in hist] == [25, 25, 25, 25] and hist[0]["from"] == 1.0 and hist[-1]["to"] == 100.0


def test_by_tag_breaks_down_every_tag_value() -> None:
    rows = [
        result(tags={"language": "zh", "stage": "pre_sale"}),
        result(tags={"language": "zh", "stage": "after_sale"}, passed=False, coverage=0.0),
        result(tags={"language": "en", "stage": "after_sale"}),
    ]
    tags = by_tag(rows)
    assert tags["language"]["zh"]["cases"] == 2 and tags["language"]["zh"]["pass_rate"] == 0.5
    assert tags["language"]["en"]["key_fact_coverage"] == 1.0
    assert tags["stage"]["after_sale"]["key_fact_coverage"] == 0.5


def draft(text: str, *, retrieved: list[str], cited: dict[int, str], sources: list[str]) -> GeneratedDraft:
    return GeneratedDraft(
        request=DraftRequest(customer_message="KT-170T 多少钱？"),
        text=text,
        language="zh",
        intent="product",
        citations=[Citation(marker=n, source_id=s, title=s, excerpt="") for n, s in cited.items()],
        compliance=ComplianceResult(verdict=Verdict.PASS),
        generator=GeneratorInfo(provider="extractive", model="x", prompt_version="p", latency_ms=1),
        index_version="v1",
        retrieved_source_ids=retrieved,
        source_texts=sources,
    )


def test_groundedness_counts_numbers_the_sources_or_context_support() -> None:
    d = draft(
        "KT-170T 售价159元[1]，偏远地区运费15元，48小时内发货[1]。",
        retrieved=["products/kt"],
        cited={1: "products/kt"},
        sources=["KT-170T 智能温控电水壶 售价 159 元。付款后 48 小时内发货。"],
    )
    assert _grounded(d, None) == (3, 2)  # 15元 is in no source
    assert _grounded(d, "偏远地区运费 15 元") == (3, 3)  # ... unless the agent's context says it


def test_a_value_inside_a_quoted_product_name_is_no_claim_for_groundedness() -> None:
    d = draft("您问的是哪一款呢？我们有UDpro（80升）、UDpro（60升）。", retrieved=[], cited={}, sources=[])
    assert _grounded(d, None) == (2, 0)

    def names(clause: str) -> set[tuple[str, float]]:  # the catalogue's names the clause quotes
        return {("l", 80.0), ("l", 60.0)} if "udpro" in clause.lower() else set()

    assert _grounded(d, None, names) == (0, 0)


def test_citation_validity_needs_a_cited_and_retrieved_source() -> None:
    d = draft(
        "售价159元[1]，运费另计[2]，七天无理由[3]。",
        retrieved=["products/kt"],
        cited={1: "products/kt", 3: "policies/elsewhere.md"},  # [2] points nowhere, [3] was not retrieved
        sources=[],
    )
    assert _citations(d) == (3, 1)
    d.removed_markers.append("[9]")  # a marker the pipeline had to strip is an invalid citation too
    assert _citations(d) == (4, 1)
