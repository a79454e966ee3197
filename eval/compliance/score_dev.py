"""Score the filter on a labelled set per technique (evasions, look-alikes).

    python -m eval.compliance.score_dev eval/compliance/evasions.dev.yaml [--platform jd] [--show-misses]

An item counts as handled when its verdict is right in kind: a violation (warn/block label) gets a finding
in every labelled category and a verdict at least as severe as warn; a clean item (pass label) gets no
finding. Printed per technique: items and the share handled (recall for violations; for clean items the
share flagged is 1 - that). Items may carry ``technique``; items without one count under "-".
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml

from service.compliance.engine import ComplianceEngine
from service.settings import Settings


def score(engine: Any, items: list[dict[str, Any]]) -> tuple[dict[str, list[int]], list[str]]:
    by_tech: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    misses: list[str] = []
    for item in items:
        result = engine.check(
            item["text"],
            sources=item.get("sources") or [],
            context=item.get("context"),
            language=item.get("lang"),
            customer_text=item.get("customer_text"),
        )
        got = {f.category for f in result.flags}
        want = set(item["expected"]["categories"])
        if item["expected"]["verdict"] == "pass":
            ok = not result.flags
        else:
            ok = want <= got and result.verdict != "pass"
        tech = item.get("technique") or "-"
        by_tech[tech][0] += 1
        by_tech[tech][1] += ok
        if not ok:
            found = [f"{f.rule_id}:{f.matched}" for f in result.flags]
            misses.append(f"{item['id']}: {item['text']} -> {result.verdict} {found}")
    return by_tech, misses


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("paths", type=Path, nargs="+")
    p.add_argument("--show-misses", action="store_true")
    args = p.parse_args()
    for path in args.paths:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        engine = ComplianceEngine.from_settings(Settings(), allowed_domains=doc.get("allowed_domains") or [])
        by_tech, misses = score(engine, doc["items"])
        total = sum(n for n, _ in by_tech.values())
        handled = sum(k for _, k in by_tech.values())
        print(f"{path}: {handled}/{total} handled ({handled / total:.3f})")
        for tech, (n, k) in sorted(by_tech.items()):
            print(f"  {tech:24s} {k:3d}/{n:<3d} {k / n:.3f}")
        if args.show_misses:
            for line in misses:
                print("  MISS", line)


if __name__ == "__main__":
    main()
