"""Context on real agent replies (issue 13, h13j): general causes of false flags, each with the violation
next to it that must still be caught."""

from __future__ import annotations

import pytest

from service.compliance.engine import ComplianceEngine
from service.compliance.normalize import normalize

ENGINE = ComplianceEngine.from_paths(allowed_domains=["jd.com"])


def _check(text: str) -> tuple[str, set[str]]:
    result = ENGINE.check(text, language="zh")
    return result.verdict.value, {f.rule_id for f in result.flags}


def test_masked_number_reads_as_a_number() -> None:
    norm = normalize("最多再等[数字x]天")
    assert norm.text == "最多再等2天"
    # The digit maps back to the mask, so a finding still points at the reviewer's text.
    start, _ = norm.to_original(4, 5)
    assert norm.original[start] == "["


@pytest.mark.parametrize(
    ("text", "verdict", "rule"),
    [
        # Masked numbers in logged conversations: a limit or an estimate with its number, not a claim.
        ("最多再等[数字x]天就可以送到了", "pass", None),
        ("最快[数字x]小时送达，请您留意电话", "pass", None),
        ("单笔订单最多可以使用[数字x]张优惠券", "pass", None),
        # The mask changes nothing for a claim.
        ("这是最好的一款，只要[数字x]元", "block", "adlaw.zh.best"),
        ("这款卖得最火，已经卖出[数字x]万台", "block", "adlaw.zh.absolute"),
    ],
)
def test_masked_placeholders(text: str, verdict: str, rule: str | None) -> None:
    got, rules = _check(text)
    assert got == verdict
    if rule is not None:
        assert rule in rules


@pytest.mark.parametrize(
    ("text", "verdict", "rule"),
    [
        # A mobile number named as a service point's, shop's or manufacturer's line: a reviewer checks it.
        ("建议您联系一下当地网点哦，13812345678", "warn", "pii.business_phone"),
        ("厂家售后电话是13812345678，您可以咨询", "warn", "pii.business_phone"),
        ("维修点的联系方式是13812345678，工作日都有人", "warn", "pii.business_phone"),
        # A person's number stays blocked, whoever they work for.
        ("配送员电话13812345678，您可以联系他", "block", "pii.phone"),
        ("网点的王师傅电话13812345678", "block", "pii.phone"),
        ("您的手机号是13812345678对吗", "block", "pii.phone"),
        ("门店电话就是我的手机13812345678，有事打我", "block", "pii.phone"),
        ("厂家售后加微信13812345678", "block", "pii.phone"),
    ],
)
def test_business_line_warns_person_blocks(text: str, verdict: str, rule: str) -> None:
    got, rules = _check(text)
    assert got == verdict
    assert rule in rules


@pytest.mark.parametrize(
    ("text", "verdict"),
    [
        # A refusal with its reason, or with the customer's own next step on the platform: a plain answer.
        ("确实没办法修改了，因为订单已经出库了", "pass"),
        ("实在没办法改地址，您可以拒收后重新下单", "pass"),
        ("这个确实没办法，由于已经超过价保周期了", "pass"),
        # A bare "nothing can be done" still warns; pushed onto a third party or left alone, it blocks.
        ("确实没办法。", "warn"),
        ("这个真的没办法，您自己看着办吧", "block"),
        ("确实没办法，您可以去找快递问问", "block"),
    ],
)
def test_refusal_with_reason(text: str, verdict: str) -> None:
    assert _check(text)[0] == verdict


@pytest.mark.parametrize(
    ("text", "verdict"),
    [
        # 保证 about the agent's own reply or call back by a time: the service's next step, no outcome.
        ("我保证今天下班前给您回复处理结果", "pass"),
        ("我们保证会在2小时内给您回电", "pass"),
        # An outcome by a time is still a promise.
        ("我保证明天给您回复退款成功", "warn"),
        ("保证明天一定给您退款到账", "warn"),
        ("我保证今天之内给您送到", "block"),
    ],
)
def test_assurance_about_own_reply(text: str, verdict: str) -> None:
    assert _check(text)[0] == verdict


@pytest.mark.parametrize(
    ("text", "verdict"),
    [
        ("能遇到您这么通情达理的顾客，是我们最大的福气", "pass"),
        ("有您这样的老顾客是小店最大的幸福", "pass"),
        ("这是最大的一款热水器", "block"),
    ],
)
def test_courtesy_superlatives(text: str, verdict: str) -> None:
    assert _check(text)[0] == verdict


@pytest.mark.parametrize(
    ("text", "verdict", "rule"),
    [
        # A platform credit with an amount (京券, 余额, 京豆) is a goodwill credit a reviewer checks.
        ("这边给您补偿5元京券，您看可以吗", "warn", "promise.zh.goodwill_credit"),
        ("补偿您2元余额，给您添麻烦了", "warn", "promise.zh.goodwill_credit"),
        # Cash promised outright still blocks.
        ("这边给您补偿200元", "block", "promise.compensation_amount"),
        ("给您返10元红包作为补偿", "block", "promise.compensation_amount"),
    ],
)
def test_platform_credit_warns_cash_blocks(text: str, verdict: str, rule: str) -> None:
    got, rules = _check(text)
    assert got == verdict
    assert rule in rules


@pytest.mark.parametrize(
    ("text", "verdict"),
    [
        # A store department's office the customer sends a return or an invoice to: a business's address,
        # room number and all (no sources: nothing to check it against).
        ("退货请寄到售后中心：朝阳区建国路88号3单元502室", "pass"),
        ("发票邮寄地址：朝阳区建国路88号3单元502室，财务部收", "pass"),
        ("我们仓库地址是朝阳区建国路88号", "pass"),
        # A home or a delivery record stays personal data.
        ("您的收货地址是朝阳区建国路88号3单元502室对吗", "block"),
        ("寄到我家朝阳区建国路88号3单元502室，财务部的同事会转交", "block"),
        ("寄到朝阳区建国路88号3单元502室 王明 13812345678", "block"),
        ("请寄到北京市朝阳区建国路88号。", "block"),
    ],
)
def test_department_address_is_business(text: str, verdict: str) -> None:
    assert _check(text)[0] == verdict


def test_shop_line_warns() -> None:
    got, rules = _check("这是店铺的售后电话13812345678，您可以联系")
    assert got == "warn"
    assert "pii.business_phone" in rules


@pytest.mark.parametrize(
    ("text", "verdict"),
    [
        # The customer's question read back and answered "that depends": no claim is made.
        ("这款是首选的入门款吗？这个看您的需求哦", "pass"),
        ("这个活动是独家的吗？具体以页面为准", "pass"),
        # Answered yes, the claim is made.
        ("这款是最好的吗？是的，这款是最好的", "block"),
        ("这款是首选吗？当然是首选！", "block"),
        # 唯一 about an order, 100% of a refund returned, privacy ruled out: not claims or promises.
        ("您的订单是唯一的，不会重复扣款", "pass"),
        ("货款会100%原路退回到您的支付账户", "pass"),
        ("绝对不会泄露您的个人信息", "pass"),
        ("这款面霜百分之百有效", "block"),
        ("这个您放心，收到的一定是完好的", "warn"),
    ],
)
def test_hedged_answers_and_policy_absolutes(text: str, verdict: str) -> None:
    assert _check(text)[0] == verdict


@pytest.mark.parametrize(
    ("text", "verdict"),
    [
        # WeChat or QQ as a device feature, or the platform found inside the app: nobody to add.
        ("这款手表支持微信和QQ消息提醒", "pass"),
        ("摄像头的报警可以推送到微信", "pass"),
        ("小程序里也可以下单，在微信里搜索京东购物就可以", "pass"),
        # Asked to add or message someone, it is off-platform contact again.
        ("这款手表支持微信消息提醒，有问题加我微信", "block"),
        ("有问题发我QQ消息", "block"),
        ("在微信里搜索我的号kf_2233", "block"),
    ],
)
def test_app_features_and_platform_navigation(text: str, verdict: str) -> None:
    assert _check(text)[0] == verdict
