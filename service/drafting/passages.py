"""Quotable sentences of a retrieved chunk: headings and alias lines dropped, table rows made readable.

Chunks start with a header line (document title and section, or the product name and id) and may hold
Markdown tables; a row such as ``| 新疆、西藏 | 20元 | 80元 |`` says nothing on its own, so each row is
rendered with its column names ("地区：新疆、西藏，小件附加费：20元，…").
"""

from __future__ import annotations

import re

from service.drafting.text import split_sentences

ALIAS_LABELS = frozenset({"型号", "model", "modelno", "aliases", "alias", "别名"})
_TAG = re.compile(r"^\s*(?:【[^】]{1,8}】|\[[A-Za-z ]{1,16}\])\s*")
_LIST_PREFIX = re.compile(r"^(?:[#>*•\-|]+|\d{1,2}[.、)]\s?)\s*")
_SEPARATOR_ROW = re.compile(r"^\|?[\s:|-]+\|?$")
_CJK = re.compile(r"[\u4e00-\u9fff]")
HEADER_EXTRA_CHARS = 30  # a header line may add an id or a tag to the title
# A rendered record ("故障代码: E1；故障名称: 干烧保护；处理方法: …"): its pairs only make sense together.
_PAIR = re.compile(r"[；;]\s*[^：:；;。.]{1,16}[：:]")
RECORD_CHARS = 160
# A list item this short is one fact: its lead ("已发货：无法直接取消。") states the case its later sentences
# ("可以拒收包裹…") are about, and a sentence of it alone loses that case.
ITEM_CHARS = 120
_LIST_ITEM = re.compile(r"^(?:[*•\-]|\d{1,2}[.、)])\s*\S")


def clean_sentence(sentence: str) -> str:
    return _LIST_PREFIX.sub("", sentence.strip()).strip()


def is_heading(sentence: str, title: str) -> bool:
    """The title/section line a chunk starts with: not worth quoting on its own."""
    s = _TAG.sub("", sentence).strip("#*> ").strip()
    t = title.strip()
    if not s:
        return True
    if not t:
        return False
    return (s.startswith(t) and len(s) <= len(t) + HEADER_EXTRA_CHARS) or t.startswith(s)


def is_alias_line(sentence: str) -> bool:
    label = re.split(r"[:：]", sentence, maxsplit=1)[0] if re.search(r"[:：]", sentence) else ""
    return re.sub(r"[\s_-]", "", label).lower() in ALIAS_LABELS


_RECORD_LABEL = re.compile(r"^([^：:；;。]{1,16}[：:]\s*)\d{1,2}[.、)]\s?(?=[^：:；;]{1,16}[：:])")


def is_record(line: str) -> bool:
    """A short line of several 'label: value' pairs: one fact, so it is quoted whole, never split."""
    return len(line) <= RECORD_CHARS and _PAIR.search(line) is not None  # a pair needs its colon


def records(value: str) -> list[str]:
    """An inline list value ("1) a: x；b: y 2) a: z") as its items, each record whole when it is short."""
    items = [p.strip() for p in re.split(r"(?:^|\s)\d{1,2}\)\s", value) if p.strip()]
    out: list[str] = []
    for item in items or [value]:
        out.extend([item] if is_record(item) else split_sentences(item) or [item])
    return out


def _table(rows: list[str]) -> list[str]:
    cells = [[c.strip() for c in row.strip().strip("|").split("|")] for row in rows]
    cells = [r for r, raw in zip(cells, rows, strict=True) if not _SEPARATOR_ROW.match(raw.strip())]
    if len(cells) < 2:
        return [" ".join(r) for r in cells]
    header, body = cells[0], cells[1:]
    out = []
    for row in body:
        if len(row) != len(header):
            out.append(" ".join(row))
            continue
        zh = bool(_CJK.search("".join(row)))
        pairs = [f"{h}{'：' if zh else ': '}{v}" for h, v in zip(header, row, strict=True) if v]
        out.append(("，" if zh else ", ").join(pairs))
    return out


def _item_size(text: str) -> float:
    """Length in Chinese characters' worth: an English word says about as much as one to two of them."""
    latin = len(re.findall(r"[A-Za-z0-9]", text))
    return len(text) - latin + latin / 3


def sentences(text: str, title: str = "", whole_items: bool = False) -> list[str]:
    """The quotable sentences of a chunk, in order (no heading, no alias line, tables as readable rows);
    ``whole_items``: a short list item stays one piece (its sentences belong to its lead)."""
    raw: list[str] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i].strip()
        if line.startswith("|"):
            block = []
            while i < len(lines) and lines[i].strip().startswith("|"):
                block.append(lines[i].strip())
                i += 1
            raw.extend(_table(block))
            continue
        if is_record(line):
            raw.append(_RECORD_LABEL.sub(r"\1", line))  # "赠品信息: 1. 名称: …" -> "赠品信息: 名称: …"
        elif whole_items and _LIST_ITEM.match(line) and _item_size(clean_sentence(line)) <= ITEM_CHARS:
            raw.append(line)
        else:
            raw.extend(split_sentences(line))
        i += 1
    out = []
    for s in raw:
        s = clean_sentence(s)
        if s and not is_heading(s, title) and not is_alias_line(s):
            out.append(s)
    return out
