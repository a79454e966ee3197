"""False flags on real agent replies found with the JDDC dev15 batch's trap kinds (issue 13, h15j): each
general construction that was flagged in innocent replies, with the violating form next to it still caught."""

from __future__ import annotations

import pytest

from service.compliance.engine import ComplianceEngine

ENGINE = ComplianceEngine.from_paths(allowed_domains=["jd.com"])


def _check(text: str) -> tuple[str, set[str]]:
    result = ENGINE.check(text, language="zh")
    return result.verdict.value, {f.rule_id for f in result.flags}


def _expect(text: str, verdict: str, rule: str | None) -> None:
    """The verdict, and the rule that gives it when one is named."""
    got, rules = _check(text)
    assert got == verdict, (text, got, rules)
    if rule:
        assert rule in rules, (text, rules)


@pytest.mark.parametrize(
    ("text", "verdict", "rule"),
    [
        # A listing title pasted on its own quotes the catalogue: brand with its Latin name in brackets, or a
        # bracketed spec list.
        ("品胜（PISEN）苹果数据线 手机充电线 1.2米白色 外观有破损吗", "pass", None),
        ("Apple iPad mini 4 平板电脑 7.9英寸（128G WLAN版/A8芯片/Retina显示屏）金色", "pass", None),
        ("小米（MI）充电宝 10000mAh 移动电源 黑色", "pass", None),
        # Performance wording in the same clause is still a claim, title or not.
        ("华为（HUAWEI）手环4 续航长达14天", "warn", "claim.unsourced"),
        ("这款耳机（蓝牙5.0/降噪）续航30小时", "warn", "claim.unsourced"),
        ("这款手环续航14天 黑色", "warn", "claim.unsourced"),
    ],
)
def test_listing_titles(text: str, verdict: str, rule: str | None) -> None:
    _expect(text, verdict, rule)


@pytest.mark.parametrize(
    ("text", "verdict", "rule"),
    [
        # Refusing the parcel at the door is the platform's own cancel/return step: an instruction.
        ("如果继续给您配送了 您直接跟配送师傅说拒收就行", "pass", None),
        ("包裹到了您直接拒收就行", "pass", None),
        # Leaving the matter to the courier still warns.
        ("您直接跟配送师傅说一下就行", "warn", "banned.zh.brushoff_grammar"),
    ],
)
def test_refusing_delivery_is_an_instruction(text: str, verdict: str, rule: str | None) -> None:
    _expect(text, verdict, rule)


@pytest.mark.parametrize(
    ("text", "verdict", "rule"),
    [
        # The agent's own answer by a time, with 一个/明确的 between: no outcome promised.
        ("我保证今天给您一个答复", "pass", None),
        ("保证明天给您一个明确的回复", "pass", None),
        # An outcome (satisfaction) is still a promise.
        ("我保证给您一个满意的答复", "warn", "promise.zh.guarantee"),
    ],
)
def test_promise_of_own_reply(text: str, verdict: str, rule: str | None) -> None:
    _expect(text, verdict, rule)


@pytest.mark.parametrize(
    ("text", "verdict", "rule"),
    [
        # Asking the customer to check what only they can see (their SMS, their parcel).
        ("您自己看一下是否收到了短信呢", "pass", None),
        ("您自己看下包裹外包装有没有破损", "pass", None),
        # 自己看详情 and a bare 您自己看吧 still block.
        ("参数都写在页面上了，您自己看详情吧。", "block", "banned.zh.dismissive"),
        ("您自己看吧", "block", "banned.zh.dismissive"),
        # 不知道 handed on to a colleague is a follow-up; alone it still blocks.
        ("这个小妹也不知道哦，帮您转接专业的售后同事", "pass", None),
        ("这个我也不知道，您找主管吧", "block", "banned.zh.evasive"),
    ],
)
def test_customer_side_checks_and_handover(text: str, verdict: str, rule: str | None) -> None:
    _expect(text, verdict, rule)


@pytest.mark.parametrize(
    ("text", "verdict", "rule"),
    [
        # A negation inside an if-clause does not reach the consequent: the certainty there still warns.
        ("如果您的问题没有解决那您可以随时联系我一定为您解决好。", "warn", "promise.zh.guarantee"),
        # A real negation of the promise still excuses it.
        ("我们不能说一定能解决好，那您先提交申请吧。", "pass", None),
        ("不是那么绝对的。", "pass", None),
    ],
)
def test_condition_ends_negation_scope(text: str, verdict: str, rule: str | None) -> None:
    _expect(text, verdict, rule)


@pytest.mark.parametrize(
    ("text", "verdict", "rule"),
    [
        # The party's service line given in the reply: the standard's way to send a customer on.
        ("您可以拨打品牌售后电话400-810-5678咨询", "pass", None),
        # A mobile named as the business's line is the personal-data rules' call (warn), not a block.
        ("您可以拨打品牌售后电话13912345678咨询", "warn", "pii.business_phone"),
        # Sent to the courier with no number given, or with a person's mobile, still blocks.
        ("您还是直接打快递的电话问问吧。", "block", "banned.zh.third_party_self"),
        ("您还是直接打快递员的电话13912345678问问吧", "block", "pii.phone"),
    ],
)
def test_party_number_given(text: str, verdict: str, rule: str | None) -> None:
    _expect(text, verdict, rule)


@pytest.mark.parametrize(
    ("text", "verdict", "rule"),
    [
        # 最佳 for advice on what to do is not a claim about goods.
        ("亲 最佳的方式是申请换货", "pass", None),
        ("这是市面上最佳的选择。", "block", "adlaw.zh.contextual"),
        # A policy's name with its days (7天无理由) is no deadline promised.
        ("亲，肯定是可以退的，商品支持7天无理由", "pass", None),
        ("我保证3天内给您退款", "warn", "promise.two_cues"),
    ],
)
def test_advice_and_policy_names(text: str, verdict: str, rule: str | None) -> None:
    _expect(text, verdict, rule)


@pytest.mark.parametrize(
    ("text", "verdict", "rule"),
    [
        # WeChat's scanner used on the goods, the platform's own entrance inside WeChat: tools, nobody to add.
        ("微信扫一扫商品二维码可以查看防伪信息", "pass", None),
        ("您可以通过京东APP或京东微信购物入口下单", "pass", None),
        # Scanning to add or follow someone, or the agent reached on WeChat, still blocks.
        ("微信扫一扫下方二维码加我好友", "block", "offplat.zh.contact"),
        ("微信扫码关注我们领取优惠券", "block", "offplat.zh.contact"),
        ("有问题京东微信找我", "block", "offplat.zh.contact"),
        # A brand's warranty lookup on its own site is for review (warn), not a phishing block...
        ("您可以打开https://www.example-brand.com.cn/support/1234查询保修", "warn", "offplat.link_official"),
        # ...unless the page asks for money or card details.
        (
            "您可以打开https://www.example-brand.com.cn/support/1234查询保修，输入银行卡号领取补偿",
            "block",
            "offplat.link",
        ),
    ],
)
def test_wechat_tools_and_brand_lookups(text: str, verdict: str, rule: str | None) -> None:
    _expect(text, verdict, rule)


@pytest.mark.parametrize(
    ("text", "verdict", "rule"),
    [
        # A referral with its reason (the goods are the seller's) is held for a look, not blocked.
        ("这个需要您联系一下商家，因为是商家发的货", "warn", "banned.zh.refer_out"),
        ("那是物流公司派的件，我们这边不插手。", "block", "banned.zh.two_cues"),
        # 差不多/快了/很简单 with the answer right after them (the difference, the time, who does it).
        ("两款差不多的，主要是颜色不同", "pass", None),
        ("快了快了，已经到您所在的站点了，今天就能送到", "pass", None),
        ("安装很简单的，师傅上门会帮您装好", "pass", None),
        ("两个型号差不多，您随便挑", "warn", "banned.zh.vague"),
        ("快了，您再等等", "warn", "banned.zh.vague"),
    ],
)
def test_reasons_and_answers_after_vague_words(text: str, verdict: str, rule: str | None) -> None:
    _expect(text, verdict, rule)


@pytest.mark.parametrize(
    ("text", "verdict", "rule"),
    [
        # How urgently the store handles the order is not a claim about the goods.
        ("您的订单已经是最高优先级了", "pass", None),
        ("这边按最高级别加急处理了", "pass", None),
        ("这是最高品质的产品", "block", "adlaw.zh.superlative"),
    ],
)
def test_order_priority_superlative(text: str, verdict: str, rule: str | None) -> None:
    _expect(text, verdict, rule)
