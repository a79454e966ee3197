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


# Brush-offs, certainty and nicknames by meaning (h13e): a frame (sending off, staying out, futility, a
# vouching idiom, a chat app's nickname or a handle) composed with a class, not one spelling.
@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("发票问题请直接找开票方。", "banned.zh.send_off"),  # a party named by its kind (…方)
        ("少件的话您去问发货的仓库吧。", "banned.zh.send_off"),
        ("质量问题您可以直接打给厂家，他们会处理的。", "banned.zh.refer_third"),
        ("这属于您和快递之间的纠纷，我们不便介入。", "banned.zh.on_your_own"),
        ("这个问题我们解释不了，您爱信不信。", "banned.zh.futile"),  # 爱X不X, any X
        ("这个 issue 我们 handle 不了。", "banned.zh.mixed_send_off"),
        ("You'd need to speak to the courier.", "banned.en.send_off"),
        ("That's for your bank to sort out, not us.", "banned.en.send_off"),
        ("这单我给您打包票，明天上午送到。", "promise.zh.arrival"),
        ("买完降价的话，我们一分不少把差价补给您。", "promise.zh.price_diff"),
        ("有事Q我：445566778。", "offplat.zh.nickname"),
        ("我们有个福利群，群主薇：fuli_01。", "offplat.zh.nickname"),
        ("No other store on the platform sells more of these than we do.", "adlaw.en.ranking_scope"),
        # a refusal and a shift in one sentence, in either order, whatever the spelling of each half
        ("物流那边的事我们也没权限，您自个儿问吧。", "banned.zh.refuse_and_shift"),
        ("这个得问生产商，我们只负责上架。", "banned.zh.refuse_and_shift"),
        (
            "I won't be escalating this; the manufacturer decides warranty cases, so write to them.",
            "banned.en.refuse_and_shift",
        ),
    ],
)
def test_meaning_level_recall(engine: ComplianceEngine, text: str, rule: str) -> None:
    found = _rules(engine, text)
    # Overlapping brush-off findings collapse into the longest-spanning rule of the same severity: where the
    # grammar rule (banned.zh.two_cues, whose cue kinds include who the matter belongs to: 物流那边的事)
    # spans the whole sentence, it reports the refusal-and-shift (or the futility: 解释不了，您爱信不信)
    # instead.
    if rule in ("banned.zh.refuse_and_shift", "banned.zh.futile") and "banned.zh.two_cues" in found:
        return
    assert rule in found


@pytest.mark.parametrize(
    "text",
    [
        "少件的话我去问发货仓库，半小时内回复您。",
        "您不需要自己想办法，交给我来处理。",
        "You don't need to contact the carrier yourself; I've already raised it.",
        "The warranty is handled by the maker, and I'll open the claim with them for you today.",
        "这款球球玩具适合三岁以上的小朋友。",
        "您的账号 user_1024 已经绑定成功。",
        "商品还未出库，这边没法帮您联系站点。",  # the agent's own action declined, nothing shifted
        "这个得问生产商，我这就去问，下午给您答复。",
        "It is one of the top products in its category by reviews, 4.8 stars.",
    ],
)
def test_meaning_level_rules_leave_lookalikes_alone(engine: ComplianceEngine, text: str) -> None:
    assert engine.check(text).verdict == "pass"


@pytest.mark.parametrize("text", ["你可以咨询一下派件员可不可以。", "您可以联系配送员为您配送呢~"])
def test_an_offered_third_party_contact_is_for_a_reviewer_not_a_block(
    engine: ComplianceEngine, text: str
) -> None:
    """An option offered is not a brush-off, but the label guide (eval/jddc/README.md) has a reviewer look at
    any reply that sends the customer to a third party (联系配送员协商: warn)."""
    assert engine.check(text).verdict == "warn"
