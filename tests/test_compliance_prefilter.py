"""The literal prefilter may only skip a rule that cannot match: never a finding lost."""

from __future__ import annotations

import random
import re

import pytest

from service.compliance.engine import ComplianceEngine
from service.compliance.normalize import normalize
from service.compliance.prefilter import Prefilter, required_literals
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


def _corpus() -> list[str]:
    items = load_labelled_set(REPO / "eval" / "compliance_set.yaml").items
    texts = [i.text for i in items]
    rng = random.Random(5)
    # Mixed drafts as the engine sees them: several labelled sentences run together.
    texts += ["".join(rng.sample(texts, 4)) for _ in range(200)]
    return [normalize(t).text for t in texts]


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
