"""Every finding of the filter on the compliance dev sets and the benchmark drafts, to prove that a speed
change leaves behaviour alone.

    python -m bench.compliance_findings dump OUT.json [--data DIR]   # the `service` on PYTHONPATH
    python -m bench.compliance_findings compare BEFORE.json AFTER.json

``dump`` checks every item of ``eval/compliance_set.yaml``, ``eval/compliance/*.dev*.yaml`` and
``eval/reports/jddc/jddc.dev.yaml`` (with its sources, context, language and customer text, under the
set's link allow-list), the customer messages and agent contexts of ``eval/safety.dev.yaml`` and the golden
dev sets, the paragraphs of the demo store's policies (``knowledge/policies``) and the 100 drafts of
``bench.compliance_bench`` (with and without their evidence), and writes each result's verdict and
findings (rule, category, severity, span, matched text, message, suggestion). Run it from an export of
the old tree (``--data`` pointing at the working tree, whose eval/reports are not in git) and from the new
one; ``compare`` exits 1 on any difference and names the
items. Held-out ``*.test.yaml`` files are never read.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import yaml

from bench.compliance_bench import make_drafts

ROOT = Path(__file__).resolve().parent.parent


def dev_sets(root: Path = ROOT) -> list[Path]:
    sets = [
        root / "eval" / "compliance_set.yaml",
        *sorted((root / "eval" / "compliance").glob("*.dev*.yaml")),
        root / "eval" / "reports" / "jddc" / "jddc.dev.yaml",
    ]
    return [p for p in sets if p.exists() and ".test." not in p.name]


def message_sets(root: Path = ROOT) -> list[Path]:
    """Sets of customer messages (and agent contexts): the safety dev cases and the golden dev sets."""
    sets = [root / "eval" / "safety.dev.yaml", root / "eval" / "golden.yaml"]
    sets += sorted((root / "eval").glob("golden.dev*.yaml"))
    return [p for p in sets if p.exists() and ".test" not in p.name]


def _result(engine: Any, text: str, **kwargs: Any) -> dict[str, Any]:
    result = engine.check(text, **kwargs)
    return {"verdict": str(result.verdict), "findings": [f.model_dump(mode="json") for f in result.findings]}


def dump(root: Path = ROOT) -> dict[str, Any]:
    """Results keyed by set and item id (benchmark drafts as ``bench/<i>`` and ``bench-bare/<i>``)."""
    from service.compliance.engine import ComplianceEngine
    from service.compliance.scoring import load_labelled_set

    out: dict[str, Any] = {}
    for path in dev_sets(root):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        engine = ComplianceEngine.from_paths(allowed_domains=doc.get("allowed_domains") or [])
        for item in doc["items"]:
            out[f"{path.name}/{item['id']}"] = _result(
                engine,
                item["text"],
                sources=item.get("sources") or [],
                context=item.get("context"),
                language=item.get("lang"),
                customer_text=item.get("customer_text"),
            )
    # Texts that are not drafts still exercise every rule's literals and look-alikes: customer messages,
    # agent contexts and the store's own policy wording, checked bare with the default engine.
    plain = ComplianceEngine.from_paths()
    for path in message_sets(root):
        for case in yaml.safe_load(path.read_text(encoding="utf-8")).get("cases") or []:
            for field in ("message", "context"):
                if isinstance(case.get(field), str) and case[field].strip():
                    out[f"{path.name}/{case['id']}/{field}"] = _result(plain, case[field])
    for path in sorted((root / "knowledge" / "policies").glob("*.md")):
        paragraphs = [p for p in path.read_text(encoding="utf-8").split("\n\n") if p.strip()]
        for i, para in enumerate(paragraphs):
            out[f"policies/{path.name}/{i}"] = _result(plain, para[: plain.max_chars])
    labelled = load_labelled_set(root / "eval" / "compliance_set.yaml")
    engine = ComplianceEngine.from_paths(allowed_domains=labelled.allowed_domains)
    for i, d in enumerate(make_drafts(labelled.items, 100)):
        out[f"bench/{i}"] = _result(engine, d["text"], sources=d["sources"], context=d["context"])
        out[f"bench-bare/{i}"] = _result(engine, d["text"])
    return out


def compare(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """Keys whose results differ (or that one side lacks)."""
    return sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("dump")
    d.add_argument("out", type=Path)
    d.add_argument("--data", type=Path, default=ROOT, help="tree holding eval/ (default: this one)")
    c = sub.add_parser("compare")
    c.add_argument("before", type=Path)
    c.add_argument("after", type=Path)
    args = parser.parse_args(argv)
    if args.cmd == "dump":
        results = dump(args.data)
        args.out.write_text(json.dumps(results, ensure_ascii=False, indent=0, sort_keys=True), "utf-8")
        flagged = sum(bool(r["findings"]) for r in results.values())
        print(f"{len(results)} results ({flagged} with findings) -> {args.out}")
        return 0
    before = json.loads(args.before.read_text("utf-8"))
    after = json.loads(args.after.read_text("utf-8"))
    diff = compare(before, after)
    findings = sum(len(r["findings"]) for r in before.values())
    for key in diff[:50]:
        print(f"DIFF {key}\n  before {before.get(key)}\n  after  {after.get(key)}")
    print(f"{len(before)} results, {findings} findings before; {len(diff)} differ")
    return 1 if diff else 0


if __name__ == "__main__":
    sys.exit(main())
