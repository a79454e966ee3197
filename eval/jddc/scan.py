"""Run the compliance filter over the UNLABELLED JDDC pool, to find false blocks the labelled sets miss.

    python -m eval.jddc.scan --repo PATH --out eval/reports/jddc/pool.jsonl

The pool is ``eval.jddc.sample.pool`` minus every line any labels file references (so held-out items are
never scanned), checked with the labelled sets' allow-list (``jd.com``) and no sources, like the sets. Each
flagged reply is one JSON line (file, line, part, verdict, findings, rendered text). The output holds source
text: keep it out of the repo (eval/reports/ is not committed). ``--sample N`` adds a ``sampled`` mark to a
fixed seeded draw of N blocked replies (all of them when there are fewer), the set to judge by hand.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Callable
from pathlib import Path

from eval.jddc.build import (
    LABELS,
    MSG_SEP,
    SEP,
    BuildError,
    extra_label_files,
    file_reader,
    load_labels,
    render,
)
from eval.jddc.sample import _raw_reply, pool
from service.compliance.engine import ComplianceEngine
from service.settings import Settings

SEED = 1304
QUESTION_FILE = "data/dev_question.txt"


def context_replies(read: Callable[[str], list[str]]) -> list[tuple[str, int, int, str]]:
    """(file, line, part, text) of each agent reply in the dialogue histories of ``dev_question.txt``
    ("A:\t" lines, three agents separated by <sep>): replies outside the labelled pool. Their masks are
    the corpus's older ``***`` kind, left as written."""
    out = []
    for number, line in enumerate(read(QUESTION_FILE), 1):
        if not line.startswith("A:"):
            continue
        for part, reply in enumerate(line[2:].split(SEP)):
            text = " ".join(m.strip() for m in reply.split(MSG_SEP) if m.strip() and m.strip() != "NULL")
            if len(text) >= 2:
                out.append((QUESTION_FILE, number, part, render(text)))
    return out


def labelled_lines(paths: list[Path]) -> set[tuple[str, int]]:
    """(file, line) of every labelled item: a line any label file names is left out whole."""
    out: set[tuple[str, int]] = set()
    for path in paths:
        for item in load_labels(path)["items"]:
            out.add((item["file"], int(item["line"])))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.jddc.scan", description=__doc__.split("\n")[0])
    parser.add_argument("--repo", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--sample", type=int, default=100)
    parser.add_argument(
        "--histories", action="store_true", help="also the agent replies in dev_question.txt's histories"
    )
    args = parser.parse_args(argv)
    try:
        read = file_reader(args.repo)
        keys = pool(read)
        extra = extra_label_files()
        skip = labelled_lines([LABELS, *extra])
    except (BuildError, OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    engine = ComplianceEngine.from_settings(Settings(), allowed_domains=load_labels()["allowed_domains"])
    rows = []
    replies = [
        (file, number, part, render(_raw_reply(file, read(file)[number - 1], part).replace("NULL", " ")))
        for file, number, part in keys
        if (file, number) not in skip
    ]
    if args.histories:
        seen = {text for *_, text in replies}
        replies += [r for r in context_replies(read) if r[3] not in seen]
    for file, number, part, raw in replies:
        text = " ".join(raw.split())
        if not text:
            continue
        result = engine.check(text)
        if result.verdict == "pass":
            continue
        rows.append(
            {
                "file": file,
                "line": number,
                "part": part,
                "verdict": str(result.verdict),
                "findings": [[f.rule_id, f.category, str(f.severity), f.matched] for f in result.flags],
                "text": text,
            }
        )
    blocked = [i for i, r in enumerate(rows) if r["verdict"] == "block"]
    for i in random.Random(SEED).sample(blocked, min(args.sample, len(blocked))):
        rows[i]["sampled"] = True
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    unlabelled = len(replies)
    warned = len(rows) - len(blocked)
    print(f"{unlabelled} unlabelled replies: {len(blocked)} block, {warned} warn -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
