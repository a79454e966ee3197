"""Skip regex rules that cannot match: a literal prefilter, as RE2 and Hyperscan do.

Most rule patterns can only match text that contains one of a few literal strings (a rule about
"包退包换 | 无条件退" needs 包退, 包换 or 无条件退 somewhere). Those strings are read off the parsed
pattern; one Aho-Corasick pass over a draft then tells which rules have a chance, and only those run
their regex. A pattern whose every match does not need some literal (one that starts with a character
class, say) simply has no prefilter and always runs. Finding a literal only means the rule *may* match:
the regex still decides.

Rules written as combinations of word classes (a store word, then a refusal verb, then a third party) have
a literal in each part, and one part alone (a single common character such as 到) is in nearly every
draft. So each top-level alternative of a pattern keeps all its mandatory parts, and the pattern runs only
when some alternative has a literal of every part present: still only a necessary condition, but a
much sharper one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import ahocorasick

try:  # Python 3.11+
    import re._constants as sre_c
    import re._parser as sre_parse
except ImportError:  # pragma: no cover - older Pythons
    import sre_constants as sre_c  # type: ignore[no-redef]
    import sre_parse  # type: ignore[no-redef]

_REPEATS = {sre_c.MAX_REPEAT, sre_c.MIN_REPEAT, getattr(sre_c, "POSSESSIVE_REPEAT", sre_c.MAX_REPEAT)}


def required_literals(pattern: str, flags: int = 0) -> frozenset[str] | None:
    """Strings of which every match of ``pattern`` contains at least one (lower-cased), or None."""
    try:
        parsed = sre_parse.parse(pattern, flags)
    except re.error:
        return None
    found = _sequence(list(parsed))
    if not found or any(not s for s in found):
        return None
    return frozenset(s.lower() for s in found)


def _score(options: frozenset[str]) -> tuple[int, int]:
    """Prefer the most selective set: longest shortest string, then fewest strings."""
    return (min(len(s) for s in options), -len(options))


def _sequence(items: Sequence[tuple[Any, Any]]) -> frozenset[str] | None:
    """Factors of a sequence: any one mandatory element's factors will do; take the most selective."""
    candidates = _mandatory(items)
    return max(candidates, key=_score) if candidates else None


def _mandatory(items: Sequence[tuple[Any, Any]]) -> list[frozenset[str]]:
    """The literal sets of a sequence's mandatory elements: a run of literals, or a group that needs one."""
    candidates: list[frozenset[str]] = []
    run: list[str] = []
    for op, av in items:
        if op is sre_c.LITERAL:
            run.append(chr(av))
            continue
        if run:
            candidates.append(frozenset(["".join(run)]))
            run = []
        sub = _element(op, av)
        if sub is not None:
            candidates.append(sub)
    if run:
        candidates.append(frozenset(["".join(run)]))
    return candidates


def _element(op: object, av: Any) -> frozenset[str] | None:
    if op is sre_c.SUBPATTERN:
        add_flags: int = av[1]
        sub: Any = av[3]
        if add_flags & re.IGNORECASE and not add_flags & re.ASCII:
            return None  # Unicode case folding: leave such a group unfiltered
        return _sequence(list(sub))
    if op is sre_c.BRANCH:
        branches: list[Any] = av[1]
        union: set[str] = set()
        for branch in branches:
            found = _sequence(list(branch))
            if found is None:
                return None  # one way to match without any literal: no prefilter
            union |= found
        return frozenset(union)
    if op in _REPEATS:
        low: int = av[0]
        return _sequence(list(av[2])) if low >= 1 else None
    return None  # character classes, anchors, lookarounds, backreferences: no literal guaranteed


def _factors(items: Sequence[tuple[Any, Any]]) -> list[frozenset[str]] | None:
    """Every mandatory part of a sequence that requires a literal (each a set of alternatives)."""
    out = _mandatory(items)
    if not out or any(not s for part in out for s in part):
        return None
    return [frozenset(s.lower() for s in part) for part in out]


def required_parts(pattern: str, flags: int = 0) -> list[list[frozenset[str]]] | None:
    """Per top-level alternative, the literal sets of which a match must contain one each; or None."""
    try:
        parsed = list(sre_parse.parse(pattern, flags))
    except re.error:
        return None
    if len(parsed) == 1 and parsed[0][0] is sre_c.BRANCH:
        branches: list[Any] = parsed[0][1][1]
    else:
        branches = [parsed]
    out: list[list[frozenset[str]]] = []
    for branch in branches:
        parts = _factors(list(branch))
        if parts is None:
            return None  # one alternative needs no literal: no prefilter
        out.append(parts)
    return out


class Prefilter:
    """Which of some patterns may match a text, found with one Aho-Corasick pass."""

    def __init__(self, patterns: Sequence[re.Pattern[str]]) -> None:
        self._always: set[int] = set()
        self._automaton: ahocorasick.Automaton | None = None
        # Patterns with more than one part in some alternative: checked part by part once a literal of
        # theirs is seen.
        self._parts: dict[int, list[list[frozenset[str]]]] = {}
        literal_owners: dict[str, set[int]] = {}
        for i, pattern in enumerate(patterns):
            parts = required_parts(pattern.pattern, pattern.flags)
            if parts is None:
                literals = required_literals(pattern.pattern, pattern.flags)
                if literals is None:
                    self._always.add(i)
                    continue
            else:
                literals = frozenset().union(*(p for alt in parts for p in alt))
                if any(len(alt) > 1 for alt in parts):
                    self._parts[i] = parts
            for literal in literals:
                literal_owners.setdefault(literal, set()).add(i)
        if literal_owners:
            automaton = ahocorasick.Automaton()
            for literal, owners in literal_owners.items():
                automaton.add_word(literal, (literal, frozenset(owners)))
            automaton.make_automaton()
            self._automaton = automaton
        self.filtered = len(patterns) - len(self._always)

    def candidates(self, text: str) -> set[int]:
        """Indexes of the patterns worth running on ``text`` (already lower-cased)."""
        out = set(self._always)
        if self._automaton is None:
            return out
        seen: set[str] = set()
        touched: set[int] = set()
        for _end, (literal, owners) in self._automaton.iter(text):
            if literal not in seen:
                seen.add(literal)
                touched |= owners
        for i in touched:
            parts = self._parts.get(i)
            if parts is None or any(all(not p.isdisjoint(seen) for p in alt) for alt in parts):
                out.add(i)
        return out
