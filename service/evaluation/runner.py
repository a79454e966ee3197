"""Runs golden cases through the real pipeline (retrieval, drafting, compliance) and scores each one."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from service.compliance.checks import Document
from service.compliance.normalize import normalize
from service.drafting.models import DraftRequest, GeneratedDraft
from service.drafting.pipeline import DraftPipeline, Prepared
from service.drafting.text import detect_language
from service.evaluation import answers
from service.evaluation.golden import Case
from service.evaluation.matching import describe, matches, prepare

_MARKER = re.compile(r"\[(\d{1,3})\]")


def _retrieval(case: Case, prep: Prepared, k: int) -> dict[str, Any] | None:
    """Where the first expected source or product ranks among the sources the draft could use."""
    wanted_sources, wanted_products = case.expect.sources, case.expect.products
    if not wanted_sources and not wanted_products:
        return None
    ranked = prep.grounding.sources[:k]

    def hits(source: Any, want: str, is_product: bool) -> bool:
        if is_product:
            return bool(source.product_id == want or want in source.title)
        return bool(source.source_id == want or source.source_id.startswith(want))

    wants = [(w, False) for w in wanted_sources] + [(w, True) for w in wanted_products]
    found = {w for w, is_product in wants if any(hits(s, w, is_product) for s in ranked)}
    rank = next(
        (i for i, s in enumerate(ranked, 1) if any(hits(s, w, p) for w, p in wants)),
        None,
    )
    return {
        "hit": rank is not None,
        "rank": rank,
        "recall": len(found) / len(wants),
        "missing": [w for w, _ in wants if w not in found],
    }


_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")


def _written_in(text: str, language: str) -> bool:
    """Judged on the text itself, not on the language the drafter meant: an English reply that quotes
    Chinese source sentences is not in the customer's language."""
    body = _MARKER.sub("", text)
    cjk, latin = len(_CJK.findall(body)), len(_LATIN.findall(body))
    if language == "en":
        return cjk <= 0.1 * max(1, cjk + latin)
    return detect_language(body) == language


def _grounded(
    draft: GeneratedDraft, context: str | None, names: Callable[[str], set[tuple[str, float]]] | None = None
) -> tuple[int, int]:
    """(numeric claims, supported claims), by the compliance filter's own number rules. A value inside a
    catalogue product's name the text quotes ("UDpro（80升）" when asking which one) is a name, not a claim,
    as in the claim check itself."""
    norm = normalize(draft.text)
    doc = Document(norm, sources=draft.source_texts, context=context)
    claims = supported = 0
    for q in doc.quantities:
        if names is not None and all(
            (q.unit, v) in names(norm.text[slice(*norm.clause(q.start))]) for v in q.values
        ):
            continue
        claims += 1
        supported += doc.quantity_supported(q)
    return claims, supported


def _citations(draft: GeneratedDraft) -> tuple[int, int]:
    """(markers in the text, markers that point at a cited source the retrieval returned)."""
    retrieved = set(draft.retrieved_source_ids)
    by_marker = {c.marker: c for c in draft.citations}
    markers = [int(m) for m in _MARKER.findall(draft.text)]
    valid = sum(1 for m in markers if m in by_marker and by_marker[m].source_id in retrieved)
    return len(markers) + len(draft.removed_markers), valid


def score_case(
    case: Case,
    prep: Prepared,
    draft: GeneratedDraft,
    wall_ms: float,
    k: int,
    first_text_ms: float | None = None,
) -> dict[str, Any]:
    text = prepare(draft.text)
    matched = [matches(text, f) for f in case.expect.facts]
    facts = [{"fact": describe(f), "matched": m} for f, m in zip(case.expect.facts, matched, strict=True)]
    forbidden = [describe(f) for f in case.expect.forbidden if matches(text, f)]
    claims, supported = _grounded(draft, case.context, prep.claims.names if prep.claims else None)
    markers, valid_markers = _citations(draft)
    expected_language = case.tags.get("language") or detect_language(case.message)
    language_ok = _written_in(draft.text, expected_language)
    verdict = draft.compliance.verdict.value
    coverage = sum(matched) / len(matched) if matched else None
    if forbidden and case.expect.verdict_if_forbidden is not None:
        verdict_ok = verdict in case.expect.verdict_if_forbidden
        expected_verdict: list[str] | None = list(case.expect.verdict_if_forbidden)
    else:
        verdict_ok = case.expect.verdict is None or verdict in case.expect.verdict
        expected_verdict = list(case.expect.verdict) if case.expect.verdict is not None else None
    return {
        "id": case.id,
        "tags": case.tags,
        "message": case.message,
        "draft": draft.text,
        "language": draft.language,
        "language_ok": language_ok,
        "intent": draft.intent,
        "provider": draft.generator.provider,
        "model": draft.generator.model,
        "prompt_version": draft.generator.prompt_version,
        "fallback_reason": draft.generator.fallback_reason,
        "tokens": draft.generator.tokens or {},
        "latency_ms": round(wall_ms, 1),
        "verdict": verdict,
        "expected_verdict": expected_verdict,
        "verdict_ok": verdict_ok,
        "findings": [f"{f.category}:{f.matched}" for f in draft.compliance.findings],
        "retrieved": [
            {"source_id": s.source_id, "product_id": s.product_id, "title": s.title}
            for s in prep.grounding.sources[:k]
        ],
        "retrieval": _retrieval(case, prep, k),
        "facts": facts,
        "coverage": coverage,
        "forbidden": forbidden,
        "claims": claims,
        "supported_claims": supported,
        "markers": markers,
        "valid_markers": valid_markers,
        "index_version": draft.index_version,
        "passed": (coverage is None or coverage == 1.0) and not forbidden and verdict_ok,
        **answers.score(case, prep, draft, first_text_ms),
    }


def _request(case: Case) -> DraftRequest:
    return DraftRequest(
        customer_message=case.message,
        conversation=case.conversation,
        context=case.context,
        product_ids=case.product_ids,
    )


def run_case(pipeline: DraftPipeline, case: Case, k: int) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        prep = pipeline.prepare(_request(case))
        draft, first_text_ms = answers.generate(pipeline, prep)
    except Exception as exc:
        return {
            "id": case.id,
            "tags": case.tags,
            "message": case.message,
            "error": f"{type(exc).__name__}: {exc}",
            "passed": False,
            "facts": [{"fact": describe(f), "matched": False} for f in case.expect.facts],
            "coverage": 0.0 if case.expect.facts else None,
            "latency_ms": round((time.perf_counter() - started) * 1000, 1),
        }
    return score_case(case, prep, draft, (time.perf_counter() - started) * 1000, k, first_text_ms)


def run_cases(
    pipeline: DraftPipeline,
    cases: list[Case],
    *,
    k: int,
    workers: int,
    on_done: Callable[[], None] = lambda: None,
) -> list[dict[str, Any]]:
    """Bounded parallelism; results come back in the golden file's order whatever the finishing order."""

    def one(case: Case) -> dict[str, Any]:
        try:
            return run_case(pipeline, case, k)
        finally:
            on_done()

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        return list(pool.map(one, cases))
