"""Score the compliance filter on the rebuilt JDDC dev set, all of it or one label batch by id prefix.

    python -m eval.jddc.score eval/reports/jddc/jddc.dev.yaml [--prefix jddc-n] [--exclude jddc-n] [--show]

Prints the items, clean-reply false-positive rate, block and warn precision, block recall, caught rate and,
per labelled category, the misses (violations with no finding in that category); ``--show`` lists every
mismatch with its findings (source text: keep the output out of the repo).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import yaml

from service.compliance.engine import ComplianceEngine
from service.compliance.scoring import score_labelled_set
from service.settings import Settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.jddc.score", description=__doc__.split("\n")[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--prefix", default="", help="only items whose id starts with this")
    parser.add_argument("--exclude", default=None, help="leave out items whose id starts with this")
    parser.add_argument("--show", action="store_true", help="print every mismatch")
    args = parser.parse_args(argv)
    doc = yaml.safe_load(args.path.read_text(encoding="utf-8"))
    items = [
        x
        for x in doc["items"]
        if x["id"].startswith(args.prefix) and not (args.exclude and x["id"].startswith(args.exclude))
    ]
    engine = ComplianceEngine.from_settings(Settings(), allowed_domains=doc.get("allowed_domains") or [])
    r = score_labelled_set(engine, items)
    print(
        f"{len(items)} items ({r['clean_items']} clean, {r['block_items']} block): "
        f"FP {r['false_positive_rate']} block precision {r['block_precision']} "
        f"warn precision {r['warn_precision']} block recall {r['block_recall']} caught {r['caught_rate']}"
    )
    for cat, row in r["per_category"].items():
        if row["support"] or row["fp"]:
            counts = f"support {row['support']:3d} tp {row['tp']:3d} fn {row['fn']:3d} fp {row['fp']:3d}"
            print(f"  {cat:18s} {counts}")
    if args.show:
        for m in r["mismatches"]:
            print(f"  {m['id']} want {m['expected']} got {m['got']} {m['findings']}\n    {m['text'][:200]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
