"""Issue 13, recall on wording nobody here wrote: stacked separators inside contact words, an account id
that no payment or app wording can excuse, and brush-offs recognised by two cues of meaning."""

from __future__ import annotations

import pytest

from service.compliance.engine import ComplianceEngine
from service.compliance.normalize import normalize


@pytest.fixture(scope="module")
def engine() -> ComplianceEngine:
    return ComplianceEngine.from_paths()


def _categories(engine: ComplianceEngine, text: str, **kw: object) -> set[str]:
    return {f.category for f in engine.check(text, **kw).flags}  # type: ignore[arg-type]


def test_stacked_separators_between_chinese_characters_are_dropped() -> None:
    norm = normalize("搜一下微🎉🎉🎉🎉信")
    assert norm.text == "搜一下微信"
    start, end = norm.to_original(3, 5)
    assert norm.original[start:end] == "微🎉🎉🎉🎉信"  # the finding still points at what the reviewer sees


@pytest.mark.parametrize(
    "text",
    [
        "有问题找我 V~X：kf2090，发图给您。",
        "售后统一拉 q-q 群处理，群号 24681357。",
        "找我 w*x：mall_amy 就行。",
        "关注一下公~~~~众号领券。",
    ],
)
def test_contact_words_split_by_symbols_are_caught(engine: ComplianceEngine, text: str) -> None:
    assert "off_platform" in _categories(engine, text)


@pytest.mark.parametrize(
    "text",
    [
        "退款的事请加客服主管微信 ming_2077 处理。",
        "付款遇到问题可以加财务微信：pay66kf。",
    ],
)
def test_an_account_id_after_a_contact_word_is_not_a_payment_mention(
    engine: ComplianceEngine, text: str
) -> None:
    assert "off_platform" in _categories(engine, text)
    assert "off_platform" in _categories(engine, text, context=text)


@pytest.mark.parametrize(
    "text",
    ["退款会原路退回到您的微信零钱。", "用微信支付后一般即时到账。", "型号 W-X200 和 WX300 的区别是容量。"],
)
def test_payment_mentions_and_model_codes_stay_clean(engine: ComplianceEngine, text: str) -> None:
    assert "off_platform" not in _categories(engine, text)


@pytest.mark.parametrize(
    "text",
    [
        "颜色是您自己挑的，这边换不了。",
        "您去问发货方吧，我们看不到。",
        "催几遍都没用，就是这样。",
        "Parcels lost in the post aren't down to us; you'll have to phone the carrier.",
        "A refund for a used item? Not happening.",
    ],
)
def test_brushoffs_are_recognised_by_two_kinds_of_cue(engine: ComplianceEngine, text: str) -> None:
    result = engine.check(text)
    assert "banned_phrase" in {f.category for f in result.flags}
    assert result.verdict == "block"


@pytest.mark.parametrize(
    "text",
    [
        "两款的功能都一样，只是颜色不同。",
        "这边查不到物流，我马上去问快递，稍后回复您。",
        "是您自己下单时选的颜色吗？我帮您核对一下。",
        "We can't refund the shipping fee, but I'll contact the courier for you.",
        "You'll have to sign for the parcel when it arrives.",
    ],
)
def test_one_cue_or_an_agent_who_acts_is_not_a_brushoff(engine: ComplianceEngine, text: str) -> None:
    assert "banned_phrase" not in {f.category for f in engine.check(text).flags}


def test_cue_finding_points_at_the_original_span(engine: ComplianceEngine) -> None:
    text = "運費是您自己選的，這邊退不了。"  # traditional: matched on the simplified form
    flags = [f for f in engine.check(text).flags if f.rule_id == "banned.zh.two_cues"]
    assert flags and text[flags[0].start : flags[0].end] == flags[0].matched
    assert flags[0].matched.startswith("您自己選") and flags[0].matched.endswith("退不了")


def test_cue_params_reject_unknown_alone_kinds() -> None:
    from pydantic import ValidationError

    from service.compliance.checks import CueParams

    with pytest.raises(ValidationError):
        CueParams(cues={"a": "x"}, alone=["b"])


@pytest.mark.parametrize(
    "text",
    [
        "退货的事我们不经手，您跟寄件方去商量。",
        "这种事投诉上去也不会有下文的，您还是别费劲了。",
        "Scratches after delivery are the carrier's business; file the claim with the driver.",
        "We won't be reopening the ticket.",
    ],
)
def test_brushoff_lexicons_cover_a_semantic_field(engine: ComplianceEngine, text: str) -> None:
    assert "banned_phrase" in {f.category for f in engine.check(text).flags}


@pytest.mark.parametrize(
    "text",
    [
        "放一万个心，这次绝不会错发。",
        "我拿信誉担保，下周二前准到。",
        "Count on it: a free replacement for life, no questions asked.",
    ],
)
def test_promises_by_an_assurance_and_a_deadline_or_remedy(engine: ComplianceEngine, text: str) -> None:
    assert "promise" in {f.category for f in engine.check(text).flags}


@pytest.mark.parametrize(
    "text",
    [
        "纯棉百分之百，不起球。",  # a percentage of the fabric, not an assurance
        "价保期内降价，可以申请退差价。",  # a date and a remedy, no assurance: the policy
        "预计周五前送到，具体以物流为准。",
        "It usually arrives within two days.",
    ],
)
def test_a_promise_needs_an_assurance_that_is_not_hedged(engine: ComplianceEngine, text: str) -> None:
    assert "promise.two_cues" not in {f.rule_id for f in engine.check(text).flags}


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("丢件是楼下驿站的事，您去驿站找找。", "banned_phrase"),
        ("我们这边没能力处理，您换个部门问问。", "banned_phrase"),
        ("Nobody here can help with that; it's a customs thing.", "banned_phrase"),
        ("You're better off calling the maker, not us.", "banned_phrase"),
        ("这单我保管周五前送到。", "promise"),
        ("降价的话我们三倍返给您。", "promise"),
        ("Trust me, it cannot possibly arrive after Friday.", "promise"),
    ],
)
def test_structural_cues(engine: ComplianceEngine, text: str, category: str) -> None:
    assert category in {f.category for f in engine.check(text).flags}


@pytest.mark.parametrize(
    "text",
    [
        "最大的心愿是得到您的肯定，祝您每一天都开心。",  # 肯定 as approval, 每一天 as a wish
        "Rest assured we read every message. Delivery usually takes three days.",  # two sentences
    ],
)
def test_promise_cues_stay_in_one_statement(engine: ComplianceEngine, text: str) -> None:
    assert "promise.two_cues" not in {f.rule_id for f in engine.check(text).flags}


def test_a_policy_condition_quoted_from_the_sources_is_no_brush_off(engine: ComplianceEngine) -> None:
    """The offline drafter quotes the store's return rule (damage by use ... cannot be returned without a
    reason); with that rule in the sources it is the store's policy, without them an agent's brush-off."""
    rule = "商品有人为损坏、洗涤过或配件缺失的，无法办理无理由退货。"
    assert engine.check(rule, sources=[rule]).verdict.value == "pass"
    assert "banned_phrase" in _categories(engine, rule)
    english = "Damage in the post isn't down to us, you'll have to ring them."
    assert engine.check(english, sources=[english]).verdict.value == "pass"
    assert "banned_phrase" in _categories(engine, english)
