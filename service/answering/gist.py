"""The meaning of a Chinese rule clause in English, when no template and no word-for-word rendering fits.

Store policies say the same few things in endlessly varied wording: *who* (the customer, the store, a
kind of order), *under which condition* (not yet shipped, a quality problem, a remote area), *what may or
may not happen* (return, exchange, refund, repair, free shipping, a charge), *within which window*
("签收后48小时内", "付款后72小时内") and *for how much* ("满99元", "10元/单"), and *who pays*
("运费由您承担"). A phrase table of whole rule forms only knows one store's wording; this reads those
meaning-bearing parts wherever they stand in the clause and writes them in English order, dropping only
the glue words between them.

Faithfulness comes first, so a clause is given up (None; the caller quotes it or leaves the fact out)
when: a figure of it would not be said, a negation would not be attached to an action, an exception or a
limit word (除外, 但, 仅, 只) would be lost, or nothing of meaning (an action, a payer) is found.
"""

from __future__ import annotations

import re
from collections.abc import Iterable


def longest_first(words: Iterable[str]) -> str:
    """A regex alternation of literal words, longest first, so "签收后" wins over "签收"."""
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_NUM = r"\d+(?:\.\d+)?(?:\s*[-–~～至到]\s*\d+(?:\.\d+)?)?"
_UNIT = r"个工作日|工作日|个自然日|自然日|个小时|小时|分钟|天|日|周|个月|年"
_UNIT_EN = {
    "个工作日": "working days",
    "工作日": "working days",
    "个自然日": "calendar days",
    "自然日": "calendar days",
    "个小时": "hours",
    "小时": "hours",
    "分钟": "minutes",
    "天": "days",
    "日": "days",
    "周": "weeks",
    "个月": "months",
    "年": "years",
}

# what a time window is counted from ("签收后7天内" -> "within 7 days of delivery")
ANCHORS: dict[str, str] = {
    "确认收货": "confirming receipt",
    "签收次日": "delivery",
    "签收": "delivery",
    "收货": "receipt",
    "收到货": "receipt",
    "到货": "arrival",
    "付款": "payment",
    "支付": "payment",
    "下单": "ordering",
    "发货": "dispatch",
    "预约": "booking",
    "审核通过": "approval",
    "审核": "review",
    "登记": "registration",
    "受理": "acceptance",
    "办结": "closing the case",
    "订单完成": "the order is completed",
    "收到": "receipt",
    "购买": "purchase",
    "申请": "the request",
    "到账": "it is credited",
    "激活": "activation",
    "安装": "installation",
    "开具": "issue",
}
_ANCHOR = longest_first(ANCHORS)
_WINDOW = re.compile(
    rf"(?:(?:从|自|在)?(?P<a>{_ANCHOR})(?:之日|当日|日|时)?(?:起|后)?(?:的)?)?(?:在)?\s*"
    rf"(?P<n>{_NUM})\s*(?P<u>{_UNIT})\s*(?P<w>之?内|以内|后|以上|之后)"
)
_OVER = re.compile(rf"(?:超过|超出|满)(?P<n>{_NUM})\s*(?P<u>{_UNIT})")

# amounts: a threshold ("满99元"), a rate ("10元/单"), a plain sum
_MONEY = re.compile(
    r"(?P<pre>满|超过|不超过|低于|不满|不少于|最高|最多)?\s*(?:[¥￥]\s*)?(?P<n>\d+(?:\.\d+)?)\s*(?P<wan>万)?\s*"
    r"(?:元|块)(?:/(?P<per>单|件|个|次|米|公里|台|根|套|孔|年|月|天|kg|公斤))?"
)
_TIMES = re.compile(r"(?P<n>\d+)\s*次")
_PER = {
    "单": "per order",
    "件": "per item",
    "个": "each",
    "次": "per visit",
    "米": "per metre",
    "公里": "per km",
    "台": "per unit",
    "根": "each",
    "套": "per set",
    "孔": "per hole",
    "年": "per year",
    "月": "per month",
    "天": "per day",
    "kg": "per kg",
    "公斤": "per kg",
}
_PRE = {
    "满": "on orders of {v} or more",
    "超过": "over {v}",
    "不超过": "up to {v}",
    "低于": "below {v}",
    "不满": "below {v}",
    "不少于": "at least {v}",
    "最高": "up to {v}",
    "最多": "up to {v}",
}

# the actions a rule allows or refuses, longest first; "{x}" is where a negation goes
ACTIONS: dict[str, str] = {
    "无理由退货": "no-reason returns",
    "无理由换货": "no-reason exchanges",
    "退货退款": "return and refund",
    "仅退款": "refund only",
    "退换货": "returns and exchanges",
    "退换": "returns and exchanges",
    "退货": "returns",
    "换货": "exchanges",
    "换新": "replacement with a new one",
    "换同型号新品": "a new unit of the same model",
    "退款": "a refund",
    "退差价": "a refund of the price difference",
    "退还": "refunded",
    "退回": "returned",
    "全额退还": "refunded in full",
    "全额退款": "a full refund",
    "原路退回": "refunded to the original payment",
    "补发": "reshipping",
    "重新发货": "reshipping",
    "免费维修": "free repair",
    "维修": "repair",
    "修补": "mending",
    "包邮": "free shipping",
    "免运费": "free shipping",
    "免费": "free of charge",
    "不收费": "free of charge",
    "收取": "charged",
    "加收": "charged extra",
    "另收": "charged separately",
    "另行收费": "charged separately",
    "扣除": "deducted",
    "抵扣": "deducted",
    "抵用": "used as payment",
    "发货": "dispatched",
    "发出": "sent",
    "寄出": "sent",
    "送达": "delivered",
    "上门": "an on-site visit",
    "取消": "cancellation",
    "修改地址": "changing the address",
    "修改": "changes",
    "改派": "redirecting",
    "开具": "issued",
    "开票": "invoicing",
    "补开": "issued later",
    "换开": "reissued",
    "红冲": "voided",
    "到账": "credited",
    "回复": "a reply",
    "答复": "a reply",
    "联系您": "we contact you",
    "回访": "a follow-up call",
    "办结": "the case closed",
    "受理": "handling",
    "处理": "handling",
    "兑换现金": "exchange for cash",
    "折现": "cash value",
    "找零": "change given",
    "转让": "transfer",
    "延期": "extension",
    "叠加": "combining",
    "共用": "combining",
    "使用": "use",
    "参与": "eligible",
    "报修": "a repair request",
    "寄修": "sending it in for repair",
    "预约": "booking",
    "拒收": "refusing the parcel",
    "自动关闭": "closed automatically",
    "清零": "reset to zero",
    "失效": "invalid",
    "有效": "valid",
    "到期": "expiry",
    "生效": "effective",
}
_ACTION = longest_first(ACTIONS)
_NEG = re.compile(
    r"(?:不能|不可以|不可|无法|不支持|不予|不再|不会|不得|不|无需|无须|勿|禁止)(?:再|被|予|用于|进行|办理|申请|提供|参与)?$"
)
_MAY = re.compile(r"(?:可以|可|支持|能|允许|享受|享|提供)(?:申请|办理|选择|进行)?(?:免费)?$")
_MUST = re.compile(r"(?:需要|需|须|必须|应|(?<!申)请)(?:在)?$")

# who or what a rule is about
SUBJECTS: dict[str, str] = {
    "寄回运费": "return shipping",
    "往返运费": "shipping both ways",
    "返程运费": "return shipping",
    "运费": "shipping",
    "邮费": "postage",
    "附加费": "the surcharge",
    "远程费": "the remote-area fee",
    "辅材费用": "materials",
    "辅材费": "materials",
    "人工费": "labour",
    "配件费": "parts",
    "上门费": "call-out fee",
    "检测费": "inspection fee",
    "优惠券": "coupons",
    "店铺券": "store coupons",
    "平台券": "platform coupons",
    "积分": "points",
    "赠品": "the free gift",
    "发票": "the invoice",
    "电子发票": "the e-invoice",
    "专用发票": "the VAT special invoice",
    "定金": "the deposit",
    "尾款": "the balance",
    "差价": "the price difference",
    "订单": "the order",
    "每个订单": "each order",
    "每笔订单": "each order",
    "冷链食品": "cold-chain food",
    "食品": "food",
    "大件": "large items",
    "小件": "small items",
    "大家电": "large appliances",
    "包裹": "the parcel",
    "商品": "the item",
    "新品": "the new item",
    "会员": "members",
    "金卡会员": "gold members",
    "银卡会员": "silver members",
    "客服": "customer service",
    "师傅": "the technician",
    "售后仓": "the after-sales warehouse",
    "快递公司": "the courier",
    "快递": "the courier",
}
_SUBJECT = longest_first(SUBJECTS)
_PAYER = re.compile(r"由(?P<who>您|买家|顾客|客户|店铺|本店|商家|卖家|我们|平台)(?:来)?(?:承担|支付|负责|出)")
_WHO = {"您": "you", "买家": "you", "顾客": "you", "客户": "you"}

# the conditions a rule is under
CONDITIONS: dict[str, str] = {
    "非质量问题": "without a quality problem",
    "非质量原因": "without a quality problem",
    "质量问题": "for a quality problem",
    "性能故障": "for a performance fault",
    "发错货": "if the wrong item was sent",
    "少发": "if items are missing",
    "未发货": "before dispatch",
    "已发货": "after dispatch",
    "未付款": "unpaid",
    "已付款": "paid",
    "未拆封": "unopened",
    "已拆封": "opened",
    "拆封后": "once opened",
    "未使用": "unused",
    "已使用": "used",
    "已过期": "expired",
    "过期": "expired",
    "有效期内": "while valid",
    "保修期内": "within the warranty period",
    "保修期外": "outside the warranty period",
    "过保": "out of warranty",
    "偏远地区": "in remote areas",
    "部分退货": "for a partial return",
    "整单退款": "for a full-order refund",
    "整单退货": "for a full-order return",
    "预售商品": "for pre-sale items",
    "周末": "at weekends",
    "节假日": "on public holidays",
    "发货前": "before dispatch",
    "签收前": "before delivery",
    "付款前": "before payment",
    "收货前": "before delivery",
    "非工作时间": "outside working hours",
    "工作时间内": "in working hours",
}
_CONDITION = longest_first(CONDITIONS)
# words that limit or except what a clause says: a gist that loses one of them misleads
_LIMITS = re.compile(r"除外|除了|但是?|仅|只有|只能|只限|否则|以外|不包括|不含|不计入|不参与|以.{1,8}为准")


WEAK = {"use", "handling", "applying", "changes", "issued", "dispatched", "sent", "eligible", "valid"}
_PARTICIPLE = re.compile(r"(?:ed|ent|own|ive|valid|charge)$")
COVERAGE = 0.7  # share of a clause's Chinese characters its gist must have read (parts and glue words)
# words that carry no meaning of their own in a rule (particles, pronouns, "can", "will")
_GLUE = re.compile(
    r"的|在|后|时|内|起|都|也|均|会|将|您|我们|本店|店铺|一律|一起|可以|可|需要|需|须|申请|办理|请|由|为|是|和|及|或|并|且|、|已|就|即|支持"
)


def _masked(text: str, spans: list[tuple[int, int]]) -> str:
    return "".join(" " if any(a <= i < b for a, b in spans) else ch for i, ch in enumerate(text))


def _window(m: re.Match[str]) -> str:
    n = re.sub(r"\s*[-–~～至到]\s*", "-", m.group("n"))
    unit = _UNIT_EN[m.group("u")]
    if n == "1":
        unit = unit[:-1]
    anchor = ANCHORS.get(m.group("a") or "", "")
    if m.group("w") in ("后", "之后"):
        return f"{n} {unit} after {anchor}" if anchor else f"after {n} {unit}"
    if m.group("w") == "以上":
        return f"{n} {unit} or more"
    return f"within {n} {unit} of {anchor}" if anchor else f"within {n} {unit}"


def _money(m: re.Match[str]) -> str:
    n = m.group("n")
    if m.group("wan"):
        n = f"{float(n) * 10000:,.0f}"
    value = f"{n} yuan"
    if m.group("per"):
        value += f" {_PER[m.group('per')]}"
    pre = m.group("pre")
    return _PRE[pre].format(v=value) if pre else value


def gist_en(clause: str) -> str | None:
    """The clause's meaning-bearing parts in English, or None when it cannot be said faithfully."""
    text = clause.strip(" ，,；;。：:")
    if not text or _LIMITS.search(text):
        return None
    taken: list[tuple[int, int]] = []
    found: list[tuple[int, str, str]] = []  # (position, role, English)

    def grab(pattern: re.Pattern[str], role: str, say: object) -> None:
        for m in pattern.finditer(text):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue
            taken.append((m.start(), m.end()))
            found.append((m.start(), role, say(m) if callable(say) else str(say)))

    grab(_WINDOW, "window", _window)
    grab(_OVER, "window", lambda m: f"more than {m.group('n')} {_UNIT_EN[m.group('u')]}")
    grab(_MONEY, "amount", _money)
    if re.search(r"限|最多", text):  # "每个订单限换货1次": a count limit
        grab(
            _TIMES, "amount", lambda m: f"limited to {m.group('n')} time{'s' if m.group('n') != '1' else ''}"
        )
    grab(_PAYER, "payer", lambda m: f"paid by {_WHO.get(m.group('who'), 'the store')}")
    grab(re.compile(_CONDITION), "condition", lambda m: CONDITIONS[m.group(0)])
    grab(re.compile(_SUBJECT), "subject", lambda m: SUBJECTS[m.group(0)])
    actions = []
    for m in re.finditer(rf"(?P<d>\d+)\s*天无理由(?P<k>退货|换货|退换货)|{_ACTION}", text):
        if any(a < m.end() and m.start() < b for a, b in taken):
            continue
        before = text[max(0, m.start() - 6) : m.start()]
        mode = (
            "no"
            if _NEG.search(before)
            else "must"
            if _MUST.search(before)
            else "may"
            if _MAY.search(before)
            else ""
        )
        taken.append((m.start(), m.end()))
        english = (
            f"{m.group('d')}-day no-reason {ACTIONS[m.group('k')]}" if m.group("d") else ACTIONS[m.group(0)]
        )
        actions.append((m.start(), mode, english))
    # every negation must belong to an action it was read with, every figure must be said
    negations = len(re.findall(r"不|无法|禁止|勿|未(?!发货|付款|拆封|使用)|无需|无须", text)) - len(
        re.findall(r"不满|不超过|不少于|不收费|非质量|未发货|未付款|未拆封|未使用", text)
    )
    if negations > sum(1 for _, mode, _ in actions if mode == "no"):
        return None
    # most of the clause must be read: a gist of two words out of twenty would say something else
    glue = sum(len(g) for g in _GLUE.findall(_masked(text, taken)))
    cjk = len(re.findall(r"[\u4e00-\u9fff]", text))
    read = sum(len(re.findall(r"[\u4e00-\u9fff]", text[a:b])) for a, b in taken) + glue
    if cjk and read < COVERAGE * cjk:
        return None
    roles = {role for _, role, _ in found}
    strong = any(e not in WEAK for _, _, e in actions)
    if not (
        strong
        or "payer" in roles
        or ("subject" in roles and ({"amount", "window"} & roles) and (actions or "amount" in roles))
    ):
        return None  # "use", "handling" alone say nothing a customer asked
    if not actions and not ({"window", "amount"} & roles) and "subject" not in roles:
        return None
    said = " ".join([*(e for _, _, e in found), *(e for _, _, e in actions)])
    if sorted(re.findall(r"\d+(?:\.\d+)?", said.replace(",", ""))) != sorted(
        re.findall(r"\d+(?:\.\d+)?", text.replace("万", "0000"))
    ):
        return None  # a figure would be lost (or read wrongly)
    conditions = [e for _, r, e in sorted(found) if r == "condition"]
    subjects = list(dict.fromkeys(e for _, r, e in sorted(found) if r == "subject"))
    windows = [e for _, r, e in sorted(found) if r == "window"]
    amounts = [e for _, r, e in sorted(found) if r == "amount"]
    payers = [e for _, r, e in sorted(found) if r == "payer"]
    said_actions = []
    for _, mode, english in sorted(actions):
        said_actions.append(
            {
                "no": f"not {english}" if _PARTICIPLE.search(english) else f"no {english}",
                "must": f"{english} required",
                "may": f"{english} possible",
            }.get(mode, english)
        )
    head = ", ".join(conditions)
    what = " and ".join(subjects[:2])
    rest = [x for x in (", ".join(said_actions), " ".join(windows), ", ".join(amounts)) if x]
    pays = ", ".join(payers)
    if what and pays and not said_actions:
        rest.append(f"{what} {pays}")
        what = ""
    elif pays:
        rest.append(pays)
    body = f"{what}: {'; '.join(rest)}" if what and rest else what or "; ".join(rest)
    if not body:
        return None
    out = f"{head}: {body}" if head else body
    return re.sub(r"\s{2,}", " ", out).strip()
