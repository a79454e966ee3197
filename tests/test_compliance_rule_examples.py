"""Rules that can fire: every built-in rule carries examples of its own, flags each of them (its exceptions
do not cancel them), and leaves its negative examples alone. Each rule runs alone, so a finding cannot
come from a neighbouring rule."""

from __future__ import annotations

import pytest

from service.compliance.engine import ComplianceEngine
from service.compliance.models import Verdict
from service.compliance.rulepacks import CompiledRule, Example, builtin_pack_paths, compile_rules

RULES = compile_rules(builtin_pack_paths())


def _run(rule: CompiledRule, example: Example) -> list[str]:
    engine = ComplianceEngine([rule])
    result = engine.check(
        example.text, sources=example.sources, context=example.context, customer_text=example.customer_text
    )
    return [f.rule_id for f in result.findings]


def test_every_builtin_rule_has_a_positive_example() -> None:
    missing = [r.id for r in RULES if not r.rule.example_items()]
    assert missing == []


@pytest.mark.parametrize(
    ("rule", "example"),
    [(r, e) for r in RULES for e in r.rule.example_items()],
    ids=lambda x: x.id if isinstance(x, CompiledRule) else x.text[:30],
)
def test_rule_fires_on_its_examples(rule: CompiledRule, example: Example) -> None:
    assert rule.id in _run(rule, example), f"{rule.id} does not flag its own example {example.text!r}"


@pytest.mark.parametrize(
    ("rule", "example"),
    [(r, e) for r in RULES for e in r.rule.negative_items()],
    ids=lambda x: x.id if isinstance(x, CompiledRule) else x.text[:30],
)
def test_rule_leaves_its_negatives_alone(rule: CompiledRule, example: Example) -> None:
    assert _run(rule, example) == [], f"{rule.id} flags its negative example {example.text!r}"


def test_unconditional_refund_is_not_excused_by_the_condition_word_inside_it() -> None:
    engine = ComplianceEngine.from_paths()
    assert engine.check("我们无条件退款。").verdict == Verdict.BLOCK
    assert engine.check("我們支持無條件退款。").verdict == Verdict.BLOCK
    # A condition outside the match still excuses it.
    assert engine.check("质量问题支持无条件换货。").verdict == Verdict.PASS
