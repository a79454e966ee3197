"""Chinese-aware text helpers for ingestion: clean-up, language guess, sentence splitting, packing.

Chinese has no spaces between sentences, so boundaries are the full-width marks (。！？；) as well as the
English ones; a mark stays at the end of its sentence (with any closing quote), so a chunk never starts
with dangling punctuation. A '.' only ends a sentence before whitespace, so '1.5L' and '3.14' stay whole.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_ASCII_LETTER = re.compile(r"[A-Za-z]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")  # and lone surrogates (JSON \ud800)
_MANY_NEWLINES = re.compile(r"\n{3,}")
_CLOSERS = "”’」』）)\"'》】"
_SENTENCE_END = re.compile(rf"(?:[。！？；!?;]+|…+|\.(?=\s|$))[{_CLOSERS}]*")
_CLAUSE_END = re.compile(rf"[，,、：:][{_CLOSERS}]*")
ELLIPSIS = "…"


def clean_block(text: str) -> str:
    """Keep paragraphs and line breaks, drop control characters and trailing blanks."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "")
    text = _CONTROL.sub("", text)
    lines = [line.replace("\t", "    ").rstrip() for line in text.split("\n")]
    return _MANY_NEWLINES.sub("\n\n", "\n".join(lines)).strip()


def clean_inline(text: str) -> str:
    """One line: every run of whitespace becomes a single space."""
    return " ".join(_CONTROL.sub("", text.replace("\ufeff", "")).split())


def count_cjk(text: str) -> int:
    return len(_CJK.findall(text))


def has_cjk(text: str) -> bool:
    return _CJK.search(text) is not None


def is_english(text: str) -> bool:
    """True when Latin letters clearly outweigh Chinese characters (one character ~ three letters)."""
    letters = len(_ASCII_LETTER.findall(text))
    return letters > 0 and letters > 3 * count_cjk(text)


def _cut_after(text: str, pattern: re.Pattern[str]) -> list[str]:
    parts: list[str] = []
    start = 0
    for m in pattern.finditer(text):
        if m.end() > start:
            parts.append(text[start : m.end()])
            start = m.end()
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


def split_sentences(text: str) -> list[str]:
    """Sentences (and lines), punctuation kept at the end of each."""
    out: list[str] = []
    for line in text.split("\n"):
        out.extend(_cut_after(line, _SENTENCE_END))
    return out


def _hard_cut(text: str, budget: int) -> list[str]:
    """Last resort for a run with no punctuation: cut at the budget, at a space when the text is Latin."""
    pieces: list[str] = []
    while len(text) > budget:
        cut = budget
        space = text.rfind(" ", budget // 2, budget + 1)
        if space > 0 and not has_cjk(text[:budget]):
            cut = space
        pieces.append(text[:cut].strip())
        text = text[cut:].strip()
    if text:
        pieces.append(text)
    return pieces


def pack(units: Iterable[str], budget: int, joiner: str = "") -> list[str]:
    """Greedily join units into pieces of at most `budget` characters; oversize units are split further."""
    pieces: list[str] = []
    current = ""
    for unit in units:
        unit = unit.strip()
        if not unit:
            continue
        if len(unit) > budget:
            if current:
                pieces.append(current)
                current = ""
            pieces.extend(fit(unit, budget))
            continue
        candidate = f"{current}{joiner}{unit}" if current else unit
        if len(candidate) <= budget:
            current = candidate
        else:
            pieces.append(current)
            current = unit
    if current:
        pieces.append(current)
    return pieces


def fit(text: str, budget: int) -> list[str]:
    """Split text into pieces of at most `budget` characters at the best boundary available:
    line, then sentence, then clause (，、：), then a hard cut."""
    budget = max(budget, 1)
    text = text.strip()
    if len(text) <= budget:
        return [text] if text else []
    if "\n" in text:
        return pack(text.split("\n"), budget, "\n")
    sentences = split_sentences(text)
    if len(sentences) > 1:
        return pack(sentences, budget, " " if is_english(text) else "")
    clauses = _cut_after(text, _CLAUSE_END)
    if len(clauses) > 1:
        return pack(clauses, budget, " " if is_english(text) else "")
    return _hard_cut(text, budget)


def shorten(text: str, limit: int) -> str:
    """At most `limit` characters, preferably ending on a sentence or clause boundary, with an ellipsis."""
    text = clean_inline(text)
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    for pattern in (_SENTENCE_END, _CLAUSE_END):
        ends = [m.end() for m in pattern.finditer(head)]
        if ends and ends[-1] >= limit // 2:
            return head[: ends[-1]].rstrip() + ELLIPSIS
    return head.rstrip() + ELLIPSIS


def unify_dashes(text: str) -> str:
    """Non-ASCII hyphens and dashes (‐‑‒–—－) become '-', so model codes compare equal however typed."""
    return re.sub(r"[\u2010-\u2015\u2212\ufe63\uff0d]", "-", text)
