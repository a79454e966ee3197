"""Compliance filter benchmark: quality on the labelled set and time per 500-character draft.

    python -m bench.compliance_bench [--set eval/compliance_set.yaml] [--drafts 200] [--repeat 5]

Quality: per-category precision and recall, recall on block items, false-positive rate on clean items
(targets: block recall >= 0.98, FP rate <= 3 %). Speed: drafts of exactly 500 characters are assembled
from the set's sentences (shuffled with a fixed seed) together with the sources and context of those
sentences, then checked with every built-in pack loaded (target: median <= 2 ms). Results go to
bench/results/compliance.json.
"""

from __future__ import annotations

import argparse
import random
import time
from pathlib import Path
from typing import Any

from bench.common import save, summary
from service.compliance.engine import ComplianceEngine
from service.compliance.rulepacks import CATEGORIES
from service.compliance.scoring import LabelledItem, load_labelled_set, score_labelled_set

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SET = ROOT / "eval" / "compliance_set.yaml"
DRAFT_CHARS = 500


def make_drafts(items: list[LabelledItem], n: int, seed: int = 7) -> list[dict[str, Any]]:
    """``n`` drafts of exactly DRAFT_CHARS characters, each with the sources and context of its pieces."""
    rng = random.Random(seed)
    drafts: list[dict[str, Any]] = []
    pool = list(items)
    for _ in range(n):
        rng.shuffle(pool)
        text = ""
        sources: list[str] = []
        contexts: list[str] = []
        for item in pool:
            text += item.text
            sources.extend(s for s in item.sources if s not in sources)
            if item.context:
                contexts.append(item.context)
            if len(text) >= DRAFT_CHARS:
                break
        drafts.append(
            {"text": text[:DRAFT_CHARS], "sources": sources, "context": "；".join(contexts) or None}
        )
    return drafts


def time_checks(engine: ComplianceEngine, drafts: list[dict[str, Any]], repeat: int) -> dict[str, Any]:
    with_evidence: list[float] = []
    bare: list[float] = []
    for d in drafts:
        for _ in range(repeat):
            t = time.perf_counter()
            engine.check(d["text"], sources=d["sources"], context=d["context"])
            with_evidence.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            engine.check(d["text"])
            bare.append((time.perf_counter() - t) * 1000)
    return {"with_sources_ms": summary(with_evidence), "text_only_ms": summary(bare)}


def _fmt(value: float | None) -> str:
    return "  -  " if value is None else f"{value:.3f}"


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--set", type=Path, default=DEFAULT_SET, help="labelled set (YAML)")
    parser.add_argument("--drafts", type=int, default=200, help="500-character drafts to time")
    parser.add_argument("--repeat", type=int, default=5, help="checks per draft")
    parser.add_argument("--no-save", action="store_true", help="do not write bench/results/compliance.json")
    args = parser.parse_args(argv)

    labelled = load_labelled_set(args.set)
    started = time.perf_counter()
    engine = ComplianceEngine.from_paths(allowed_domains=labelled.allowed_domains)
    load_ms = (time.perf_counter() - started) * 1000
    scores = score_labelled_set(engine, labelled.items)
    engine.check("warm up")
    timing = time_checks(engine, make_drafts(labelled.items, args.drafts), args.repeat)

    print(
        f"labelled set: {args.set} ({scores['items']} items, {scores['clean_items']} clean, "
        f"{scores['block_items']} block)"
    )
    print(f"rules loaded: {len(engine.rules)} in {load_ms:.0f} ms")
    print(f"{'category':<18} {'precision':>9} {'recall':>7} {'support':>7} {'block-recall':>12}")
    for cat in CATEGORIES:
        pc = scores["per_category"][cat]
        br = scores["block_category_recall"].get(cat)
        print(
            f"{cat:<18} {_fmt(pc['precision']):>9} {_fmt(pc['recall']):>7} {pc['support']:>7} {_fmt(br):>12}"
        )
    print(f"block recall (items labelled block that block): {_fmt(scores['block_recall'])}  target >= 0.98")
    fp_rate = _fmt(scores["false_positive_rate"])
    print(f"false-positive rate on clean items:             {fp_rate}  target <= 0.03")
    print(f"verdict accuracy:                               {_fmt(scores['verdict_accuracy'])}")
    for m in scores["mismatches"]:
        print(f"  mismatch {m['id']}: expected {m['expected']} got {m['got']} {m['findings']}")
    w, b = timing["with_sources_ms"], timing["text_only_ms"]
    print(
        f"time per {DRAFT_CHARS}-char draft, all packs, with sources+context: median {w['p50']} ms, "
        f"p95 {w['p95']} ms (n={w['n']})  target median <= 2 ms"
    )
    print(
        f"time per {DRAFT_CHARS}-char draft, text only:                     median {b['p50']} ms, "
        f"p95 {b['p95']} ms"
    )
    payload = {"scores": scores, "timing": timing, "rules": len(engine.rules), "set": str(args.set.name)}
    if not args.no_save:
        print(f"saved {save('compliance', payload)}")
    return payload


if __name__ == "__main__":
    main()
