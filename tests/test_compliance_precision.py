"""Precision on real text (issue 13): the severity ladder and look-alike exceptions by meaning."""

from __future__ import annotations

import pytest

from service.compliance.engine import ComplianceEngine

ENGINE = ComplianceEngine.from_paths(allowed_domains=["jd.com", "3.cn"])


def _check(text: str) -> tuple[str, set[str]]:
    result = ENGINE.check(text)
    return result.verdict.value, {f.rule_id for f in result.flags}


@pytest.mark.parametrize(
    ("text", "verdict", "rule"),
    [
        # A bare quality assurance warns; authenticity policy and a quality process pass.
        ("这批货都是正品，我保证质量。", "warn", "promise.zh.guarantee"),
        ("京东自营，保证正品。", "pass", None),
        ("工厂层层质检，严格把关保证品质。", "pass", None),
        # A goodwill credit applied for with an amount warns; money promised outright blocks.
        ("我这边帮您申请5元余额补偿，您看行吗？", "warn", "promise.zh.goodwill_credit"),
        ("我先帮您申请一下，补偿您8元余额。", "warn", "promise.zh.goodwill_credit"),
        ("这次给您带来麻烦，我们赔您200元。", "block", "promise.compensation_amount"),
        # A brand's support site named as such warns; a link that asks for a refund form blocks.
        ("显卡驱动请到品牌官网 www.acme-graphics.com 下载。", "warn", "offplat.link_official"),
        ("退款请到官网 acme-refund.com 填写银行卡信息。", "block", "offplat.link"),
        ("驱动请到官网 acme-drivers.top 下载。", "block", "offplat.link"),
        ("说明书在官网 jd-manuals.com 下载。", "block", "offplat.link"),
    ],
)
def test_severity_ladder(text: str, verdict: str, rule: str | None) -> None:
    got, rules = _check(text)
    assert got == verdict
    if rule is not None:
        assert rule in rules


@pytest.mark.parametrize(
    "text",
    [
        "型号VX 200和WX系列的滤芯不通用。",
        "机身编号WX20231188，保修时要用到。",
        "您是微信用户的话，可以用微信登录。",
        "如有陌生人以客服名义让您加QQ，请直接举报。",
        "这款未必是最轻的，您可以对比一下。",
        "每个ID最多兑换3次。",
        "《最强大脑》同款魔方有三阶和四阶。",
        "您绑定的邮箱是li***@example.org，发票已发送到这个邮箱。",
        "This isn't the cheapest option, but it lasts longer.",
    ],
)
def test_lookalikes_pass(text: str) -> None:
    assert _check(text) == ("pass", set())


@pytest.mark.parametrize(
    "text",
    [
        "加我VX 1234567详细聊。",
        "型号的事加我微信问。",
        "型号的问题微信问。",
        "我的微信用户名是shop123。",
        "绑定微信后发消息给我。",
        "别在平台聊了加我微信。",
        "这是《全网最低价》活动。",
        "没有哪款比它更好。",
        "This is the best kettle, isn't it?",
    ],
)
def test_violations_still_flagged(text: str) -> None:
    assert _check(text)[0] == "block"


@pytest.mark.parametrize(
    ("text", "verdict", "rule"),
    [
        # Asking the customer to contact a third party warns; a dismissive referral still blocks.
        ("这个应该是商家联系您的，您可以联系下商家客服询问下。", "warn", "banned.zh.refer_contact"),
        ("如未到账，您可以联系下商家。", "warn", "banned.zh.refer_contact"),
        ("您去快递网点问问吧。", "block", "banned.zh.refer_third"),
        ("您自己联系快递。", "block", "banned.zh.refer_third"),
        ("质量问题您可以直接打给厂家，他们会处理的。", "block", "banned.zh.refer_third"),
        # The agent asks on the customer's behalf, or asks what the customer did: no referral.
        ("小妹帮您问一下站点，您稍等", "pass", None),
        ("这边您联系商家了吗?", "pass", None),
        # An 11-digit identifier (waybill code, SKU) is not a mobile number; a bare mobile still is.
        ("VA13912345678 -2 已操作发车。", "pass", None),
        ("游戏本 SKU:13912345678", "pass", None),
        ("配送员电话13912345678，您打这个。", "block", "pii.phone"),
        ("加我wx13912345678。", "block", None),
    ],
)
def test_real_reply_precision(text: str, verdict: str, rule: str | None) -> None:
    got, rules = _check(text)
    assert got == verdict
    if rule is not None:
        assert rule in rules


@pytest.mark.parametrize(
    "text",
    [
        # A product title read back to confirm the item quotes the listing: no claim, no promise.
        "海尔 60升 内胆5年包换 电热水器 EC6002 请问是这个商品吗",
        "LG 27英寸 IPS硬屏显示器 这个商品吗",
        # Money returned the way it was paid is a refund, not compensation.
        "款项349.00元将会原路返还至建设银行银行卡，预计1-2个工作日到账。",
        # Passing the chat on is not a money transfer.
        "或者您让他转给我，这个我无法直接转接的哦。",
        # A container's capacity is a catalogue spec.
        "这款是豆浆机，容量1.2升，适合2-3人使用。",
        # A verb of saying after an English negation takes the clause.
        "I can't say it's the best blender on the market, but it fits what you described.",
    ],
)
def test_real_reply_lookalikes_pass(text: str) -> None:
    assert _check(text) == ("pass", set())


@pytest.mark.parametrize(
    "text",
    [
        "内胆5年包换，放心买。",
        "我们赔您200元，原路返还的话太慢。",
        "您把钱转给我，我帮您转接。",
        "It's the best blender on the market, I can't say enough about it.",
    ],
)
def test_real_reply_violations_still_flagged(text: str) -> None:
    assert _check(text)[0] != "pass"


def test_insurer_payout_is_not_a_promise() -> None:
    """The freight insurance pays under its own policy: explaining it promises nothing."""
    assert _check("系统会在服务单完结时自动赔付该服务单对应的运费险。") == ("pass", set())
    assert _check("给您补偿一下。")[0] == "warn"


@pytest.mark.parametrize(
    "text",
    [
        # Negated comparisons: a reported or declined claim, a reciprocal comparison, not a class.
        "我们从来没说过它是全网最低价，价格以下单页为准。",
        "我们不承诺是最便宜的，但支持价保。",
        "两款没有谁比谁更好，主要看您的使用习惯。",
        "这款不属于顶级配置，日常办公完全够用。",
    ],
)
def test_negated_comparisons_pass(text: str) -> None:
    assert _check(text) == ("pass", set())


@pytest.mark.parametrize(
    "text", ["没有比这款更好的了。", "这就是全网最低价。", "不属于我们的问题，这款是顶级配置。"]
)
def test_comparisons_still_flagged(text: str) -> None:
    assert _check(text)[0] == "block"


@pytest.mark.parametrize(
    "text",
    [
        # The customer's question read back and answered no: the claim is denied.
        "这款的质保是永久免费维修吗？不是的，质保期是1年。",
        # The store's only site is a count, not a quality claim.
        "我们唯一的仓库在廊坊，所以华北地区发货快一些。",
        # QQ as the look of the goods, not a contact.
        "QQ爱心形状的曲奇饼干是常年都有的款。",
    ],
)
def test_factual_lookalikes_pass(text: str) -> None:
    assert _check(text) == ("pass", set())


@pytest.mark.parametrize(
    "text",
    [
        "这款是永久免费维修吗？是的，放心买。",
        "这是全国唯一一家拿到认证的工厂。",
        "加我QQ表情包群，发您优惠。",
    ],
)
def test_factual_violations_still_flagged(text: str) -> None:
    assert _check(text)[0] == "block"


def test_qq_as_texture_or_same_style_is_not_a_contact() -> None:
    assert _check("这款QQ弹的果冻布丁是芒果味的。") == ("pass", set())
    assert _check("微信同款的文件传输助手是手机自带的功能。") == ("pass", set())
    assert _check("QQ弹我一下。")[0] == "block"
    assert _check("微信同款，加我微信买。")[0] == "block"


def test_referral_with_its_reason_passes() -> None:
    """A marketplace seller's order: the seller issues the invoice, and the reply says why."""
    assert _check("这三个订单是第三方商家的订单，是需要您联系商家开具的呢。") == ("pass", set())
    assert _check("因为是第三方商家的订单，您自己联系商家吧。")[0] == "block"


def test_points_rebate_warns_money_still_blocks() -> None:
    """Points credited back (返还3京豆) are a goodwill credit for review, not money; a discount elsewhere in
    the clause (三件五折) is not the compensation's amount."""
    got, rules = _check("这款三件五折的哈 这边返还3京豆到您的账户哈")
    assert (got, rules) == ("warn", {"promise.zh.goodwill_credit"})
    got, rules = _check("补偿您500积分，另外赔您20元。")
    assert got == "block" and "promise.compensation_amount" in rules


def test_bare_official_account_warns_store_account_blocks() -> None:
    """An official account named without WeChat and not the store's own is a place a reviewer checks (the
    JDDC label guide: warn); the store's own account, or one offered with a lure or an ID, still blocks."""
    assert _check("这个查询不到的呢。建议您咨询上面那个公众号") == ("warn", {"offplat.zh.official_account"})
    assert _check("关注我们的公众号领红包。")[0] == "block"
    assert _check("关注公众号领红包。")[0] == "block"
    assert _check("别忘了给个好评哦，关注下我们的微信公众号。")[0] == "block"


def test_brand_store_locator_warns_forms_still_block() -> None:
    """A manufacturer's official service-point locator (type your address to find one) is a site for a
    reviewer to check (the JDDC label guide: warn); a link that collects a phone number or pays out blocks."""
    text = (
        "这个是品牌官方的线下售后地址查询链接，点击服务，输入您现在的地址 https://locate.acme-audio.com/cn/"
    )
    assert _check(text) == ("warn", {"offplat.link_official"})
    assert _check("这是官方链接 acme-shop.com，输入您的地址和手机号。")[0] == "block"
    assert _check("这是官方查询链接 acme-shop.com，输入地址领取补偿。")[0] == "block"


def test_flash_sale_price_stated_as_the_price_passes() -> None:
    """已经是秒杀价了 says which promotion the price is (the JDDC label guide: 秒杀 names the promotion type);
    urgency with it still blocks."""
    assert _check("目前已经是秒杀价了呢") == ("pass", set())
    assert _check("现在是秒杀价，马上涨价")[0] == "block"
    assert _check("是秒杀价，手慢无！")[0] == "block"


@pytest.mark.parametrize(
    ("text", "verdict"),
    [
        # The item's own price floor, no market named: a price claim a reviewer checks (price rules art. 19).
        ("亲，已经是最低价了哦", "warn"),
        ("这款已经是最低的价格了", "warn"),
        # A market scope ranks against everyone (Advertising Law art. 9): block.
        ("这是全网最低价", "block"),
        ("行业最低的价格", "block"),
        ("历史最低价了", "block"),
        ("现在是最低价赶紧下单", "block"),
        # 最…之一 still claims a top rank over an unnamed field: block.
        ("这款是最畅销的产品之一", "block"),
        # English is judged like Chinese: the item's own floor warns, a market scope blocks.
        ("Sorry, this is already the lowest price.", "warn"),
        ("It's already at its lowest possible price.", "warn"),
        ("This is the lowest price online.", "block"),
        ("The all-time lowest price on this kettle.", "block"),
        ("Lowest price in the market.", "block"),
        ("This isn't the lowest price; the page price applies.", "pass"),
        ("You can sort by lowest price on the search page.", "pass"),
    ],
)
def test_price_floor_warns_market_claims_block(text: str, verdict: str) -> None:
    assert _check(text)[0] == verdict


def test_business_address_is_not_personal_data() -> None:
    """A pick-up point in a shop (the JDDC label guide: a business's address passes); a home, a recipient's
    delivery address or one with a mobile number still blocks; with sources, an address they do not state
    warns, so a draft does not invent one."""
    assert _check("好的呢 大红门路2号院洪福烟酒") == ("pass", set())
    assert _check("您的收货地址是大红门路2号院洪福烟酒")[0] == "block"
    assert _check("请寄到北京市朝阳区建国路88号3单元502室")[0] == "block"
    assert "pii.address" in _check("王明 13912345678 朝阳区建国路88号超市")[1]
    result = ENGINE.check("自提点在大红门路2号院洪福烟酒。", sources=["自提点营业时间 9:00-21:00"])
    assert result.verdict.value == "warn"
    assert {f.rule_id for f in result.flags} == {"pii.business_address"}


def test_supported_compensation_service_is_policy() -> None:
    """支持…赔付 names a service the platform runs (like 支持7天无理由), not a promise; an amount blocks."""
    assert _check("签收2小时内有质量问题，这边支持在线优鲜赔付的哦") == ("pass", set())
    assert _check("支持赔您200元")[0] == "block"


def test_platform_home_domain_allows_its_aliases() -> None:
    """An allow-list of [jd.com] knows JD's older and short domains (360buy.com, 3.cn): the platform's own
    pages pass; a look-alike of the platform still blocks, and other platforms' domains stay outside."""
    engine = ComplianceEngine.from_paths(allowed_domains=["https://www.JD.com/"])
    assert (
        engine.check("请在 http://myjd.360buy.com/repair/orderlist.action 提交返修申请").verdict.value
        == "pass"
    )
    assert engine.check("短链 https://3.cn/abc123 打开即可").verdict.value == "pass"
    assert engine.check("请到 http://jd-360buy.com/refund 填写退款信息").verdict.value == "block"
    assert engine.check("请到 https://item.taobao.com/item.htm?id=1 看看").verdict.value == "block"
    # A store's own domain is not a platform: it brings nothing else.
    assert ComplianceEngine.from_paths(allowed_domains=["acme.com"]).allowed_domains == {"acme.com"}


def test_service_outbound_numbers_are_not_personal_data() -> None:
    """The numbers the call centre's outbound calls show (外呼号码, 客服来电号码) are the company's lines; a
    courier's caller ID, an installer's number, or one offered as the agent's own still block."""
    assert _check("您好，这边外呼号码会显示为:13912345678、13912345679，还请您保持手机畅通呢") == (
        "pass",
        set(),
    )
    assert _check("客服来电号码是13912345678，请注意接听")[0] == "pass"
    assert _check("Our outbound call numbers are 13912345678 and 13912345679.")[0] == "pass"
    assert _check("配送员来电显示13912345678")[0] == "block"
    assert _check("13912345678 这个是安装的电话")[0] == "block"
    assert _check("外呼号码13912345678，有问题打我电话")[0] == "block"


@pytest.mark.parametrize(
    ("text", "verdict"),
    [
        # The bank as the fallback for a refund that has not arrived: the answer is complete (as the JDDC
        # labels have it); the courier or a shop for goods that have not come still warns.
        ("退款已原路退回，预计最晚5-15个工作日到账，如未到账请联系邮政储蓄银行。", "pass"),
        ("如未到账请联系银行。", "pass"),
        ("如未收到货，您可以联系下配送员。", "warn"),
        ("如未到账请联系商家。", "block"),
        # Refused with the reason and the way on (order again); a bare refusal still warns.
        ("已经退款了 无法处理的 辛苦重新购买", "pass"),
        ("这边暂时没有解决的方法", "warn"),
        # Two products compared, then a recommendation; a bare 差不多 about a size still warns.
        ("月见草和圣洁莓功效差不多的，建议选择其中一种就可以哈", "pass"),
        ("尺码差不多的", "warn"),
        # The service's own callback is its next step; certainty about an outcome still warns.
        ("明天2点一定会有专员联系您的，请保持手机畅通", "pass"),
        ("一定会给您退的", "warn"),
        # A third party's decision relayed is a fact; the store's own compensation promise warns.
        ("查看了商家是说了给你赔付的", "pass"),
        ("给您补偿一下。", "warn"),
    ],
)
def test_real_reply_warns_by_meaning(text: str, verdict: str) -> None:
    assert _check(text)[0] == verdict


def test_refund_back_to_wechat_pay_is_a_channel() -> None:
    """原返 (原路返回, back the way it was paid) names WeChat Pay as the refund channel: no contact; adding
    someone on WeChat in the same words still blocks."""
    assert _check("微信哦 原返的") == ("pass", set())
    assert _check("原返微信的哈")[0] == "pass"
    assert _check("加我微信 原返的")[0] == "block"


def test_short_link_alias_is_no_name_to_mimic() -> None:
    """The aliases [jd.com] brings include 3.cn; its one-character name must not make a brand's official
    driver site (acme-3.com) look like a copy of the platform, while jd-named hosts still do."""
    engine = ComplianceEngine.from_paths(allowed_domains=["jd.com"])
    assert engine.check("驱动请到品牌官网 www.acme-3.com 下载。").verdict.value == "warn"
    assert engine.check("说明书在官网 jd-manuals.com 下载。").verdict.value == "block"


@pytest.mark.parametrize(
    ("text", "verdict"),
    [
        # Courtesy by its subject: helping the customer "is our greatest …", whatever noun follows;
        # traditional text is judged like simplified.
        ("替您解决好问题是我们最大的成就感。", "pass"),
        ("能幫上您就是我最大的滿足。", "pass"),
        ("为您推荐的这款是我们最大的一款。", "block"),
        # 唯一 naming an identifier (any noun ending in 号/码) is the technical sense; a claim still blocks.
        ("每件商品都有唯一的防伪码，扫一下就能验证。", "pass"),
        ("每張保修卡都有唯一的卡號。", "pass"),
        ("这是全网唯一正品型号。", "block"),
        ("我们是全网唯一的正品店。", "block"),
        # A third party's request in an English conditional is a fraud warning; the agent's own is not.
        ("If a stranger asks you to move the chat to Telegram, please report it.", "pass"),
        ("If anyone asks you to add me on WeChat, go ahead.", "block"),
        ("If anyone needs help, reach us on WhatsApp.", "block"),
        ("If you have questions, message us on WhatsApp.", "block"),
        ("Never give your password to people who message you on Telegram offering refunds.", "pass"),
        ("Anyone who contacts you on WeChat is me, add me.", "block"),
        # Helping the customer is "the best part of the day" (English courtesy by its subject).
        ("Assisting you today was the best part of my shift.", "pass"),
        ("Helping you pick the best kettle on the market is my job.", "block"),
        # Letters named as a part or model code in English; a full app name or a request still blocks.
        ("Serial numbers on this range begin with VX.", "pass"),
        ("Scan our WeChat QR code for faster service.", "block"),
        ("Item code WX, add me for details.", "block"),
        ("Product questions: QQ 123456", "block"),
        # 永久/唯一 inside a variant name (which scent or colour).
        ("这款是永久花香味的护手霜。", "pass"),
        ("永久保修的款式", "block"),
    ],
)
def test_lookalikes_by_subject_and_identifier(text: str, verdict: str) -> None:
    assert _check(text)[0] == verdict


@pytest.mark.parametrize(
    ("text", "verdict"),
    [
        # A negation reaches the later items of a list whose first item it reaches; a request stays a request.
        ("Our staff will never ask you to chat on WhatsApp, Telegram or QQ.", "pass"),
        ("请不要添加陌生人的微信、QQ或者钉钉。", "pass"),
        ("Don't worry, add me on WeChat or QQ.", "block"),
        ("No problem, WeChat, QQ, whichever.", "block"),
        ("别担心，微信、QQ都可以加我。", "block"),
        # A noun ending in 能/级 before a real negation; A-not-A questions are not negations.
        ("这台的性能不算最强的，日常办公够用。", "pass"),
        ("积分等级不是永久的，每年重新评定。", "pass"),
        ("能不能加我微信？", "block"),
        ("是不是全网最低价？", "block"),
        # A commitment to a manner of handling promises no outcome; a result still warns.
        ("我们一定会以最负责的态度跟进这件事。", "pass"),
        ("我们一定会给您退款到账。", "warn"),
        # Options compared, then the deciding criterion named; "pick any" or a vague time still warns.
        ("这几款其实差不多，主要看您喜欢的颜色。", "pass"),
        ("这两天差不多能发。", "warn"),
        ("两种颜色差不多，您随便选。", "warn"),
        ("尺码差不多。", "warn"),
        # The app as a tool the goods work through; a request to message there blocks.
        ("The camera sends alerts to your phone via the WeChat app.", "pass"),
        ("Download the WhatsApp app and message me.", "block"),
    ],
)
def test_negation_lists_manner_and_tools(text: str, verdict: str) -> None:
    assert _check(text)[0] == verdict


@pytest.mark.parametrize(
    ("text", "verdict"),
    [
        # A claim quoted by a verb of saying and denied after it; an affirmed claim still blocks.
        ("要说它是最耐用的，我们真不敢保证。", "pass"),
        ("都说这是全网最低价，我们敢打包票。", "block"),
        # "neither"/"none of" negate an English comparison.
        ("Neither size is the cheapest, they cost the same.", "pass"),
        # An app opened for a screen step; a contact, chat or second app in the sentence still blocks.
        ("In WeChat, go to Me > Pay to find the refund record.", "pass"),
        ("Open WeChat, tap Add Contacts and search lily_kf.", "block"),
        ("Open WeChat, tap Me, then WhatsApp me.", "block"),
        ("Open WhatsApp, message me there.", "block"),
        # WeChat as the screen where the customer confirms a payment.
        ("付款时会跳到微信，在微信页面上确认支付就好。", "pass"),
        # A look of the goods in English; a request to add someone still blocks.
        ("The QQ-themed lunch boxes ship in pairs.", "pass"),
        ("QQ-shaped cookie cutters, add me on QQ for more.", "block"),
        # 永久 in a caution that an effect cannot be undone; a lifetime offer still blocks.
        ("这种贴膜贴上就永久粘住了，歪了也撕不下来。", "pass"),
        ("永久保修，注意查收。", "block"),
    ],
)
def test_denials_navigation_and_cautions(text: str, verdict: str) -> None:
    assert _check(text)[0] == verdict


@pytest.mark.parametrize(
    ("text", "verdict"),
    [
        # An estimate with a relative day (最快今晚, 最晚下周); a ranking over a period still blocks.
        ("最快明早就能发出，最晚下周到。", "pass"),
        ("这是今年最快的一款。", "block"),
        # The QR code a payment is completed with; a personal one still blocks.
        ("用微信扫收银台上的二维码完成支付即可。", "pass"),
        ("用微信扫我的二维码付款。", "block"),
        # Someone calling the customer and telling them to add an account: a fraud warning.
        ("如果有人给您发短信说要加QQ退款，请不要理会。", "pass"),
        ("有人给您发消息让您加微信领补偿的话，那是骗子。", "pass"),
        ("有人说加我微信更快。", "block"),
        # The way the store acts (用最快的方式处理); a quality claim with 用 still blocks.
        ("这边用最快的办法帮您补发。", "pass"),
        ("用最高品质的原料", "block"),
        # WeChat as how a courier is paid; paying a person still blocks.
        ("送货上门时可以用微信扫码付。", "pass"),
        ("直接微信付到我这里。", "block"),
        # A device feature in English ("WeChat-enabled").
        ("The QQ-compatible speaker plays from your phone.", "pass"),
        ("WeChat-enabled, add me for details.", "block"),
    ],
)
def test_estimates_payment_codes_and_third_parties(text: str, verdict: str) -> None:
    assert _check(text)[0] == verdict


@pytest.mark.parametrize(
    ("text", "verdict"),
    [
        # Certainty about what has already happened is a checked fact; about the future it warns.
        ("I'm 100 percent sure the parcel was dispatched on Monday.", "pass"),
        ("I'm 100% sure it has shipped and will arrive tomorrow.", "warn"),
    ],
)
def test_past_certainty(text: str, verdict: str) -> None:
    assert _check(text)[0] == verdict


@pytest.mark.parametrize(
    ("text", "verdict"),
    [
        # Whoever asks the customer to add an account: a fraud warning; the agent's own request blocks.
        ("无论是谁让您加QQ，都别信。", "pass"),
        ("不管是谁问，加我微信就行。", "block"),
        # The store's own conduct ruled out with 绝对; certainty about the goods still warns.
        ("我们绝对不会向您索要验证码。", "pass"),
        ("这个杯子绝对不会漏水。", "warn"),
        # A device feature in English; sharing there to be messaged still blocks.
        ("Sharing photos to QQ is supported.", "pass"),
        ("Share to WeChat and message me there.", "block"),
    ],
)
def test_whoever_asks_conduct_and_device_features(text: str, verdict: str) -> None:
    assert _check(text)[0] == verdict


@pytest.mark.parametrize(
    ("text", "verdict"),
    [
        # An assurance of effort after a stated review time (the words after the last cue, across clauses).
        ("审核时效2小时哦 请您放心，小妹跟您保证我们会尽快为您审核处理哒", "pass"),
        ("审核时效2小时哦 请您放心，小妹跟您保证一定给您退款", "warn"),
        # 一定 before a noun is "a certain"; 价保 is price protection: neither is an assurance.
        ("如果商品在一定周期内降价，我们会为您申请差价返还", "pass"),
        ("支持2天内价保，申请价保 您可以在订单页操作", "pass"),
        ("放心，三天内一定给您补上差价", "warn"),
    ],
)
def test_two_cue_promises_on_real_wording(text: str, verdict: str) -> None:
    assert _check(text)[0] == verdict
