"""Store-policy topics: what a question about the store's rules (not a product's sheet) is about.

The fact kinds of service/answering/kinds.py cover a product sheet's fields and the most common store rules
(shipping, returns, refunds, invoices). Customers also ask about price protection, parcels that arrive
damaged, wrong or spoiled, complaints and escalation, paying, points and coupons, and being contacted
outside the platform; every store's policy has a section on each, and the sentence that answers sits in
it. These topics classify both sides with the same words (a question part and a policy sentence, whose
section title usually names its topic), so a question is routed to the policy section of its topic instead
of to product facts or to a sentence of another rule that happens to share a word.

The words are general online-retail vocabulary (Chinese substrings, English whole words), never one
store's wording. They are kept out of kinds.TERMS on purpose: that table is also the claim checker's
vocabulary (service/answering/verify.py), and a topic says what a rule is about, not which field a number
belongs to.
"""

from __future__ import annotations

import re

TOPICS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "price_protect": (
        ("价保", "保价", "价格保护", "降价", "差价", "补差", "便宜了", "降了"),
        (
            "price protection",
            "price drop",
            "price dropped",
            "price difference",
            "price match",
            "cheaper now",
            "price went down",
            "price has gone down",
            "price fell",
            "dropped in price",
            "went down in price",
            "price cut",
            "price was reduced",
        ),
    ),
    "damage": (
        (
            "破损",
            "压坏",
            "摔坏",
            "压扁",
            "碎了",
            "凹",
            "变形",
            "漏发",
            "少发",
            "少件",
            "少了",
            "缺了",
            "漏了",
            "发错",
            "错发",
            "发成了",
            "丢件",
            "丢失",
            "丢了",
            "还没到",
            "没到货",
            "没更新",
            "没动",
            "停滞",
            "没收到",
            "未收到",
            "化了",
            "解冻",
            "融化",
            "霉",
            "变质",
            "异物",
            "外箱",
            "拒收",
        ),
        (
            "damaged",
            "crushed",
            "dented",
            "cracked",
            "smashed",
            "wrong item",
            "missing",
            "lost",
            "never arrived",
            "not arrived",
            "hasn't arrived",
            "no update",
            "not updated",
            "hasn't updated",
            "no updates",
            "not been updated",
            "hasn't been updated",
            "stopped updating",
            "hasn't moved",
            "has not moved",
            "not moving",
            "hasn't changed",
            "stuck in transit",
            "not received",
            "thawed",
            "melted",
            "mould",
            "mouldy",
            "moldy",
            "spoiled",
            "rotten",
        ),
    ),
    "complaint": (
        ("投诉", "主管", "领导", "经理", "12315", "差评", "曝光", "消协", "维权", "赔偿", "升级处理"),
        ("complain", "complaint", "manager", "supervisor", "escalate", "compensation", "bad review"),
    ),
    "contact": (
        (
            "加微信",
            "微信号",
            "加个微信",
            "私人微信",
            "私聊",
            "联系方式",
            "电话号码",
            "客服电话",
            "站外",
            "私下",
        ),
        ("whatsapp", "telegram", "your wechat", "phone call", "call me", "email address", "contact details"),
    ),
    "security": (
        ("链接", "验证码", "密码", "转账", "冒充", "自称", "诈骗", "骗子"),
        ("link", "password", "sms code", "verification code", "scam", "fraud", "phishing", "claiming to be"),
    ),
    "payment": (
        ("支付方式", "付款方式", "货到付款", "分期", "免息", "花呗", "白条", "怎么付", "代付"),
        (
            "payment method",
            "pay by",
            "pay with",
            "cash on delivery",
            "instalment",
            "installment",
            "interest-free",
            "interest free",
        ),
    ),
    "member": (
        ("积分", "优惠券", "满减", "叠加", "会员", "金卡", "银卡", "抵扣", "抵现", "店铺券", "平台券"),
        ("points", "coupon", "voucher", "member", "membership", "loyalty"),
    ),
}

# What a policy question asks within its topic, by shape: (the question's words, the shape of the rule that
# answers). A section holds several rules; the one asked is the one of this shape ("能找领导吗" is answered
# by the escalation rule, not by the section's promise of a plan; "运费谁出" by the rule saying who bears
# it; "多久之内要联系" by the rule giving the customer a window to act; "几次" by a rule counting times;
# "专票多久开好" by a rule saying within how long the store does it; "这笔费用退不退" by a rule saying what is
# (not) given back). A part may ask several shapes at once ("退货期限几天，邮费谁付"): each is answered.
_WINDOW = r"\d+\s*(?:个)?(?:小时|天|日|个?工作日)(?:以|之)?内"
ASPECTS: tuple[tuple[re.Pattern[str], re.Pattern[str]], ...] = tuple(
    (re.compile(asked, re.IGNORECASE), re.compile(rule, re.IGNORECASE))
    for asked, rule in (
        # escalation: a superior, a higher level
        (
            r"领导|主管|经理|上级|负责人|升级|\b(?:manager|supervisor|escalat\w*|someone senior)\b",
            r"主管|经理|升级|负责人|\b(?:manager|supervisor|escalat\w*)\b",
        ),
        # who bears a cost
        (
            r"谁出|谁付|谁承担|谁负责|谁来(?:出|付)|(?:我|自己)(?:出|付|承担)|要我(?:出|付)"
            r"|\bwho (?:pays|covers|bears)\b|\bdo i (?:have to )?pay\b|\bat whose (?:cost|expense)\b",
            r"承担|由(?:您|买家|店铺|商家|我们|卖家)(?:支付|负担)|到付"
            r"|\b(?:we|you) pay\b|\bpaid by\b|\bborne by\b|\bat (?:our|your) (?:cost|expense)\b",
        ),
        # a deadline to act: the rule giving the customer a window (not the store's own promise of a time)
        (
            r"多久(?:以|之)?内|多长时间(?:以|之)?内|几天(?:以|之)?内|几个?小时(?:以|之)?内|期限|截止"
            r"|\bhow (?:long|soon) (?:do i have|must i|should i)\b|\bdeadline\b|\btime limit\b",
            rf"请在[^，。；;]{{0,12}}{_WINDOW}|{_WINDOW}[，,]?[^，。；;]{{0,3}}"
            r"(?:联系|提交|申请|寄出|办理|可|仍可|都可)|共\s*\d+\s*天|\bwithin \d+",
        ),
        # what to provide
        (
            r"提供什么|提供哪些|什么资料|哪些资料|什么材料|哪些材料|准备什么|需要什么(?:资料|材料|信息)"
            r"|拍什么|拍哪|拍啥|要拍|什么照片|哪些照片"
            r"|\bwhat (?:documents?|information|details) (?:do|should|must)\b"
            r"|\bwhat do i need to (?:send|provide)\b|\bwhat photos?\b",
            r"需提供|需要提供|请提供|提供[^，。；;]{0,12}(?:照片|凭证|资料|税号|单号|截图)|拍下|拍照|照片"
            r"|\bprovide\b|\bphotos?\b",
        ),
        # how many times
        (
            r"几次|多少次|\bhow many times\b",
            r"\d+\s*次|\b(?:once|twice|\d+ times)\b",
        ),
        # within how long the store does something (a refund arrives, an invoice is issued, a repair is done)
        (
            r"多久(?:能|才|可以|会)?(?:到账|到|开|发|寄|修|退|回复|答复|处理|办结|上门)"
            r"|几天(?:能|才|可以|会)?(?:到账|到|开|发|修|退)|多长时间(?:能|才|可以|会)?(?:到|开|发|修|处理)"
            r"|\bhow (?:long|soon) (?:until|before|will|does|do|is)\b",
            rf"{_WINDOW}[^，。；;]{{0,4}}(?:到账|开具|开出|发出|寄出|寄回|退回|发起|修好|发货|上门|回复|答复|办结)"
            r"|\bwithin \d+ (?:hours?|days?|working days?)\b",
        ),
        # whether a charge or a payment is given back
        (
            # (Chinese only: "can I get the difference back" asks price protection itself, not a refund rule)
            r"退不退|还退吗|能退回|退回(?:来)?吗|退还吗|会退吗|退给我|返还吗|还给我",
            r"退还|不退|退回|返还",
        ),
    )
)


def asked_aspects(question: str) -> list[int]:
    """The shapes of rule (indexes into ASPECTS) a question asks for, in ASPECTS order."""
    return [i for i, (asked, _) in enumerate(ASPECTS) if asked.search(question)]


def has_aspect(rule: str, aspect: int) -> bool:
    """The rule has the shape of ASPECTS[aspect]."""
    return ASPECTS[aspect][1].search(rule) is not None


def aspect_match(question: str, rule: str) -> bool:
    """The rule has the shape of what the question asks within its topic (see ASPECTS)."""
    return any(a.search(question) and r.search(rule) for a, r in ASPECTS)
