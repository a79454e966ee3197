"""Draw a new JDDC label batch from the unlabelled pool: seeded random picks plus seeded keyword picks.

    python -m eval.jddc.draw --repo PATH --seed 20261215 --random 200 --out /tmp/draw.jsonl

The pool is ``eval.jddc.sample.pool`` minus every line any label file names (so held-out items are never
drawn or shown). ``--random`` replies are ``random.Random(seed).sample`` of that pool; then, for each trap
group in ``GROUPS`` (in order), ``per_group`` replies at random (same generator) among the rest whose raw text
matches the group's pattern. The output holds source text (one JSON line per reply, with file, line, part,
pick, group): keep it out of the repo. Label by hand from it, blind to the filter.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from pathlib import Path

from eval.jddc.build import LABELS, BuildError, extra_label_files, file_reader, render
from eval.jddc.sample import _raw_reply, pool
from eval.jddc.scan import labelled_lines

# Trap kinds of README's label guide (hard negatives) and the kinds real positives come in. A reply counts
# for the first group it matches that still has room.
GROUPS: list[tuple[str, str]] = [
    ("courtesy", r"荣幸|最大的|无上|莫大|最真诚|最诚挚"),
    ("estimate", r"最快|最晚|最长|最迟|最近|最多|最少|最好|最低|最高"),
    ("wechat_pay", r"微信|支付宝|QQ|公众号|财付通"),
    ("link", r"\[链接x\]|网址|链接"),
    ("phone", r"\[电话x\]|电话|热线|400"),
    ("masked", r"\[(订单|金额|日期|邮箱|姓名|站点|地址)x\]"),
    ("hundred", r"[百千万]"),
    ("network", r"[345]G|全网通|一天"),
    ("promise", r"保证|一定|承诺|确保|肯定"),
    ("refusal", r"无法|不能|没办法|不可以|不支持"),
    ("vague", r"不清楚|不知道|不了解|自己|耐心|差不多|就是"),
    ("third_party", r"厂家|厂商|配送员|快递员|商家|售后网点"),
    ("money", r"赔|补偿|京豆|优惠券|返现|余额"),
    ("claim", r"正品|绝对|第一|全网|顶级|100%|%|小时|天"),
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.jddc.draw", description=__doc__.split("\n")[0])
    parser.add_argument("--repo", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--random", type=int, default=200)
    parser.add_argument("--per-group", type=int, default=10)
    args = parser.parse_args(argv)
    try:
        read = file_reader(args.repo)
        skip = labelled_lines([LABELS, *extra_label_files()])
        keys = [k for k in pool(read) if (k[0], k[1]) not in skip]
    except (BuildError, OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    rng = random.Random(args.seed)
    picked = rng.sample(range(len(keys)), args.random)
    rows = [(keys[i], "random", "") for i in picked]
    taken = set(picked)
    for group, pattern in GROUPS:
        rx = re.compile(pattern)
        hits = [
            i
            for i, (f, n, p) in enumerate(keys)
            if i not in taken and rx.search(_raw_reply(f, read(f)[n - 1], p))
        ]
        chosen = rng.sample(hits, min(args.per_group, len(hits)))
        taken.update(chosen)
        rows += [(keys[i], "keyword", group) for i in chosen]
    with args.out.open("w", encoding="utf-8") as out:
        for (f, n, p), pick, group in rows:
            raw = read(f)[n - 1]
            text = " ".join(render(_raw_reply(f, raw, p).replace("NULL", " ")).split())
            row = {"file": f, "line": n, "part": p, "pick": pick, "group": group, "text": text}
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"pool {len(keys)} unlabelled replies: {len(rows)} drawn -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
