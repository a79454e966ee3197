"""The literal prefilter may only skip a rule that cannot match: never a finding lost."""

from __future__ import annotations

import functools
import random
import re

import pytest

from service.compliance.checks import CueParams
from service.compliance.engine import ComplianceEngine
from service.compliance.normalize import normalize
from service.compliance.prefilter import (
    Prefilter,
    required_literals,
    required_parts,
    search_at_end,
    search_between,
    start_literals,
    top_alternatives,
)
from service.compliance.scoring import load_labelled_set
from tests.conftest import REPO


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (r"包退包换|无条件(?:退|换)", {"包退包换", "无条件"}),
        (r"\bthe\s+best\b", {"best"}),  # the longer of the two mandatory words
        (r"(?:全网|全国)第一", {"第一"}),  # re factors the branch into 全[网国]: 第一 is the longer need
        (r"微\s?信", {"微"}),
        (r"(?:vip)+会员", {"vip"}),
        (r"(?:包退|包换)(?:吗)?", {"包"}),
        (r"[0-9]+天", {"天"}),
        (r"Add me", {"add me"}),  # text is lower-cased before matching
    ],
)
def test_the_literals_every_match_needs(pattern: str, expected: set[str]) -> None:
    assert required_literals(pattern) == frozenset(expected)


@pytest.mark.parametrize("pattern", [r"[0-9]{11}", r"(?:好)?", r"a|[0-9]", r"\d+(?:元|块)?", r".+"])
def test_patterns_without_a_needed_literal_are_never_skipped(pattern: str) -> None:
    assert required_literals(pattern) is None
    assert Prefilter([re.compile(pattern)]).candidates("任何文字") == {0}


def test_each_alternative_keeps_every_part_it_needs() -> None:
    parts = required_parts(r"(?:保证|一定)\S{0,4}(?:明天|后天)\S{0,2}到|包邮")
    assert parts == [
        [frozenset({"保证", "一定"}), frozenset({"明天", "后天"}), frozenset({"到"})],
        [frozenset({"包邮"})],
    ]
    assert required_parts(r"保证\S*到|[0-9]+") is None  # one alternative needs no literal


def test_a_rule_runs_only_when_some_alternative_has_all_its_parts() -> None:
    prefilter = Prefilter([re.compile(r"(?:保证|一定)\S{0,4}(?:明天|后天)\S{0,2}到|包邮")])
    assert prefilter.candidates("快递明天到") == set()  # a time and 到, but no certainty word
    assert prefilter.candidates("保证明天到") == {0}
    assert prefilter.candidates("全场包邮") == {0}


@functools.cache  # three tests read it; loading and normalising every dev set once is enough
def _corpus() -> tuple[str, ...]:
    items = load_labelled_set(REPO / "eval" / "compliance_set.yaml").items
    texts = [i.text for i in items]
    for path in sorted((REPO / "eval" / "compliance").glob("*.dev*.yaml")):  # evasions and look-alikes
        texts += [i.text for i in load_labelled_set(path).items]
    rng = random.Random(5)
    # Mixed drafts as the engine sees them: several labelled sentences run together.
    texts += ["".join(rng.sample(texts, 4)) for _ in range(200)]
    return tuple(normalize(t).text for t in texts)


def test_no_rule_that_matches_is_ever_skipped() -> None:
    engine = ComplianceEngine.from_paths()
    patterns = [r.regex for r in engine._other_rules if r.regex is not None]
    prefilter = Prefilter(patterns)
    assert prefilter.filtered >= len(patterns) // 2  # it does skip work
    matched = 0
    for text in _corpus():
        may = prefilter.candidates(text)
        for i, pattern in enumerate(patterns):
            if pattern.search(text):
                matched += 1
                assert i in may, (pattern.pattern[:60], text)
    assert matched > 100  # the corpus exercises the rules


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (r"\b(?:the|our)\s+best\b", {"the", "our"}),  # \b consumes nothing: the words begin the match
        (r"(?<![a-z])vx|微\s?信", {"vx", "微"}),
        (r"(?:请|)加我", {"请加我", "加我"}),  # an empty alternative: the rest begins the match
        (r"(?:亲)?包邮", {"亲", "包邮"}),
        (r"[0-9]+天", set("0123456789")),
        (r"\s?(?:add|dm)", {" ", "\t", "\n", "\r", "\x0b", "\x0c", "add", "dm"}),
        (r"Add me", {"add me"}),  # text is lower-cased before matching
    ],
)
def test_the_strings_every_match_begins_with(pattern: str, expected: set[str]) -> None:
    assert start_literals(pattern, re.ASCII | (re.IGNORECASE if "A" in pattern else 0)) == frozenset(expected)


@pytest.mark.parametrize(
    "pattern",
    [r"[^，。]{0,4}到", r".?包邮", r"\w+@", r"(?:a?)+b", r"(?i:x)y", r"[\u4e00-\u9fff]+", r"(?:x|[^y])z"],
)
def test_patterns_that_may_begin_anywhere_have_no_anchor(pattern: str) -> None:
    assert start_literals(pattern, re.ASCII) is None


def test_anchored_matches_are_the_matches_finditer_yields() -> None:
    """The packs' patterns, tried only where a start string occurs, yield exactly finditer's matches on
    the labelled, evasion and look-alike texts (overlapping candidates, lookbehinds and \\b included)."""
    engine = ComplianceEngine.from_paths()
    prefilter = Prefilter([r.regex for r in engine._other_rules if r.regex is not None])
    assert len(prefilter.starts) >= len(prefilter.patterns) // 2  # most rules are anchored
    compared = 0
    for text in _corpus():
        scan = prefilter.scan(text)
        for i, pattern in enumerate(prefilter.patterns):
            expected = [m.span() for m in pattern.finditer(text)]
            got = [m.span() for m in scan.finditer(i)] if i in scan.may_match else []
            assert got == expected, (pattern.pattern[:60], text)
            compared += bool(expected)
    assert compared > 100


@pytest.mark.parametrize(
    ("pattern", "text"),
    [
        (r"(?:不要|别)[^，。]{0,4}\Z", "请您不要加"),
        (r"(?<![能会])(?:不要|别)\Z", "能不要"),  # the lookbehind still sees what lies before
        (r"(?:不要|别)[^，。]*\Z", "不要加他的微信吧"),  # unbounded: searched from the start
        (r"别\Z", "一二三四五六七八九十别"),
        (r"别", "别说了"),  # no \Z: a plain search
        (r"(?:不要|别)[^，。]{0,4}\Z", "请您加一下"),  # no required literal in reach: no match
        (r"(?:不要|别)[^，。]{0,4}\Z", "不要，请您加"),  # the literal lies before the reach
        (r"(?i:wx)\Z", "add WX"),  # a group that folds case: searched without the literal guard
        (r"(?:never|not)\s+\w+\Z", "i will NOT add"),  # case-sensitive: no match, guarded or not
    ],
)
def test_a_search_at_the_end_finds_what_search_finds(pattern: str, text: str) -> None:
    compiled = re.compile(pattern)
    got, want = search_at_end(compiled, text), compiled.search(text)
    assert (got and got.span()) == (want and want.span())


@pytest.mark.parametrize(
    ("pattern", "text"),
    [
        (r"保证\S{0,3}到|保证", "保证明天到，保证"),  # at one place the first alternative that matches wins
        (r"保证|保证\S{0,3}到", "保证明天到"),
        (r"\bnot (?:my|our) problem\b|\bnot\b", "it is not my problem, not ours"),
        (r"(微)\1信|微信", "微微信 微信"),  # a back-reference: run whole
        (r"[|]a|b", "|a b a|"),  # the | inside a class does not split
        (r"(?:a|b)c|dc", "ac bc dc"),
    ],
)
def test_alternatives_tried_apart_yield_the_matches_of_the_whole_pattern(pattern: str, text: str) -> None:
    compiled = re.compile(pattern, re.ASCII)
    scan = Prefilter([compiled]).scan(text)
    got = [m.span() for m in scan.finditer(0)] if 0 in scan.may_match else []
    assert got == [m.span() for m in compiled.finditer(text)]


def test_top_level_alternatives_are_split_outside_groups_and_classes() -> None:
    assert top_alternatives(r"a(?:b|c)|[|\]]d|e\|f") == ["a(?:b|c)", r"[|\]]d", r"e\|f"]


def test_cue_checks_find_in_the_engine_scan_what_their_own_prefilter_finds() -> None:
    """The cue checks' patterns sit in the engine's prefilter: its one scan gives each the same cues. A check
    bounded to short texts (``max_text``) stays out of it and scans for itself."""
    engine = ComplianceEngine.from_paths()
    all_cue = [r for r in engine._other_rules if isinstance(r.params, CueParams)]
    assert all(id(r.params) not in engine._scan_offsets for r in all_cue if r.params.max_text is not None)
    cue_rules = [r for r in all_cue if r.params.max_text is None]
    assert len(cue_rules) >= 3
    found = 0
    for text in _corpus():
        scan = engine._prefilter.scan(text)
        for rule in cue_rules:
            shared = (scan, engine._scan_offsets[id(rule.params)])
            own = rule.params.find(text)
            assert rule.params.find(text, shared) == own, (rule.id, text)
            found += bool(own)
    assert found > 100


@pytest.mark.parametrize(
    ("pattern", "text", "pos", "endpos"),
    [
        (r"(?:质量问题|规定)", "按规定处理，质量问题", 0, 5),
        (r"(?:质量问题|规定)", "按规定处理，质量问题", 3, 8),  # the literal runs past endpos
        (r"(?<=按)规定", "按规定", 1, 3),  # lookbehinds still see before pos
        (r"\bfor you\b", "i'll check for you", 0, 18),
    ],
)
def test_a_search_between_finds_what_search_finds(pattern: str, text: str, pos: int, endpos: int) -> None:
    compiled = re.compile(pattern)
    got, want = search_between(compiled, text, pos, endpos), compiled.search(text, pos, endpos)
    assert (got and got.span()) == (want and want.span())
