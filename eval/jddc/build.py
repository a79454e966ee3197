"""Rebuild the labelled real-reply sets (JDDC 2019 agent replies) from a fetched copy of the source repo.

The JDDC data has no licence that allows redistribution, so the repo keeps only ``labels.yaml`` (file,
line, sha1 of the raw line, label) and this script, which reads the lines from the user's own copy, checks
each sha1 so a changed source cannot silently change the set, renders the corpus's masks
(``[电话x]``, ``[链接x]`` ...) as realistic values of their kind and writes ``jddc.dev.yaml`` and
``jddc.test.yaml`` in the labelled compliance-set format (``eval/compliance_set.yaml``). Later batches
in ``labels.<name>.yaml`` beside the main file are added (their items say their split).

    python -m eval.jddc.build --repo /path/to/jddc2019-3th-retrieve-model[.git] --out /tmp/jddc

Exit status 0 on success, 2 when the repo, a file or a line is missing or a line's sha1 differs.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml

LABELS = Path(__file__).with_name("labels.yaml")
CHAT_FILE = "data/chat_0.1per.txt"
ANSWER_FILE = "data/dev_answer.txt"
SEP = "<sep>"
MSG_SEP = "!@@@!"

# One realistic value per mask kind. Numbers cycle through small values so ranges read naturally
# ("[数字x]-[数字x]个工作日" -> "2-5个工作日"). Kinds a label may override are keyed by the override value.
NUMBERS = ("2", "5", "3", "7", "1", "10", "15", "24")
PHONES: dict[str, str] = {
    "mobile": "1391234{:04d}",  # a full mobile number: what the mask hid in most replies
    "hotline": "400-810-{:04d}",  # a company service line (brand or platform hotline)
    "landline": "010-6788{:04d}",  # a business landline (delivery station, service point, shop)
    "masked": "139****{:04d}",  # how the standard wants a customer's own number confirmed
}
ADDRESSES: dict[str, str] = {
    "district": "朝阳区",  # province/city/district level: a region, not a person's address
    "street": "朝阳区建国路88号3单元502室",  # a full street address down to the flat
}
LINKS: dict[str, str] = {
    "item": "https://item.jd.com/1000{:08d}.html",
    "help": "https://help.jd.com/user/issue/{:04d}-1.html",
    "external": "https://www.example-brand.com.cn/support/{:04d}",
}
FIXED: dict[str, str] = {
    "订单": "8123456{:05d}",
    "金额": "199.00",
    "日期": "2018-03-15",
    "时间": "14:30:00",
    "站点": "北京亦庄站",
    "姓名": "王明",
    "组织机构": "北京星河科技有限公司",
    "邮箱": "zhangwei{:02d}@jd.com",
    "身份证号": "110105198001010016",
}
MASK = re.compile(r"\[(数字|电话|地址|链接|订单|金额|日期|时间|站点|姓名|组织机构|邮箱|身份证号)x\]")
EMOTICON = re.compile(r"#E-s\d+|#E\b")


class BuildError(Exception):
    """A missing repo, file or line, or a line whose sha1 differs from the label (exit status 2)."""


@dataclass(frozen=True)
class Render:
    """How one item's masks are rendered; labels override the defaults only where the text needs it."""

    phone: str = "mobile"
    address: str = "district"
    link: str = "item"
    numbers: tuple[str, ...] = NUMBERS  # for a reply whose meaning needs the real values (e.g. 100%)

    def __post_init__(self) -> None:
        if self.phone not in PHONES or self.address not in ADDRESSES or self.link not in LINKS:
            raise ValueError(f"unknown render option in {self}")
        if not self.numbers:
            raise ValueError("render numbers must not be empty")


def sha1(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def render(text: str, how: Render = Render()) -> str:
    """Replace the corpus masks with values of their kind, deterministically within one reply."""
    counts: dict[str, int] = {}

    def value(match: re.Match[str]) -> str:
        kind = match.group(1)
        n = counts.get(kind, 0)
        counts[kind] = n + 1
        if kind == "数字":
            return how.numbers[n % len(how.numbers)]
        if kind == "电话":
            return PHONES[how.phone].format(5678 + n)
        if kind == "地址":
            return ADDRESSES[how.address]
        if kind == "链接":
            return LINKS[how.link].format(1234 + n)
        return FIXED[kind].format(n + 1)

    out = MASK.sub(value, EMOTICON.sub("", text))
    return re.sub(r"[ \t]{2,}", " ", out).strip()


def reply_text(file: str, line: str, part: int) -> str:
    """The agent's words in one raw line: the content column of a chat line (agent rows only), or the
    ``part``-th agent's reply of a dev_answer line with its messages (NULL ones dropped) joined by a space."""
    if file == CHAT_FILE:
        cols = line.split("\t")
        if len(cols) != 7 or cols[2] != "1":
            raise BuildError(f"{file}: not an agent row of the 7-column chat format")
        if part != 0:
            raise BuildError(f"{file}: chat lines have one reply (part 0), got part {part}")
        return cols[6]
    replies = line.split(SEP)
    if part >= len(replies) or replies[part].strip() in ("", "NULL"):
        raise BuildError(f"{file}: no reply number {part} in the line")
    messages = [m.strip() for m in replies[part].split(MSG_SEP)]
    return " ".join(m for m in messages if m and m != "NULL")


def file_reader(repo: Path) -> Callable[[str], list[str]]:
    """Lines of a file from a checkout (``repo/data/...``) or a bare/mirror git dir (``git show HEAD:``)."""
    if not repo.exists():
        raise BuildError(f"repo not found: {repo} (fetch github:EndlessLethe/jddc2019-3th-retrieve-model)")
    cache: dict[str, list[str]] = {}

    def read(rel: str) -> list[str]:
        if rel not in cache:
            path = repo / rel
            if path.is_file():
                raw = path.read_text(encoding="utf-8")
            else:
                proc = subprocess.run(
                    ["git", "--git-dir", str(repo), "show", f"HEAD:{rel}"],
                    capture_output=True,
                    check=False,
                )
                if proc.returncode != 0:
                    raise BuildError(f"{rel} is neither a file under {repo} nor in its git HEAD")
                raw = proc.stdout.decode("utf-8")
            cache[rel] = raw.split("\n")
        return cache[rel]

    return read


def load_labels(path: Path = LABELS) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        raise BuildError(f"{path}: expected a mapping with an items list")
    return data


def extra_label_files(main: Path = LABELS) -> list[Path]:
    """Later label batches beside the main file (``labels.<name>.yaml``), added to the sets in name order."""
    return sorted(main.parent.glob(f"{main.stem}.*.yaml"))


def merge_labels(main: dict[str, Any], extra: list[Path]) -> dict[str, Any]:
    """The main labels with the items of each extra batch appended; an id used twice is an error, since the
    scorer keys results by id."""
    items = list(main["items"])
    for path in extra:
        items += load_labels(path)["items"]
    seen: set[str] = set()
    for item in items:
        if item["id"] in seen:
            raise BuildError(f"item id {item['id']} is used twice across the label files")
        seen.add(item["id"])
    return {**main, "items": items}


def build_items(labels: dict[str, Any], read: Callable[[str], list[str]]) -> Iterator[dict[str, Any]]:
    """Labelled items with rendered text, after checking every referenced line's sha1."""
    for item in labels["items"]:
        lines = read(item["file"])
        number = int(item["line"])
        if not 1 <= number <= len(lines):
            raise BuildError(f"{item['id']}: {item['file']} has no line {number}")
        raw = lines[number - 1]
        if sha1(raw) != item["sha1"]:
            raise BuildError(
                f"{item['id']}: {item['file']} line {number} changed (sha1 {sha1(raw)}, "
                f"labelled {item['sha1']}); the labels no longer describe the source"
            )
        options = dict(item.get("render", {}))
        if "numbers" in options:
            options["numbers"] = tuple(str(x) for x in options["numbers"])
        how = Render(**options)
        out: dict[str, Any] = {
            "id": item["id"],
            "lang": "zh",
            "text": render(reply_text(item["file"], raw, int(item.get("part", 0))), how),
            "expected": item["expected"],
        }
        if item.get("note"):
            out["note"] = item["note"]
        out["split"] = item["split"]
        yield out


def write_sets(labels: dict[str, Any], items: list[dict[str, Any]], out: Path) -> dict[str, int]:
    out.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    split: Literal["dev", "test"]
    for split in ("dev", "test"):
        chosen = [{k: v for k, v in x.items() if k != "split"} for x in items if x["split"] == split]
        doc = {
            "description": f"JDDC 2019 agent replies ({split} split), rebuilt by eval/jddc/build.py",
            "allowed_domains": labels.get("allowed_domains", []),
            "items": chosen,
        }
        (out / f"jddc.{split}.yaml").write_text(
            yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=1000), encoding="utf-8"
        )
        counts[split] = len(chosen)
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.jddc.build", description=__doc__.split("\n")[0])
    parser.add_argument("--repo", type=Path, required=True, help="fetched git dir or checkout of the repo")
    parser.add_argument("--out", type=Path, required=True, help="folder for jddc.dev.yaml and jddc.test.yaml")
    parser.add_argument("--labels", type=Path, default=LABELS, help="labels file (default: eval/jddc)")
    parser.add_argument("--no-extra", action="store_true", help="ignore the labels.<name>.yaml batches")
    args = parser.parse_args(argv)
    try:
        extra = [] if args.no_extra else extra_label_files(args.labels)
        labels = merge_labels(load_labels(args.labels), extra)
        items = list(build_items(labels, file_reader(args.repo)))
    except (BuildError, OSError, KeyError, TypeError, ValueError, yaml.YAMLError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    counts = write_sets(labels, items, args.out)
    print(f"wrote {counts['dev']} dev and {counts['test']} test items to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
