"""Replay a golden set as a simulated review, to measure verified answers (`replydraft eval verified`).

1. keep: each kept question (eval/verified/paraphrases.yaml) is drafted, approved and kept as a verified
   answer, through the same review service and store the API uses;
2. paraphrases: a paraphrase of each kept question must draft from its verified answer;
3. unrelated: the set's other questions, and the file's unrelated ones, must not draft from any;
4. products: a draft from a verified answer whose products are not the question's is counted (target 0);
5. stale: a text source the most answers rely on is changed in a copy of the knowledge folder, the copy
   is reindexed, and every paraphrase is drafted again: an answer relying on the changed source must not
   be used (target 0) and must be marked stale.

It also reports the similarity of paraphrases to their own question and of unrelated questions to the
nearest kept one with the same products, intent and language: the data behind the threshold setting.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from service.container import Container
from service.drafting.models import DraftRequest
from service.evaluation.golden import Case, EvalInputError, load_golden
from service.evaluation.matching import matches, prepare
from service.learning.models import KeepBody
from service.learning.store import product_key
from service.review.principal import Principal, Role
from service.settings import Settings

ProgressFn = Callable[[str, int, int], None]
REVIEWER = Principal("eval-verified", "eval reviewer", Role.REVIEWER)
THRESHOLDS = [round(0.80 + 0.01 * i, 2) for i in range(19)]
TARGETS = {"paraphrase_rate": 0.90, "unrelated_rate": 0.02, "wrong_product": 0, "stale_used": 0}
STALE_NOTE = "\n\n## Changed for the staleness check\nThis section was added by `replydraft eval verified`.\n"


class ParaphraseSet(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    golden: Path
    source: Path
    paraphrases: dict[str, str] = Field(min_length=1)
    unrelated: list[str] = Field(default_factory=list)


class ParaphraseFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: int = 1
    sets: list[ParaphraseSet] = Field(min_length=1)


def load_sets(path: Path) -> ParaphraseFile:
    try:
        return ParaphraseFile.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        raise EvalInputError(f"{path}: {exc}") from None


def _request(case: Case, message: str | None = None) -> DraftRequest:
    return DraftRequest(
        customer_message=message or case.message,
        conversation=case.conversation,
        context=case.context,
        product_ids=case.product_ids,
    )


def _rate(n: int, d: int) -> float | None:
    return round(n / d, 4) if d else None


def _pct(values: list[float], q: float) -> float | None:
    return round(float(np.percentile(values, q)), 4) if values else None


def run(
    base: Settings,
    sets_file: Path,
    name: str,
    *,
    source: Path | None,
    work: Path,
    threshold: float | None = None,
    progress: ProgressFn = lambda *_: None,
) -> dict[str, Any]:
    spec = next((s for s in load_sets(sets_file).sets if s.name == name), None)
    if spec is None:
        raise EvalInputError(f"{sets_file}: no set named {name!r}")
    golden = load_golden(spec.golden)
    cases = {c.id: c for c in golden.cases}
    unknown = [cid for cid in spec.paraphrases if cid not in cases]
    if unknown:
        raise EvalInputError(f"paraphrases of unknown cases: {', '.join(unknown)}")
    follow_ups = [cid for cid in spec.paraphrases if cases[cid].conversation]
    if follow_ups:
        raise EvalInputError(f"follow-up questions cannot be kept alone: {', '.join(follow_ups)}")
    src = source or spec.source
    if not src.is_dir():
        raise EvalInputError(f"{src}: the set's knowledge folder is missing (pass --source)")

    # A fresh review database and knowledge copy; the Chroma folder is kept so reruns reuse embeddings.
    work.mkdir(parents=True, exist_ok=True)
    kb = work / "kb"
    shutil.rmtree(kb, ignore_errors=True)
    shutil.copytree(src, kb)
    db_file = work / "review.db"
    for leftover in work.glob("review.db*"):
        leftover.unlink()
    settings = base.model_copy(
        update={
            "data_dir": work / "data",
            "knowledge_dir": kb,
            "database_url": f"sqlite:///{db_file}",
            "chroma_url": None,
            "verified_enabled": True,
            **({"verified_threshold": threshold} if threshold is not None else {}),
        }
    )
    container = Container(settings)
    try:
        return _run(container, spec, cases, kb, progress)
    finally:
        container.close()


def _run(
    container: Container,
    spec: ParaphraseSet,
    cases: dict[str, Case],
    kb: Path,
    progress: ProgressFn,
) -> dict[str, Any]:
    progress("indexing", 0, 0)
    container.index.reindex(kb)
    container.db.upgrade()
    store = container.verified
    store.vectors.drop()
    pipeline = container.drafter
    finder = pipeline.verified
    reviews = container.reviews

    # 1. keep ------------------------------------------------------------------------------------------
    kept: dict[str, Any] = {}
    not_kept: dict[str, str] = {}
    kept_coverage: list[float] = []
    pipeline.verified = None  # the kept questions are drafted as they were before any answer existed
    ids = list(spec.paraphrases)
    for n, cid in enumerate(ids):
        progress("keeping answers", n, len(ids))
        case = cases[cid]
        record = reviews.create_draft(pipeline.generate(_request(case)))
        try:
            approved = reviews.approve(record.id, version=record.version, principal=REVIEWER)
            kept[cid] = store.keep(approved.id, KeepBody(), REVIEWER)
        except Exception as exc:  # a blocked draft is not approved; an unknown product cannot be kept
            not_kept[cid] = str(getattr(exc, "message", exc))[:200]
            continue
        if case.expect.facts:
            text = prepare(record.text)
            kept_coverage.append(sum(matches(text, f) for f in case.expect.facts) / len(case.expect.facts))
    pipeline.verified = finder
    origin = {a.id: cases[cid] for cid, a in kept.items()}
    questions = list(kept.values())
    qmat = np.vstack([store.vectors.embed(a.question) for a in questions]) if questions else None

    def nearest(message: str, language: str, intent: str, pids: list[str]) -> tuple[float, float]:
        """Similarity to the nearest kept question: among all, and among those with the same scope."""
        if qmat is None:
            return 0.0, 0.0
        sims = qmat @ store.vectors.embed(message.strip())
        key = product_key(pids)
        scoped = [
            float(s)
            for s, a in zip(sims, questions, strict=True)
            if a.language == language and a.intent == intent and product_key(a.product_ids) == key
        ]
        return float(sims.max()), max(scoped, default=0.0)

    def draft(case: Case, message: str | None = None) -> dict[str, Any]:
        began = time.perf_counter()
        prep = pipeline.prepare(_request(case, message))
        out = pipeline.complete(prep)
        ms = (time.perf_counter() - began) * 1000
        pids = [p.product_id for p in prep.grounding.products]
        # Another product: the answer was kept for a question about other products than this one's
        # (by the golden sets' expected products, not by the resolver both sides share).
        kept_for = origin.get(out.generator.verified_answer_id or "")
        wrong_product = bool(
            kept_for
            and kept_for.expect.products
            and case.expect.products
            and set(kept_for.expect.products) != set(case.expect.products)
        )
        text = prepare(out.text)
        facts = [matches(text, f) for f in case.expect.facts]
        any_sim, scoped_sim = nearest(message or case.message, prep.language, prep.intent, pids)
        return {
            "id": case.id,
            "message": message or case.message,
            "provider": out.generator.provider,
            "verified_id": out.generator.verified_answer_id,
            "similarity": out.generator.verified_similarity,
            "wrong_product": wrong_product,
            "coverage": sum(facts) / len(facts) if facts else None,
            "intent": prep.intent,
            "products": pids,
            "nearest": round(any_sim, 4),
            "nearest_scoped": round(scoped_sim, 4),
            "ms": round(ms, 1),
        }

    # 2. paraphrases -----------------------------------------------------------------------------------
    para: list[dict[str, Any]] = []
    own_sims: list[float] = []
    targets = [cid for cid in ids if cid in kept]
    for n, cid in enumerate(targets):
        progress("paraphrases", n, len(targets))
        row = draft(cases[cid], spec.paraphrases[cid])
        row["expected_verified_id"] = kept[cid].id
        row["hit"] = row["verified_id"] == kept[cid].id
        own = float(
            store.vectors.embed(kept[cid].question) @ store.vectors.embed(spec.paraphrases[cid].strip())
        )
        row["own_similarity"] = round(own, 4)
        own_sims.append(own)
        para.append(row)

    # 3. unrelated -------------------------------------------------------------------------------------
    others = [c for cid, c in cases.items() if cid not in spec.paraphrases]
    extra = [Case(id=f"unrelated-{i + 1}", message=m) for i, m in enumerate(spec.unrelated)]
    unrelated: list[dict[str, Any]] = []
    for n, case in enumerate(others + extra):
        progress("unrelated questions", n, len(others) + len(extra))
        unrelated.append(draft(case))

    # 4. stale -----------------------------------------------------------------------------------------
    stale = _stale(container, kb, kept, cases, spec, draft, progress)

    hits = sum(r["hit"] for r in para)
    used_unrelated = [r for r in unrelated if r["verified_id"]]
    # A golden set repeats some questions in other words (near-duplicates): an answer that meets all of
    # that question's key facts is a correct use; the rest (facts missed, or none to check) are wrong.
    wrong_unrelated = [r for r in used_unrelated if r["coverage"] != 1.0]
    stale_rows = stale.pop("rows")
    wrong_product = sum(r["wrong_product"] for r in para + unrelated)
    para_cov = [r["coverage"] for r in para if r["coverage"] is not None and r["hit"]]
    scoped_unrelated = [r["nearest_scoped"] for r in unrelated]
    sweep = [
        {
            "threshold": t,
            "paraphrases_above": _rate(sum(s >= t for s in own_sims), len(own_sims)),
            "unrelated_scoped_above": _rate(sum(s >= t for s in scoped_unrelated), len(scoped_unrelated)),
        }
        for t in THRESHOLDS
    ]
    verified_ms = [r["ms"] for r in para if r["hit"]]
    metrics = {
        "kept": len(kept),
        "not_kept": len(not_kept),
        "paraphrases": len(para),
        "paraphrase_hits": hits,
        "paraphrase_rate": _rate(hits, len(para)),
        "paraphrase_other_answer": sum(1 for r in para if r["verified_id"] and not r["hit"]),
        "unrelated": len(unrelated),
        "unrelated_used": len(used_unrelated),
        "unrelated_rate": _rate(len(used_unrelated), len(unrelated)),
        "unrelated_wrong": len(wrong_unrelated),
        "unrelated_wrong_rate": _rate(len(wrong_unrelated), len(unrelated)),
        "wrong_product": wrong_product,
        "stale_used": stale["used"],
        "stale_wrong_product": sum(r["wrong_product"] for r in stale_rows),
        "stale_expected": stale["affected"],
        "stale_marked": stale["marked"],
        "kept_fact_coverage": round(sum(kept_coverage) / len(kept_coverage), 4) if kept_coverage else None,
        "paraphrase_fact_coverage": round(sum(para_cov) / len(para_cov), 4) if para_cov else None,
        "verified_draft_ms_p50": _pct(verified_ms, 50),
        "verified_draft_ms_p95": _pct(verified_ms, 95),
        "threshold": container.settings.verified_threshold,
    }
    return {
        "set": spec.name,
        "golden": str(spec.golden),
        "metrics": metrics,
        "targets": TARGETS,
        "ok": _ok(metrics),
        "similarity": {
            "paraphrase_to_own": {q: _pct(own_sims, q) for q in (5, 10, 25, 50)},
            "unrelated_to_nearest_same_scope": {q: _pct(scoped_unrelated, q) for q in (50, 90, 95, 99, 100)},
            "sweep": sweep,
        },
        "stale": stale,
        "not_kept": not_kept,
        "misses": [r for r in para if not r["hit"]],
        "unrelated_used": used_unrelated,
        "paraphrase_rows": para,
        "unrelated_rows": unrelated,
    }


def _ok(m: dict[str, Any]) -> bool:
    return bool(
        (m["paraphrase_rate"] or 0) >= TARGETS["paraphrase_rate"]
        and (m["unrelated_wrong_rate"] or 0) < TARGETS["unrelated_rate"]
        and m["wrong_product"] == 0
        and m["stale_used"] == 0
    )


def _stale(
    container: Container,
    kb: Path,
    kept: dict[str, Any],
    cases: dict[str, Case],
    spec: ParaphraseSet,
    draft: Callable[..., dict[str, Any]],
    progress: ProgressFn,
) -> dict[str, Any]:
    """Change the text source most answers rely on, reindex, draft every paraphrase again."""
    counts: dict[str, int] = {}
    for answer in kept.values():
        for sid in answer.source_ids:
            path = kb / sid.split("#", 1)[0]
            if "#" not in sid and path.suffix in (".md", ".txt") and path.is_file():
                counts[sid] = counts.get(sid, 0) + 1
    if not counts:
        return {
            "changed_source": None,
            "affected": 0,
            "marked": 0,
            "used": 0,
            "unaffected_used": 0,
            "rows": [],
        }
    changed = max(sorted(counts), key=lambda s: counts[s])
    with (kb / changed).open("a", encoding="utf-8") as fh:
        fh.write(STALE_NOTE)
    progress("reindexing the changed copy", 0, 0)
    container.index.reindex(kb)
    affected = {cid for cid, a in kept.items() if changed in a.source_ids}
    rows: list[dict[str, Any]] = []
    used = unaffected_used = 0
    for n, cid in enumerate(kept):
        progress("paraphrases after the change", n, len(kept))
        row = draft(cases[cid], spec.paraphrases[cid])
        rows.append(row)
        if cid in affected and row["verified_id"] == kept[cid].id:
            used += 1
        elif cid not in affected and row["verified_id"] == kept[cid].id:
            unaffected_used += 1
    store = container.verified
    marked = sum(1 for cid in affected if store.get(kept[cid].id).status == "stale")
    return {
        "changed_source": changed,
        "affected": len(affected),
        "marked": marked,
        "used": used,
        "unaffected": len(kept) - len(affected),
        "unaffected_used": unaffected_used,
        "rows": rows,
    }
