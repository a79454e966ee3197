"""Matching expected facts and forbidden content against a draft, fairly across wordings and formats."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from service.evaluation.golden import AnyOf, Item, Regex

_MARKER = re.compile(r"\[\d{1,3}\]")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Prepared:
    """A draft in the two forms facts are matched against: as written and NFKC-normalised (full-width
    digits and letters folded, ℃ -> °C), both without citation markers."""

    raw: str
    folded: str

    @property
    def squashed(self) -> tuple[str, str]:
        return _squash(self.raw), _squash(self.folded)


def prepare(text: str) -> Prepared:
    raw = _MARKER.sub("", text)
    return Prepared(raw, unicodedata.normalize("NFKC", raw))


def _squash(text: str) -> str:
    return _SPACE.sub("", text).lower()


@lru_cache(maxsize=4096)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


def matches(text: Prepared, item: Item) -> bool:
    """Plain strings: substring, ignoring case, width and whitespace; regexes: searched (patterns are not
    normalised, since folding ？ to ? would change their meaning); any-of: one alternative suffices."""
    if isinstance(item, AnyOf):
        return any(matches(text, alt) for alt in item.any)
    if isinstance(item, Regex):
        pattern = _compiled(item.regex)
        return pattern.search(text.raw) is not None or pattern.search(text.folded) is not None
    needle = _squash(unicodedata.normalize("NFKC", item))
    return any(needle in hay for hay in text.squashed)


def describe(item: Item) -> str:
    """How a fact reads in a report."""
    if isinstance(item, AnyOf):
        return " | ".join(describe(alt) for alt in item.any)
    if isinstance(item, Regex):
        return f"/{item.regex}/"
    return item
