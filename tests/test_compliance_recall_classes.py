"""Issue 13 (recall side): word classes in packs, negation scoped to its own phrase, spelled-out contact
details, and an agent context that never excuses handing out a number to call."""

from __future__ import annotations

import re

import pytest

from service.compliance.engine import ComplianceEngine
from service.compliance.normalize import normalize
from service.compliance.rulepacks import expand_classes


@pytest.fixture(scope="module")
def engine() -> ComplianceEngine:
    return ComplianceEngine.from_paths()


def _rules(engine: ComplianceEngine, text: str, **kw: object) -> set[str]:
    return {f.rule_id for f in engine.check(text, **kw).flags}  # type: ignore[arg-type]


def test_expand_classes_longest_first_and_unknown_names_kept() -> None:
    out = expand_classes("{AA}x{BB}", {"AA": ["我", "我们", "本店", "品牌方?"]})
    assert out == "(?:品牌方?|(?:我们?|本店))x{BB}"
    assert re.fullmatch(expand_classes("{AA}", {"AA": ["我", "我们", "我们店"]}), "我们店")


def test_pack_class_names_are_validated(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from service.compliance.rulepacks import load_pack
    from service.errors import ReplydraftError

    bad = tmp_path / "p.yaml"
    bad.write_text("pack: p\nclasses: {lower: [x]}\nrules: []\n", encoding="utf-8")
    with pytest.raises(ReplydraftError):
        load_pack(bad)


@pytest.mark.parametrize(
    "text",
    [
        "不会让您久等的加我微信聊",  # a sentence-final 的 ends the negated phrase before an imperative
        "不用犹豫了保证明天送到",  # 了 completes the negated phrase
        "不是我自夸这就是最有效的面霜",  # a new subject with its own predicate
        "不需要您操作我们承诺后天必到",
    ],
)
def test_negation_elsewhere_does_not_excuse(engine: ComplianceEngine, text: str) -> None:
    assert engine.check(text).verdict != "pass"


@pytest.mark.parametrize(
    "text", ["请勿添加陌生人微信", "我不能说它是最好的，只能说适合您。", "不能保证明天到，具体看快递。"]
)
def test_negation_in_its_own_phrase_still_excuses(engine: ComplianceEngine, text: str) -> None:
    assert engine.check(text).verdict == "pass"


def test_spelled_out_contact_details_are_normalised() -> None:
    assert normalize("Please add w e c h a t: x").text == "please add wechat: x"
    assert "13812345678" in normalize("call one three eight, one two three four, five six seven eight").text
    assert "15012345678" in normalize("电话是一五零，一二三四，五六七八。").text
    assert normalize("步骤一、二、三、四、五、六、七").text == "步骤一、二、三、四、五、六、七"
    assert normalize("sold 1,234,567 units").text == "sold 1,234,567 units"


def test_context_never_excuses_a_number_to_call(engine: ComplianceEngine) -> None:
    ctx = "店长电话 13912345678"
    assert "pii.phone" in _rules(engine, "有问题直接打店长电话 13912345678。", context=ctx)
    # Repeating the customer's own number from the context stays clean.
    assert "pii.phone" not in _rules(engine, "已按您的号码13912345678登记。", context="客户电话 13912345678")
