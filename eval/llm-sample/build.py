"""Rebuild the fixed model-eval sample: 20 cases of eval/golden.yaml and 24 of eval/ecom/golden.dev.yaml.

Stratified by the ``intent`` tag (round-robin over intents in a seeded shuffle), so every kind of question
is in the sample; dev cases only. Writes golden.demo.yaml and golden.ecom.yaml beside this script:

    python eval/llm-sample/build.py
"""

from __future__ import annotations

import random
from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
SEED = 20261204
SETS = [
    ("golden.demo.yaml", HERE.parent / "golden.yaml", 20),
    ("golden.ecom.yaml", HERE.parent / "ecom" / "golden.dev.yaml", 24),
]


def sample(cases: list[dict[str, Any]], n: int, rng: random.Random) -> list[dict[str, Any]]:
    by_intent: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for case in cases:
        by_intent[str((case.get("tags") or {}).get("intent", "other"))].append(case)
    for group in by_intent.values():
        rng.shuffle(group)
    order = sorted(by_intent)
    picked: list[dict[str, Any]] = []
    while len(picked) < n and any(by_intent.values()):
        for intent in order:
            if by_intent[intent] and len(picked) < n:
                picked.append(by_intent[intent].pop())
    ids = {c["id"] for c in picked}
    return [c for c in cases if c["id"] in ids]  # the source file's order


def main() -> None:
    rng = random.Random(SEED)
    for name, source, n in SETS:
        data = yaml.safe_load(source.read_text(encoding="utf-8"))
        chosen = sample(data["cases"], n, rng)
        out = {
            "version": 1,
            "description": f"Fixed model-eval sample: {n} dev cases of "
            f"{source.relative_to(HERE.parent.parent)} "
            f"(eval/llm-sample/build.py, seed {SEED})",
            "defaults": data.get("defaults") or {},
            "cases": chosen,
        }
        header = f"# Built by eval/llm-sample/build.py from {source.name}; do not edit by hand.\n"
        (HERE / name).write_text(header + yaml.safe_dump(out, allow_unicode=True, sort_keys=False), "utf-8")
        print(name, [c["id"] for c in chosen])


if __name__ == "__main__":
    main()
