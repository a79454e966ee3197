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

The same pass also finds where matches may *start*. ``re`` can only skip ahead quickly when a pattern begins
with a plain literal or character set; a rule that begins with ``\b``, a lookbehind or an alternation of
word classes is tried at every character of the draft, each alternative in turn. When every match of a
pattern begins with one of a few strings (read off the parse tree, looking through lookarounds, groups,
alternations and optional parts), the engine tries the pattern only where one of those strings occurs,
which yields the very matches ``finditer`` would: a match can start nowhere else, and the tries go left to
right, resuming after each match as ``finditer`` does.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator, Sequence
from functools import lru_cache
from typing import Any, TypeVar

import ahocorasick

try:  # Python 3.11+
    import re._compiler as sre_compile
    import re._constants as sre_c
    import re._parser as sre_parse
except ImportError:  # pragma: no cover - older Pythons
    import sre_compile  # type: ignore[no-redef]
    import sre_constants as sre_c  # type: ignore[no-redef]
    import sre_parse  # type: ignore[no-redef]

_REPEATS = {sre_c.MAX_REPEAT, sre_c.MIN_REPEAT, getattr(sre_c, "POSSESSIVE_REPEAT", sre_c.MAX_REPEAT)}


@lru_cache(maxsize=8192)
def _parse(pattern: str, flags: int) -> Any:
    """The parse tree, read once per pattern for the literals, the parts and the start strings (parsing
    the packs' long word-class alternations is most of what building the prefilter costs). Not mutated."""
    return sre_parse.parse(pattern, flags)


def required_literals(pattern: str, flags: int = 0) -> frozenset[str] | None:
    """Strings of which every match of ``pattern`` contains at least one (lower-cased), or None."""
    try:
        parsed = _parse(pattern, flags)
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
        parsed = list(_parse(pattern, flags))
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


_ZERO_WIDTH = {sre_c.AT, sre_c.ASSERT, sre_c.ASSERT_NOT}
_MAX_STARTS = 256  # a pattern that may begin with more strings than this is left to re's own scan
_MAX_CLASS = 40  # a character class is expanded to its characters up to this many
# What \d and \s stand for under re.ASCII (the packs' flag); other classes are too wide to anchor on.
_ASCII_CATEGORIES = {sre_c.CATEGORY_DIGIT: "0123456789", sre_c.CATEGORY_SPACE: " \t\n\r\x0b\x0c"}


def start_literals(pattern: str, flags: int = 0) -> frozenset[str] | None:
    """Strings of which every match of ``pattern`` begins with one (ASCII lower-cased when the pattern
    ignores case: the text is lower-cased), or None when a match may begin anywhere, or with too many."""
    try:
        parsed = _parse(pattern, flags)
    except re.error:
        return None
    flags = parsed.state.flags
    if flags & re.IGNORECASE and not flags & re.ASCII:
        return None  # Unicode case folding: a literal stands for more than its lower-case form
    found = _starts(list(parsed), flags, [200])
    if not found or "" in found or len(found) > _MAX_STARTS:
        return None
    return frozenset(found)


def _fold(s: str, flags: int) -> str:
    return "".join(c.lower() if c.isascii() else c for c in s) if flags & re.IGNORECASE else s


def _starts(items: list[tuple[Any, Any]], flags: int, budget: list[int]) -> set[str] | None:
    """The strings one of which begins every match of ``items`` ('' among them: it may match empty)."""
    budget[0] -= 1
    if budget[0] < 0:
        return None  # optional parts nested too deep to follow: no anchor
    run: list[str] = []
    i = 0
    while i < len(items) and (items[i][0] in _ZERO_WIDTH or items[i][0] is sre_c.LITERAL):
        if items[i][0] is sre_c.LITERAL:  # lookarounds and \b consume nothing: look through them
            run.append(chr(items[i][1]))
        i += 1
    if run:
        return {_fold("".join(run), flags)}
    if i == len(items):
        return {""}
    op, av = items[i]
    rest = items[i + 1 :]
    if op is sre_c.IN:
        chars = _class_chars(av, flags)
        return None if chars is None else {_fold(c, flags) for c in chars}
    if op is sre_c.SUBPATTERN:
        if av[1] or av[2]:
            return None  # inline flags inside the pattern: not followed
        return _starts([*av[3], *rest], flags, budget)
    if op is sre_c.ATOMIC_GROUP:
        return _starts([*av, *rest], flags, budget)
    if op is sre_c.BRANCH:
        out: set[str] = set()
        for branch in av[1]:
            found = _starts([*branch, *rest], flags, budget)
            if found is None or len(out | found) > _MAX_STARTS:
                return None
            out |= found
        return out
    if op in _REPEATS:
        low, _high, body = av
        first = _starts(list(body), flags, budget)
        if first is None or "" in first:
            return None  # a body that may match empty: the match may begin after it
        if low >= 1:
            return first
        after = _starts(rest, flags, budget)
        return None if after is None else first | after
    return None  # any character, a negated class, a back-reference: a match may begin almost anywhere


def _class_chars(items: list[tuple[Any, Any]], flags: int) -> str | None:
    chars: list[str] = []
    for op, av in items:
        if op is sre_c.LITERAL:
            chars.append(chr(av))
        elif op is sre_c.RANGE and av[1] - av[0] < _MAX_CLASS:
            chars.extend(map(chr, range(av[0], av[1] + 1)))
        elif op is sre_c.CATEGORY and flags & re.ASCII and av in _ASCII_CATEGORIES:
            chars.extend(_ASCII_CATEGORIES[av])
        else:
            return None  # a negated or wide class
    return "".join(chars) if len(chars) <= _MAX_CLASS else None


# Per-pattern facts, keyed by the pattern object's id (the pattern is kept in the value, so an id is never
# reused while its entry lives): hashing a compiled pattern hashes its whole code, which for the packs'
# long alternations costs more than the search it would save.
_WIDEST: dict[int, tuple[re.Pattern[str], int | None]] = {}
_GUARDS: dict[int, tuple[re.Pattern[str], re.Pattern[str] | None]] = {}
_T = TypeVar("_T")


def _by_pattern(
    cache: dict[int, tuple[re.Pattern[str], _T]],
    pattern: re.Pattern[str],
    compute: Callable[[re.Pattern[str]], _T],
) -> _T:
    entry = cache.get(id(pattern))
    if entry is not None and entry[0] is pattern:
        return entry[1]
    value = compute(pattern)
    cache[id(pattern)] = (pattern, value)
    return value


def _widest_at_end(pattern: re.Pattern[str]) -> int | None:
    """How many characters a match of ``pattern`` spans at most, when it must end at ``\\Z``; else None."""
    return _by_pattern(_WIDEST, pattern, _widest_of)


def _widest_of(pattern: re.Pattern[str]) -> int | None:
    try:
        parsed = _parse(pattern.pattern, pattern.flags)
    except re.error:
        return None
    items = list(parsed)
    if not items or items[-1] != (sre_c.AT, sre_c.AT_END_STRING):
        return None
    widest: int = parsed.getwidth()[1]
    return widest if widest < sre_c.MAXREPEAT else None


def _children(op: object, av: Any) -> list[Any]:
    """The sub-sequences of one parsed element (groups, alternatives, repeats, lookarounds)."""
    if op is sre_c.SUBPATTERN:
        return [av[3]]
    if op is sre_c.BRANCH:
        return list(av[1])
    if op in _REPEATS:
        return [av[2]]
    if op is sre_c.ATOMIC_GROUP:
        return [av]
    if op in (sre_c.ASSERT, sre_c.ASSERT_NOT):
        return [av[1]]
    return []


def _case_folded(items: Sequence[tuple[Any, Any]]) -> bool:
    """Whether some group of the parsed pattern turns case folding on for itself (``(?i:…)``)."""
    return any(
        (op is sre_c.SUBPATTERN and av[1] & re.IGNORECASE) or any(map(_case_folded, _children(op, av)))
        for op, av in items
    )


def _literal_guard(pattern: re.Pattern[str]) -> re.Pattern[str] | None:
    """A pattern for the strings one of which every match of ``pattern`` contains, spelled as ``pattern``
    spells them (so only for a pattern that matches case-sensitively); None when there are none."""
    return _by_pattern(_GUARDS, pattern, _guard_of)


def _guard_of(pattern: re.Pattern[str]) -> re.Pattern[str] | None:
    if pattern.flags & (re.IGNORECASE | re.LOCALE):
        return None
    try:
        parsed = _parse(pattern.pattern, pattern.flags)
    except re.error:
        return None
    if _case_folded(list(parsed)):
        return None
    found = _sequence(list(parsed))
    if not found or any(not s for s in found):
        return None
    return sre_compile.compile(_trie(sorted(found)), pattern.flags)  # past re's cache, as _split


def _trie(words: list[str]) -> str:
    """An alternation of literal words factored by shared prefixes, which ``re`` scans for quickly."""
    tree: dict[str, Any] = {}
    for word in words:
        node = tree
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict[str, Any]) -> str:
        if "" in node:
            return ""  # a shorter word is enough: whatever follows it need not be looked for
        branches = [re.escape(ch) + emit(child) for ch, child in sorted(node.items())]
        return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"

    return emit(tree)


def prepare_search(pattern: re.Pattern[str]) -> None:
    """Work out ahead of time what :func:`search_at_end` and :func:`search_between` need for ``pattern``."""
    _literal_guard(pattern)
    _widest_at_end(pattern)


def search_between(pattern: re.Pattern[str], text: str, pos: int, endpos: int) -> re.Match[str] | None:
    """``pattern.search(text, pos, endpos)``, skipped when that stretch holds none of the pattern's required
    literals (every match lies inside it)."""
    guard = _literal_guard(pattern)
    if guard is not None and guard.search(text, pos, endpos) is None:
        return None
    return pattern.search(text, pos, endpos)


def search_at_end(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    """``pattern.search(text)`` for a pattern that ends with ``\\Z`` (a negation or a "before" exception
    that must reach the match): its matches span at most the pattern's widest width, so they can only
    begin that far from the end, and ``re`` need not try every earlier character (lookbehinds still see
    them). And a match holds one of the pattern's required literals: when that stretch holds none (one
    Aho-Corasick pass), there is no match to look for."""
    widest = _widest_at_end(pattern)
    start = max(0, len(text) - widest) if widest is not None else 0
    guard = _literal_guard(pattern)
    if guard is not None and guard.search(text, start) is None:
        return None
    return pattern.search(text, start)


def top_alternatives(pattern: str) -> list[str]:
    """The pattern's top-level alternatives, as written (split at each ``|`` outside groups and classes)."""
    out: list[str] = []
    depth = 0
    start = 0
    i = 0
    n = len(pattern)
    in_class = False
    while i < n:
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
            i += 1
            if i < n and pattern[i] == "^":
                i += 1
            if i < n and pattern[i] == "]":  # a leading ] is a member, not the end of the class
                i += 1
            continue
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            out.append(pattern[start:i])
            start = i + 1
        i += 1
    out.append(pattern[start:])
    return out


_GROUP_REFS = {sre_c.GROUPREF, sre_c.GROUPREF_EXISTS, sre_c.GROUPREF_IGNORE}


def _refers_to_groups(items: Sequence[tuple[Any, Any]]) -> bool:
    """Whether the parsed pattern holds a back-reference or a conditional group (numbering matters)."""
    return any(op in _GROUP_REFS or any(map(_refers_to_groups, _children(op, av))) for op, av in items)


def _split(pattern: re.Pattern[str]) -> list[re.Pattern[str]] | None:
    """The pattern's top-level alternatives compiled apart, when each begins with a few known strings and
    needs a literal (so each can be tried only where it may begin, and only when its literals are there);
    None when the pattern is better run whole."""
    if pattern.flags & re.VERBOSE:
        return None
    sources = top_alternatives(pattern.pattern)
    if len(sources) < 2:
        return None
    try:
        if _refers_to_groups(list(_parse(pattern.pattern, pattern.flags))):
            return None
        # Compiled past re's own cache (512 patterns): hundreds of alternatives would push out the patterns
        # the checks compile on every call, which would then be compiled again.
        alternatives = [sre_compile.compile(src, pattern.flags) for src in sources]
    except re.error:
        return None
    for alt in alternatives:
        if alt.match("") is not None or start_literals(alt.pattern, alt.flags) is None:
            return None
        if (
            required_parts(alt.pattern, alt.flags) is None
            and required_literals(alt.pattern, alt.flags) is None
        ):
            return None
    return alternatives


class Scan:
    """What one automaton pass found in a text: the patterns worth running, and where literals occur."""

    def __init__(
        self,
        prefilter: Prefilter,
        text: str,
        may_match: set[int],
        enabled: set[int],
        at: dict[str, list[int]],
    ):
        self.may_match = may_match
        self._prefilter = prefilter
        self._text = text
        self._enabled = enabled  # the units (patterns or alternatives) whose literals are all there
        self._at = at  # literal -> the start offset of each occurrence, ascending

    def _positions(self, unit: int) -> list[int]:
        at = self._at
        starts = self._prefilter._unit_starts[unit]
        assert starts is not None
        lists = [at[s] for s in starts & at.keys()]
        if len(lists) == 1:
            return lists[0]
        return sorted(set(itertools.chain.from_iterable(lists)))

    def finditer(self, i: int) -> Iterator[re.Match[str]]:
        """The matches ``patterns[i].finditer(text)`` yields (their spans; a split pattern's matches come
        from its alternatives, so group numbers are the alternative's), tried only where a match can
        begin."""
        prefilter = self._prefilter
        units = [u for u in prefilter._units_of[i] if u in self._enabled]
        text = self._text
        if len(units) == 1 and prefilter._unit_starts[units[0]] is None:
            yield from prefilter._unit_patterns[units[0]].finditer(text)
            return
        if len(units) == 1:
            pattern = prefilter._unit_patterns[units[0]]
            resume = 0
            for pos in self._positions(units[0]):
                if pos >= resume:
                    m = pattern.match(text, pos)
                    if m is not None:
                        yield m
                        resume = m.end()  # never empty: a match begins with a non-empty start string
            return
        # Alternatives of one pattern: at each position, the first alternative (in the pattern's order)
        # that matches there is the pattern's match, as re tries them.
        tries = sorted((pos, u) for u in units for pos in self._positions(u))
        patterns = prefilter._unit_patterns
        resume = 0
        for pos, u in tries:
            if pos >= resume:
                m = patterns[u].match(text, pos)
                if m is not None:
                    yield m
                    resume = m.end()


class Prefilter:
    """Which of some patterns may match a text, and where their matches may begin, found with one
    Aho-Corasick pass.

    A pattern whose top-level alternatives each begin with a few strings and need literals of their own is
    handled alternative by alternative (a "unit" each): an alternative runs only when its own literals are
    there, and only where it may begin, instead of the whole alternation being tried wherever any
    alternative may begin."""

    def __init__(self, patterns: Sequence[re.Pattern[str]]) -> None:
        self.patterns = list(patterns)
        self._always: set[int] = set()
        self._automaton: ahocorasick.Automaton | None = None
        # Units with more than one part in some alternative: checked part by part once a literal of
        # theirs is seen.
        self._parts: dict[int, list[list[frozenset[str]]]] = {}
        # Patterns every match of which begins with one of these strings: tried only where one occurs.
        self.starts: dict[int, frozenset[str]] = {}
        self._unit_patterns: list[re.Pattern[str]] = []
        self._unit_owner: list[int] = []
        self._unit_starts: list[frozenset[str] | None] = []
        self._units_of: list[list[int]] = []
        literal_owners: dict[str, set[int]] = {}
        for i, pattern in enumerate(patterns):
            begins = start_literals(pattern.pattern, pattern.flags)
            if begins is not None:
                self.starts[i] = begins
            units = _split(pattern) or [pattern]
            self._units_of.append([])
            for unit in units:
                u = len(self._unit_patterns)
                self._unit_patterns.append(unit)
                self._unit_owner.append(i)
                self._units_of[i].append(u)
                unit_begins = begins if unit is pattern else start_literals(unit.pattern, unit.flags)
                self._unit_starts.append(unit_begins)
                for literal in unit_begins or ():
                    literal_owners.setdefault(literal, set())
                parts = required_parts(unit.pattern, unit.flags)
                if parts is None:
                    literals = required_literals(unit.pattern, unit.flags)
                    if literals is None:
                        self._always.add(u)
                        continue
                else:
                    literals = frozenset().union(*(p for alt in parts for p in alt))
                    if any(len(alt) > 1 for alt in parts):
                        self._parts[u] = parts
                for literal in literals:
                    literal_owners.setdefault(literal, set()).add(u)
        # Each distinct part is one bit: a literal sets the bits of the parts it belongs to, and an
        # alternative is complete when all its bits are set (one integer test instead of set scans).
        bits: dict[frozenset[str], int] = {}
        self._alternatives: dict[int, tuple[int, ...]] = {
            u: tuple(sum({1 << bits.setdefault(p, len(bits)) for p in alt}) for alt in parts)
            for u, parts in self._parts.items()
        }
        masks: dict[str, int] = {}
        for part, bit in bits.items():
            for literal in part:
                masks[literal] = masks.get(literal, 0) | 1 << bit
        if literal_owners:
            automaton = ahocorasick.Automaton()
            for literal, owners in literal_owners.items():
                value = (literal, frozenset(owners), masks.get(literal, 0), len(literal) - 1)
                automaton.add_word(literal, value)
            automaton.make_automaton()
            self._automaton = automaton
        self._always_patterns = {self._unit_owner[u] for u in self._always}
        self.filtered = len(patterns) - len(self._always_patterns)

    def scan(self, text: str) -> Scan:
        """One pass over ``text`` (already lower-cased)."""
        enabled = set(self._always)
        at: dict[str, list[int]] = {}
        if self._automaton is None:
            return Scan(self, text, set(self._always_patterns), enabled, at)
        touched: set[int] = set()
        present = 0  # the bits of the parts a seen literal belongs to
        for end, (literal, owners, mask, back) in self._automaton.iter(text):
            hits = at.get(literal)
            if hits is None:
                at[literal] = [end - back]
                touched |= owners
                present |= mask
            else:
                hits.append(end - back)
        for u in touched:
            alternatives = self._alternatives.get(u)
            if alternatives is None:
                enabled.add(u)
                continue
            for needed in alternatives:
                if present & needed == needed:
                    enabled.add(u)
                    break
        owner = self._unit_owner
        return Scan(self, text, {owner[u] for u in enabled}, enabled, at)

    def candidates(self, text: str) -> set[int]:
        """Indexes of the patterns worth running on ``text`` (already lower-cased)."""
        return self.scan(text).may_match
