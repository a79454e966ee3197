"""Recompute the seeded random part of the JDDC sample, so the labels' `pick: random` items can be checked.

    python -m eval.jddc.sample --repo PATH [--check]

The pool is every agent reply of the two source files (chat rows with 是否客服发送=1; each non-NULL agent
reply of a dev_answer line), rendered with the default mask values, minus replies containing [身份证号x],
de-duplicated by rendered text (first occurrence kept, files in the order chat, dev_answer). The random
picks are ``random.Random(SEED).sample(range(len(pool)), RANDOM_N)``. The de-duplication key joins a
reply's messages as they stand (NULL messages included), which is how the sample was drawn; the built sets
drop NULL messages (build.py).
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Callable
from pathlib import Path

from eval.jddc.build import (
    ANSWER_FILE,
    CHAT_FILE,
    MSG_SEP,
    SEP,
    BuildError,
    file_reader,
    load_labels,
    render,
)

SEED = 20261204
RANDOM_N = 450
Key = tuple[str, int, int]


def _raw_reply(file: str, line: str, part: int) -> str:
    if file == CHAT_FILE:
        return line.split("\t")[6]
    return " ".join(m.strip() for m in line.split(SEP)[part].split(MSG_SEP) if m.strip())


def pool(read: Callable[[str], list[str]]) -> list[Key]:
    """(file, line, part) of every distinct agent reply, in file order."""
    seen: set[str] = set()
    out: list[Key] = []
    for file in (CHAT_FILE, ANSWER_FILE):
        for number, line in enumerate(read(file), 1):
            if file == CHAT_FILE:
                cols = line.split("\t")
                if len(cols) != 7 or cols[2] != "1":
                    continue
                parts = [0]
            elif SEP in line:
                parts = [p for p, r in enumerate(line.split(SEP)) if r.strip() not in ("", "NULL")]
            else:
                continue
            for part in parts:
                raw = _raw_reply(file, line, part)
                if "[身份证号x]" in raw:
                    continue
                text = render(raw)
                if len(text) < 2 or text in seen:
                    continue
                seen.add(text)
                out.append((file, number, part))
    return out


def random_picks(keys: list[Key]) -> set[Key]:
    return {keys[i] for i in random.Random(SEED).sample(range(len(keys)), RANDOM_N)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.jddc.sample", description=__doc__.split("\n")[0])
    parser.add_argument("--repo", type=Path, required=True, help="fetched git dir or checkout of the repo")
    parser.add_argument("--check", action="store_true", help="compare with the labels' random picks")
    args = parser.parse_args(argv)
    try:
        keys = pool(file_reader(args.repo))
        labels = load_labels()
    except (BuildError, OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    picks = random_picks(keys)
    print(f"pool {len(keys)} replies, {len(picks)} random picks (seed {SEED})")
    if not args.check:
        return 0
    items = labels["items"]
    labelled = {(x["file"], int(x["line"]), int(x.get("part", 0))) for x in items if x["pick"] == "random"}
    if labelled != picks:
        missing, extra = len(labelled - picks), len(picks - labelled)
        print(f"mismatch: {missing} labelled but not drawn, {extra} drawn but not labelled")
        return 1
    print("the labels' random picks match the seeded sample")
    return 0


if __name__ == "__main__":
    sys.exit(main())
