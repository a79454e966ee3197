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

TOPICS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "price_protect": (
        ("价保", "保价", "价格保护", "降价", "差价", "补差", "便宜了", "降了"),
        ("price protection", "price drop", "price dropped", "price difference", "price match", "cheaper now"),
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
