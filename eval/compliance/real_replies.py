"""Run the compliance filter over real human agents' replies (JDDC 2019, JD.com customer service).

    python -m eval.compliance.real_replies --mirror MIRROR [--n 2000] [--seed 13] [--platform jd] \
        [--show-flagged] [--show-passed 40] [--skip-claims]

The data is not redistributed: it is read from a local git mirror of
github.com/EndlessLethe/jddc2019-3th-retrieve-model (``fetch`` it first). Agent turns of
``data/chat_0.1per.txt`` (with what the customer wrote before them as the customer's message) and the
answers of ``data/dev_answer.txt`` are de-duplicated, sampled with a fixed seed, and their masks rendered
as plausible values (``[电话x]`` becomes a mobile number that the agent's context supplies, as the order
would; ``[链接x]`` a product page on the platform). No sources are given: a human reply is checked as
``replydraft check`` would check it. Printed: verdicts and findings per rule, and (with the flags) the
flagged replies and a random sample of passed ones, for reading by hand.
"""

from __future__ import annotations

import argparse
import random
import re
import subprocess
from collections import Counter
from pathlib import Path

from service.compliance.engine import ComplianceEngine
from service.compliance.platforms import platform_domains

MASKS = {
    "数字": "3",
    "订单": "8123456789",
    "金额": "99元",
    "姓名": "张先生",
    "日期": "2019-06-18",
    "时间": "14:30",
    "站点": "北京朝阳站",
    "链接": "https://item.jd.com/100001234567.html",
    "地址": "北京市朝阳区",
    "电话": "13912345678",
    "组织机构": "京东物流",
    "身份证号": "110105199001011234",
    "邮箱": "service@jd.com",
}
CONTEXT = "客户电话 13912345678，订单号 8123456789"
_MASK_RE = re.compile(r"\[([^\[\]x]{1,6})x\]")


def render(text: str) -> str:
    """Masks as plausible values; unknown masks as a neutral word."""
    return _MASK_RE.sub(lambda m: MASKS.get(m[1], "相关信息"), text)


def load_replies(mirror: Path) -> list[tuple[str, str]]:
    """(reply, what the customer wrote before it in the session) pairs, de-duplicated by reply."""

    def show(path: str) -> str:
        git_dir = mirror / ".git" if (mirror / ".git").exists() else mirror
        cmd = ["git", "--git-dir", str(git_dir), "show", f"HEAD:{path}"]
        return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout

    pairs: list[tuple[str, str]] = []
    session = ""
    customer: list[str] = []
    for line in show("data/chat_0.1per.txt").splitlines():
        cols = line.split("\t")
        if len(cols) < 7:
            continue
        if cols[0] != session:
            session, customer = cols[0], []
        if cols[2] == "1":
            pairs.append((cols[6], " ".join(customer)))
        else:
            customer.append(cols[6])
    for line in show("data/dev_answer.txt").splitlines():
        if not line.startswith("<session"):
            pairs.extend((x, "") for x in line.split("<sep>") if x and x != "NULL")
    seen: set[str] = set()
    out = []
    for reply, said in pairs:
        reply = reply.strip()
        if len(reply) >= 4 and reply not in seen:
            seen.add(reply)
            out.append((reply, said))
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--mirror", type=Path, required=True)
    p.add_argument("--n", type=int, default=2000)
    p.add_argument("--seed", type=int, default=13)
    p.add_argument("--platform", default="jd")
    p.add_argument("--show-flagged", action="store_true")
    p.add_argument("--show-passed", type=int, default=0)
    p.add_argument("--skip-claims", action="store_true", help="leave out unsupported_claim findings")
    args = p.parse_args()
    replies = load_replies(args.mirror)
    rng = random.Random(args.seed)
    sample = rng.sample(replies, min(args.n, len(replies)))
    engine = ComplianceEngine.from_paths(allowed_domains=platform_domains(args.platform))
    verdicts: Counter[str] = Counter()
    rules: Counter[str] = Counter()
    flagged: list[tuple[str, str, list[str]]] = []
    passed: list[str] = []
    for raw, said in sample:
        text = render(raw)
        result = engine.check(text, context=CONTEXT, customer_text=render(said)[-4000:] or None)
        findings = [f for f in result.flags if not (args.skip_claims and f.category == "unsupported_claim")]
        verdict = (
            "pass" if not findings else ("block" if any(f.severity == "block" for f in findings) else "warn")
        )
        verdicts[verdict] += 1
        for f in findings:
            rules[f.rule_id] += 1
        if findings:
            flagged.append((verdict, text, [f"{f.rule_id}:{f.matched}" for f in findings]))
        else:
            passed.append(text)
    print(f"replies {len(sample)} of {len(replies)}; verdicts {dict(verdicts)}")
    for rule, n in rules.most_common():
        print(f"  {rule:32s} {n}")
    if args.show_flagged:
        for verdict, text, found in flagged:
            print(f"[{verdict}] {found} :: {text}")
    for text in rng.sample(passed, min(args.show_passed, len(passed))):
        print(f"[pass] {text}")


if __name__ == "__main__":
    main()
