"""Where a missed key fact was lost: the diagnostic behind ``python -m eval.diagnose``.

Each expected fact of a golden case that the offline draft does not carry is attributed to the first stage
of the answer engine (service/answering) that lost it:

- ``gap``: no fact of the store holds it at all (not in the case's products' sheets, nor in any policy
  sentence): a knowledge or golden-set gap, reported apart and never "fixed" in the engine or the metric;
- ``product``: the case's product was not resolved (or another one was);
- ``kind``: the fact holding it is of a kind the question parts were not classified as (nor a near one);
- ``not_chosen``: a fact holding it exists for the resolved product or in the policy, of an asked kind,
  but the plan did not choose it (its rank and score among the part's candidates are reported; no rank:
  the scoring dropped it before ranking);
- ``composition``: the plan chose it, but the rendered draft lost or altered it.

A fact "holds" the key fact when the case's matcher (service/evaluation/matching.py, the one the eval
scores with) finds it in the fact's text or in the sentence the offline drafter renders from it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from service.answering.compose import render
from service.answering.engine import NEAR, AnswerPlan
from service.answering.facts import Fact, FactStore
from service.drafting.pipeline import DraftPipeline
from service.evaluation import answers, runner
from service.evaluation.golden import AnyOf, Case, Item, Regex, load_golden
from service.evaluation.manifest import load_manifest, missing_inputs
from service.evaluation.matching import describe, matches, prepare
from service.evaluation.suite import EvalOptions, eval_container
from service.settings import Settings

STAGES = ("product", "kind", "not_chosen", "composition", "gap")
STAGE_TITLES = {
    "product": "1 product not resolved / wrong product",
    "kind": "2 asked kind wrong",
    "gap": "3 key fact in no fact of the store (knowledge / golden gap)",
    "not_chosen": "4 fact exists, plan did not choose it",
    "composition": "5 chosen, lost or altered in composition",
}


@dataclass
class Miss:
    """One expected fact the draft lacks, and the stage that lost it."""

    case_id: str
    fact: str
    stage: str
    detail: str = ""
    rank: int | None = None  # of the holding fact among its part's scored candidates (1 = best)
    score: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None and v != ""}


@dataclass
class CaseDiagnosis:
    case_id: str
    message: str
    facts: int
    matched: int
    misses: list[Miss] = field(default_factory=list)
    error: str | None = None
    quoted: int = 0  # quoted sentences of the draft, and those the eval judges irrelevant
    irrelevant: int = 0
    wrong: int = 0  # another product's facts in the draft (the eval's wrong_product_facts)


class Holders:
    """Which facts of a store hold an expected item, as written or as the drafter renders them."""

    def __init__(self, store: FactStore, glossary: Any = None) -> None:
        self.store = store
        self.glossary = glossary
        self._texts: dict[tuple[str, str], list[Any]] = {}

    def _prepared(self, fact: Fact, language: str) -> list[Any]:
        key = (fact.digest, language)
        found = self._texts.get(key)
        if found is None:
            ref = self.store.product(fact.product_id) if fact.product_id else None
            texts = [fact.text, f"{fact.label} {fact.text}"]
            try:
                said = render(fact, ref, "en" if language == "en" else "zh", glossary=self.glossary)
            except Exception:  # a renderer failure is itself a finding elsewhere; here it only holds less
                said = ""
            if said:
                texts.append(said)
            found = [prepare(t) for t in texts]
            self._texts[key] = found
        return found

    def holding(self, item: Item, facts: Iterable[Fact], language: str) -> list[Fact]:
        facts = list(facts)
        found = [f for f in facts if any(matches(t, item) for t in self._prepared(f, language))]
        if found or language != "en":
            return found
        # an English fact ("25 kg") of a Chinese sheet the renderer cannot say in English ("体重0–25公斤" is
        # quoted): the fact stating the very figures holds it (so its loss is put on its stage, not a gap)
        return [f for f in facts if any(_states(f.text, n) for n in _figures(item))]


_ESCAPES = re.compile(r"\\[dDsSwWbB]|\{\d+(?:,\d*)?\}")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def _figures(item: Item) -> list[tuple[str, ...]]:
    """The figures an item asks for, per alternative (an alternative without figures gives none)."""
    if isinstance(item, AnyOf):
        return [f for alt in item.any for f in _figures(alt)]
    text = _ESCAPES.sub(" ", item.regex) if isinstance(item, Regex) else item
    numbers = tuple(_NUMBER.findall(text))
    return [numbers] if numbers else []


def _states(text: str, numbers: tuple[str, ...]) -> bool:
    return all(re.search(rf"(?<![\d.]){re.escape(n)}(?![\d])", text) for n in numbers)


def _asked_kinds(plan: AnswerPlan) -> set[str]:
    asked = {k for p in plan.parts for k in p.part.kinds}
    return asked | {n for k in asked for n in NEAR.get(k, frozenset())}


def _rank(plan: AnswerPlan, fact: Fact) -> tuple[int | None, float | None]:
    """The best rank (and its score) of ``fact`` among the candidates of any part that scored it."""
    best: tuple[int | None, float | None] = (None, None)
    for part in plan.parts:
        if fact.digest not in part.scores:
            continue
        score = part.scores[fact.digest]
        rank = 1 + sum(1 for s in part.scores.values() if s > score)
        if best[0] is None or rank < best[0]:
            best = (rank, score)
    return best


def attribute(case: Case, item: Item, plan: AnswerPlan | None, holders: Holders, language: str) -> Miss:
    """The stage that lost ``item`` (an expected fact the draft lacks)."""
    miss = Miss(case.id, describe(item), "gap")
    if plan is None:
        miss.stage, miss.detail = "product", "no answer plan (no fact store)"
        return miss
    store = holders.store
    policy = holders.holding(item, store.policy_facts(), language)
    resolved = [p.product_id for p in plan.products]
    expected = list(case.expect.products)
    scope = expected or resolved
    own = [
        h for pid in dict.fromkeys(scope) for h in holders.holding(item, store.product_facts(pid), language)
    ]
    if not expected and not own and not policy:
        # no product named by the case: a fact of any product counts (then the resolution lost it)
        others = [r.product_id for r in store.products() if r.product_id not in resolved]
        elsewhere = [h for pid in others for h in holders.holding(item, store.product_facts(pid), language)]
        if elsewhere:
            owners = sorted({h.product_id or "" for h in elsewhere})[:3]
            miss.stage = "product"
            miss.detail = (
                f"held by {', '.join(owners)}; resolved {resolved or 'none'} ({plan.resolution.how})"
            )
            return miss
    if not own and not policy:
        miss.detail = "in no policy sentence nor in the sheet of " + (", ".join(scope) or "any product")
        return miss
    if expected and not set(expected) <= set(resolved) and (own or not policy):
        # the case's product states it and was not resolved (a policy sentence sharing a short figure,
        # "30天", is no answer to it)
        miss.stage = "product"
        miss.detail = f"expected {expected}, resolved {resolved or 'none'} ({plan.resolution.how})"
        return miss
    candidates = [h for h in [*own, *policy] if not h.product_id or h.product_id in resolved] or [
        *own,
        *policy,
    ]
    chosen = {f.digest for f in plan.facts}
    picked = [h for h in candidates if h.digest in chosen]
    if picked:
        miss.stage = "composition"
        miss.detail = f"chosen {picked[0].kind} fact {picked[0].label!r}: {picked[0].text[:60]!r}"
        return miss
    asked = _asked_kinds(plan)
    of_kind = [h for h in candidates if h.kind in asked]
    ranked = sorted(
        ((_rank(plan, h), h) for h in (of_kind or candidates)),
        key=lambda x: (x[0][0] is None, x[0][0] or 0),
    )
    (rank, score), best = ranked[0]
    miss.rank, miss.score = rank, score
    kinds = sorted({k for p in plan.parts for k in p.part.kinds})
    where = f"{best.kind} fact {best.label!r}: {best.text[:60]!r}"
    if not of_kind:
        miss.stage = "kind"
        miss.detail = f"asked {kinds or 'no kind'}, holder is {where}"
        return miss
    miss.stage = "not_chosen"
    miss.detail = f"{where} (asked {kinds})"
    return miss


def diagnose_case(pipeline: DraftPipeline, case: Case, holders: Holders, k: int = 5) -> CaseDiagnosis:
    try:
        prep = pipeline.prepare(runner._request(case))
        draft, first = answers.generate(pipeline, prep)
        scored = runner.score_case(case, prep, draft, 0.0, k, first)
    except Exception as exc:
        return CaseDiagnosis(
            case.id, case.message, len(case.expect.facts), 0, error=f"{type(exc).__name__}: {exc}"
        )
    matched = [f["matched"] for f in scored["facts"]]
    out = CaseDiagnosis(case.id, case.message, len(matched), sum(matched))
    out.quoted, out.irrelevant = scored["quoted_sentences"], len(scored["irrelevant_sentences"])
    out.wrong = len(scored["wrong_facts"])
    for item, ok in zip(case.expect.facts, matched, strict=True):
        if not ok:
            out.misses.append(attribute(case, item, prep.answer, holders, prep.language))
    return out


def diagnose_cases(
    pipeline: DraftPipeline, cases: Sequence[Case], *, workers: int = 2, k: int = 5
) -> list[CaseDiagnosis]:
    engine = pipeline.engine()
    if engine is None:
        raise RuntimeError("the index has no fact store: reindex first")
    holders = Holders(engine.store, getattr(pipeline.index, "glossary", None))
    with_facts = [c for c in cases if c.expect.facts]
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        return list(pool.map(lambda c: diagnose_case(pipeline, c, holders, k), with_facts))


def summary(results: Sequence[CaseDiagnosis]) -> dict[str, Any]:
    facts = sum(r.facts for r in results)
    matched = sum(r.matched for r in results)
    stages = Counter(m.stage for r in results for m in r.misses)
    quoted = sum(r.quoted for r in results)
    return {
        "cases": len(results),
        "facts": facts,
        "matched": matched,
        "coverage": round(matched / facts, 4) if facts else None,
        "errors": sum(1 for r in results if r.error),
        "irrelevant_sentence_rate": round(sum(r.irrelevant for r in results) / quoted, 4) if quoted else 0.0,
        "wrong_product_facts": sum(r.wrong for r in results),
        "stages": {s: stages.get(s, 0) for s in STAGES},
    }


def run(
    settings: Settings,
    manifest_path: Path,
    *,
    split: str = "dev",
    only: Sequence[str] = (),
    files: Sequence[str] = (),
    workers: int = 2,
    progress: Callable[[str], None] = lambda _: None,
) -> dict[str, Any]:
    """Per store and golden file of ``split``: the diagnoses (``files``: only golden files whose name
    contains one of these strings)."""
    manifest = load_manifest(manifest_path)
    errors, skipped = missing_inputs(manifest)
    if errors:
        raise ValueError("; ".join(errors))
    skipped_names = {s.split(" ", 1)[0] for s in skipped}
    report: dict[str, Any] = {"split": split, "stores": {}}
    for store in manifest.stores:
        if store.name in skipped_names or (only and store.name not in only):
            continue
        paths = [p for s, ps in store.golden.items() if s == split for p in ps]
        paths = [p for p in paths if not files or any(f in str(p) for f in files)]
        if not paths:
            continue
        opts = EvalOptions(golden=manifest_path, report_dir=Path("."), source=manifest.path(store.source))
        per_file: dict[str, Any] = {}
        with eval_container(settings, opts, lambda *_: None) as container:
            for path in paths:
                progress(f"{store.name}: {path}")
                results = diagnose_cases(
                    container.drafter, load_golden(manifest.path(path)).cases, workers=workers
                )
                per_file[str(path)] = {"summary": summary(results), "cases": results}
        every = [r for f in per_file.values() for r in f["cases"]]
        report["stores"][store.name] = {"summary": summary(every), "files": per_file}
    return report


def format_report(report: dict[str, Any], *, cases: bool = False) -> str:
    lines: list[str] = [f"key-fact misses by stage ({report['split']} split)"]
    head = f"{'set':44} {'cases':>5} {'facts':>5} {'cov':>6} {'irr':>5} {'wrong':>5} " + " ".join(
        f"{s[:11]:>11}" for s in STAGES
    )
    lines.append(head)

    def row(name: str, s: dict[str, Any]) -> str:
        cov = f"{s['coverage']:.3f}" if s["coverage"] is not None else "-"
        irr, wrong = s["irrelevant_sentence_rate"], s["wrong_product_facts"]
        return f"{name[:44]:44} {s['cases']:>5} {s['facts']:>5} {cov:>6} {irr:>5.3f} {wrong:>5} " + " ".join(
            f"{s['stages'][st]:>11}" for st in STAGES
        )

    for store, data in report["stores"].items():
        for path, f in data["files"].items():
            lines.append(row(f"{store}:{path}", f["summary"]))
        lines.append(row(f"{store} (all)", data["summary"]))
    lines.append("stages: " + "; ".join(f"{s} = {STAGE_TITLES[s]}" for s in STAGES))
    if cases:
        for store, data in report["stores"].items():
            for f in data["files"].values():
                for r in f["cases"]:
                    if r.error:
                        lines.append(f"{store} {r.case_id} ERROR {r.error}")
                    for m in r.misses:
                        where = f" rank={m.rank} score={m.score}" if m.rank is not None else ""
                        lines.append(f"{store} {r.case_id} [{m.stage}]{where} {m.fact[:50]} | {m.detail}")
                        lines.append(f"    msg: {r.message[:120]!r}")
    return "\n".join(lines)


def as_json(report: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"split": report["split"], "stores": {}}
    for store, data in report["stores"].items():
        out["stores"][store] = {
            "summary": data["summary"],
            "files": {
                path: {
                    "summary": f["summary"],
                    "misses": [{**m.as_dict(), "message": r.message} for r in f["cases"] for m in r.misses],
                    "errors": {r.case_id: r.error for r in f["cases"] if r.error},
                }
                for path, f in data["files"].items()
            },
        }
    return out
