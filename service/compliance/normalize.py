"""Text normalisation that keeps a map back to the original characters.

Rules match on a normalised copy of the draft (NFKC: full-width digits, letters and punctuation become
ASCII; zero-width and control characters are dropped; a few Cyrillic/Greek look-alike letters become
Latin), so "ｖｘ", "微\u200b信" and "wеchat" with a Cyrillic "е" are caught. Findings must point at the
text the reviewer sees, hence the offset map.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

# Letters that look Latin but are not: a cheap guard against "WеChat"-style evasion.
_CONFUSABLES = {
    "а": "a",
    "е": "e",
    "о": "o",
    "р": "p",
    "с": "c",
    "х": "x",
    "у": "y",
    "і": "i",
    "ј": "j",
    "ѕ": "s",
    "к": "k",
    "м": "m",
    "т": "t",
    "в": "b",
    "н": "h",
    "ο": "o",
    "α": "a",
    "ν": "v",
    "ρ": "p",
    "τ": "t",
    "κ": "k",
    "ι": "i",
    "υ": "u",
}
_KEEP_CONTROLS = {"\n", "\t"}

CJK_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
LATIN_RE = re.compile(r"[A-Za-z]")
_CLAUSE_END = re.compile(r"[。！？!?；;,，\n]|\.(?=\s|$)|:(?=\s)")
_SENTENCE_END = re.compile(r"[。！？!?\n]|\.(?=\s|$)")


@lru_cache(maxsize=4096)
def _char(c: str) -> str:
    """Normalised form of one character ('' to drop it)."""
    if c in _KEEP_CONTROLS:
        return c
    if c == "\r":
        return "\n"
    cat = unicodedata.category(c)
    if cat in ("Cc", "Cf", "Cs", "Co", "Cn"):
        return ""
    out = unicodedata.normalize("NFKC", c)
    return "".join(_CONFUSABLES.get(ch, ch) for ch in out.lower())


def _lower_same_length(text: str) -> str:
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)


def fold(text: str) -> str:
    """Normalised, lower-cased text without the offset map: for sources and context (fast path)."""
    out = unicodedata.normalize("NFKC", text).lower()
    if out.isascii():
        return "".join(ch for ch in out if ch >= " " or ch in "\n\t")
    return "".join(_char(ch) for ch in out)


def has_cjk(text: str) -> bool:
    return CJK_RE.search(text) is not None


def has_latin(text: str) -> bool:
    return LATIN_RE.search(text) is not None


@dataclass
class Normalized:
    """The original text, its normalised lower-case form and the map between them."""

    original: str
    text: str
    _index: list[int]
    _clause_starts: list[int] = field(default_factory=list, repr=False)
    _sentence_starts: list[int] = field(default_factory=list, repr=False)

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Span in the normalised text -> span in the original text."""
        if not self._index:
            return start, end
        if end <= start:
            pos = self._index[start] if start < len(self._index) else len(self.original)
            return pos, pos
        return self._index[start], self._index[end - 1] + 1

    def clause(self, pos: int) -> tuple[int, int]:
        """Bounds of the clause (between commas, full stops, semicolons, line breaks) holding ``pos``."""
        if not self._clause_starts:
            self._clause_starts = _starts(self.text, _CLAUSE_END)
        return _bounds(self._clause_starts, pos, len(self.text))

    def sentence(self, pos: int) -> tuple[int, int]:
        if not self._sentence_starts:
            self._sentence_starts = _starts(self.text, _SENTENCE_END)
        return _bounds(self._sentence_starts, pos, len(self.text))


def _starts(text: str, pattern: re.Pattern[str]) -> list[int]:
    return [0, *(m.end() for m in pattern.finditer(text))]


def _bounds(starts: list[int], pos: int, length: int) -> tuple[int, int]:
    i = bisect.bisect_right(starts, pos) - 1
    start = starts[max(i, 0)]
    end = starts[i + 1] if i + 1 < len(starts) else length
    return start, end


def normalize(text: str) -> Normalized:
    if text.isascii() and text.isprintable():
        return Normalized(text, text.lower(), [])
    mapped = list(map(_char, text))
    joined = "".join(mapped)
    if len(joined) == len(text) and "" not in mapped:  # each character gave exactly one: same offsets
        return Normalized(text, _lower_same_length(joined), [])
    chars: list[str] = []
    index: list[int] = []
    for i, c in enumerate(text):
        if " " <= c < "\x7f" or c in "\n\t":
            chars.append(c)
            index.append(i)
            continue
        out = _char(c)
        for ch in out:
            chars.append(ch)
            index.append(i)
    joined = "".join(chars)
    return Normalized(text, _lower_same_length(joined), index)
