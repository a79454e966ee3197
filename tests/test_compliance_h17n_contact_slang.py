"""Issue 13 (helper h17n): off-platform contact by slang, mixed language and disguised domains.

- ``offplat.zh.contact`` reads the homophones 胃信 (WeChat) and 蔻蔻 (QQ).
- ``offplat.zh.payment`` reads a transfer by the app's abbreviation (zfb直接转我, 支付宝打给我).
- ``offplat.zh.channel`` reads an account handle after any chat app's name (我的 ins：x, 我的抖音：x) and
  searching the store on another marketplace by its coy name (某宝搜我们店名, 拼多多搜我家).
- ``offplat.zh.nickname`` reads the English verb (add 我的薇) and 我的薇 / 我的威 before a comma or id.
- ``offplat.link`` reads a disguised domain whose ending is spelled out letter by letter (x 点 c o m).
Product names, payments and warnings on the same words stay clean. Sentences are written here, not taken
from the eval batches."""

from __future__ import annotations

import pytest

from service.compliance.engine import ComplianceEngine


@pytest.fixture(scope="module")
def engine() -> ComplianceEngine:
    return ComplianceEngine.from_paths(allowed_domains=["jd.com"])


def _offplat(engine: ComplianceEngine, text: str) -> set[str]:
    return {f.rule_id for f in engine.check(text, sources=[]).flags if f.rule_id.startswith("offplat.")}


@pytest.mark.parametrize(
    "text",
    [
        "有事加我胃信：lucky_77。",
        "售后请加蔻蔻 123456789。",
        "zfb直接转我就行，给您便宜点。",
        "用支付宝打给我，马上发货。",
        "某宝搜我们店名，能便宜不少。",
        "拼多多搜我家，同款价格更低。",
        "有问题可以私信我的抖音：bc_store。",
        "方便的话 add 我的威，给您发视频。",
        "加我的薇，号是 kf_rose。",
        "请访问 bc-outlet 点 n e t 领取优惠券。",
        "打开 refund-now . c o m 申请退款。",
    ],
)
def test_contact_slang_blocks(engine: ComplianceEngine, text: str) -> None:
    assert _offplat(engine, text), text


@pytest.mark.parametrize(
    "text",
    [
        "薇诺娜的面霜适合敏感肌。",
        "豆蔻色的口红目前有货。",
        "订单已用支付宝付款成功，退款会原路退回。",
        "我们不会让您通过支付宝转账，请在平台付款。",
        "淘宝的订单我们这边查不到，请在京东下单。",
        "请不要添加任何自称客服的微信。",
        "官网 jd 点 c o m 可以查看订单。",
        "这个问题我马上帮您处理，请稍等。",
    ],
)
def test_lookalikes_stay_clean(engine: ComplianceEngine, text: str) -> None:
    assert not _offplat(engine, text), text


def test_a_long_run_of_labels_with_no_domain_is_read_and_passes(engine: ComplianceEngine) -> None:
    # " 点 " reads as two spellings of a dot; before the dot was atomic, 40 labels that end in no domain made
    # the link patterns backtrack through 2**40 ways (the check never returned)
    text = "ab-cd.ef 点 " * 40 + "c o mx"
    assert not _offplat(engine, text)
