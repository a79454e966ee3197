"""Keyword rules for what a customer message is about (zh + en), and whether something went wrong.

Deterministic and store-independent: the offline drafter uses the intent to pick relevant facts and the
next step; the LLM path records it for reviewers and metrics.
"""

from __future__ import annotations

import re
from typing import Literal

Intent = Literal[
    "product_question",
    "shipping",
    "return_refund",
    "exchange",
    "warranty",
    "complaint",
    "order_change",
    "other",
]
INTENTS: tuple[Intent, ...] = (
    "complaint",
    "return_refund",
    "exchange",
    "warranty",
    "order_change",
    "shipping",
    "product_question",
    "other",
)  # tie-break order: the more specific (and more urgent) intent wins

KEYWORDS: dict[Intent, tuple[str, ...]] = {
    "complaint": (
        "投诉", "差评", "太差", "垃圾", "骗子", "欺骗", "忽悠", "气死", "失望", "什么态度", "态度差", "不满",
        "举报", "12315", "坑人", "无良", "恶心", "维权", "没人管", "没人理", "领导", "经理", "主管",
        "虚假宣传", "欺诈",
        "complain", "complaint", "terrible", "worst", "unacceptable", "scam", "fraud", "angry", "furious",
        "disappointed", "ridiculous", "rude", "report you", "awful", "horrible", "manager", "supervisor",
        "false advertising", "misleading",
    ),
    "return_refund": (
        "退货", "退款", "退钱", "退回", "无理由", "退掉", "不想要了", "钱还没到", "退费", "仅退款",
        "return", "refund", "money back", "send it back", "reimburse", "chargeback",
    ),
    "exchange": (
        "换货", "换一个", "换个", "调换", "换成", "换尺码", "换颜色", "换码", "换新",
        "exchange", "swap", "replace it", "replacement", "different size", "different colour",
        "different color",
    ),
    "warranty": (
        "保修", "质保", "维修", "修理", "报修", "坏了", "故障", "不工作", "售后服务", "三包", "延保",
        "warranty", "guarantee", "repair", "broken", "stopped working", "not working", "defect", "faulty",
    ),
    "order_change": (
        "改地址", "修改地址", "地址错", "改收货", "取消订单", "修改订单", "改订单", "改电话", "改手机号",
        "拍错", "拍错了", "合并订单", "加购", "备注",
        "change address", "change the address", "wrong address", "cancel order", "cancel my order",
        "modify order", "change my order", "update my order", "change phone",
    ),
    "shipping": (
        "发货", "物流", "快递", "配送", "到货", "送达", "几天到", "什么时候到", "没收到", "运单", "单号",
        "包邮", "运费", "揽收", "签收", "派送", "催单", "到了没",
        "ship", "shipping", "shipped", "delivery", "deliver", "courier", "tracking", "arrive", "arrival",
        "package", "parcel", "postage", "dispatch",
    ),
    "product_question": (
        "多少钱", "价格", "价钱", "尺寸", "尺码", "规格", "型号", "材质", "颜色", "功率", "容量", "参数",
        "有货", "库存", "现货", "赠品", "送什么", "优惠", "活动", "怎么用", "使用方法", "适合", "区别",
        "能不能", "可以吗", "是否", "多大", "多重", "款式",
        "price", "how much", "cost", "size", "spec", "material", "colour", "color", "in stock", "available",
        "gift", "discount", "coupon", "how to use", "difference", "compatible", "dimensions", "weight",
        "capacity", "does it", "is it",
    ),
}  # fmt: skip

PROBLEM_WORDS: tuple[str, ...] = (
    "坏", "破损", "破了", "碎了", "漏", "少了", "少发", "漏发", "错发", "发错", "不对", "不符", "有问题",
    "质量问题", "瑕疵", "划痕", "污渍", "没收到", "还没到", "太慢", "延迟", "迟迟", "丢件", "丢了", "异味",
    "不能用", "用不了", "不工作", "故障", "失灵", "卡顿", "退款还没", "没到账", "等了", "一直没", "异物",
    "damaged", "broken", "cracked", "leak", "missing", "wrong item", "wrong size", "defect", "faulty",
    "not received", "hasn't arrived", "has not arrived", "haven't received", "late", "delayed", "lost",
    "doesn't work", "does not work", "not working", "stopped working", "still waiting", "scratch", "stain",
)  # fmt: skip

# Classes of words rather than single phrases: each pattern names a kind of situation, so any wording of it
# is caught (not only the message that first showed it was missing).
_N = r"(?:好|很)?(?:几|两|二|三|四|五|六|多|\d+)"
COMPLAINT_PATTERNS: tuple[re.Pattern[str], ...] = (
    # being cheated: 坑 + a person or money (坑人, 坑我, 坑钱, 坑老顾客, 坑消费者)
    re.compile(r"坑(?:人|我|钱|爹|了|老?(?:顾客|客户|用户|消费者|买家))"),
    # refusing to go on with this agent, or asking for someone above them
    re.compile(r"不想(?:再)?(?:跟|和|同|理)(?:你|您)"),
    re.compile(r"(?:叫|找|让|换)(?:你们|你)?(?:的)?(?:领导|经理|主管|负责人|上级|老板)"),
    re.compile(r"\b(?:speak|talk)\s+(?:to|with)\s+(?:a|your|the|someone)\s*(?:manager|supervisor|senior|boss)",
               re.IGNORECASE),
)  # fmt: skip
PROBLEM_PATTERNS: tuple[re.Pattern[str], ...] = (
    # something that should not be there, found in food or a product
    re.compile(r"(?:吃|喝|发现|里面|里|中)(?:出|到|有)?[^，。！？,.!?]{0,6}(?:头发|毛发|虫子?|异物|玻璃|石子|塑料|铁丝)"),
    re.compile(r"\b(?:hair|bug|insect|worm|glass|plastic|stone|metal)s?\s+in\b|\bfound\s+(?:a|an|some)\s+"
               r"(?:hair|bug|insect|worm|piece)", re.IGNORECASE),
    # the same thing done again and again (修了两次, 问了三次, 催了好几次, asked three times)
    re.compile(rf"(?:修|换|退|问|催|打|找|联系|说|反映|寄|返厂)(?:了|过)?{_N}次|又(?:坏|是|出|来)"),
    re.compile(r"\b(?:asked|called|contacted|emailed|messaged|told\s+you|tried|written|chased)\b[^.!?]{0,20}"
               r"\b(?:twice|three times|\d+ times|several times|many times|again and again|so many times)\b",
               re.IGNORECASE),
    # cannot do what the product is for: verb + 不了/不上/不进 (回不了, 充不进, 连不上)
    re.compile(r"(?:用|开|充|回|连|退|打|关|启动|登|装|进|插|放|拆)不(?:了|上|进|进去|动|开)"),
    re.compile(r"\b(?:won't|wont|can't|cannot|doesn't|does not|will not|no longer)\s+"
               r"(?:charge|turn on|connect|start|work|open|close|dock|power on|pair|hold a charge)",
               re.IGNORECASE),
    # the price fell after buying
    re.compile(r"降价|便宜了|差价"),
    re.compile(r"\bprice\s+(?:has\s+)?(?:dropped|drop|went down|fell|is lower)|\bcheaper now\b",
               re.IGNORECASE),
    # where is what they are owed
    re.compile(r"\bwhere(?:'s|\s+is|\s+are)\s+my\s+"
               r"(?:money|refund|order|parcel|package|item|replacement)",
               re.IGNORECASE),
    re.compile(r"(?:我的)?(?:钱|退款|货|快递|包裹)(?:呢|在哪|去哪|到底)"),
    # emphatic punctuation: !!, ?!, !?
    re.compile(r"[！!]{2,}|[？?][！!]|[！!][？?]"),
)  # fmt: skip


def _count(text: str, words: tuple[str, ...]) -> int:
    n = 0
    for w in words:
        if w.isascii():
            n += len(re.findall(rf"(?<![a-z]){re.escape(w)}(?![a-z])", text))
        else:
            n += text.count(w)
    return n


def detect_intent(text: str) -> Intent:
    lowered = text.lower()
    scores: dict[Intent, int] = {i: _count(lowered, KEYWORDS[i]) for i in INTENTS if i != "other"}
    best = max(scores.values(), default=0)
    if best == 0:
        return "complaint" if any(p.search(text) for p in COMPLAINT_PATTERNS) else "other"
    # A complaint word is a strong signal even when the message also names the thing that went wrong.
    if scores["complaint"] or any(p.search(text) for p in COMPLAINT_PATTERNS):
        return "complaint"
    return next(intent for intent in INTENTS if scores.get(intent) == best)


# A clause asking what to do *if* something goes wrong ("要是坏了怎么办", "出故障E2怎么办", "what if it
# leaks?") is a plain question, not a problem the customer has: no apology. A clause that says it happened to
# the customer (了/已经/我家/一直) stays a problem.
_CLAUSE_END = re.compile(r"[，。！？,.!?；;\n]")
_IF = re.compile(
    r"^\s*(?:要是|如果|万一|假如|假设|若|以后|将来|\bif\b|\bin case\b|\bwhat if\b)", re.IGNORECASE
)
_WHAT_TO_DO = re.compile(r"(?:怎么办|怎么处理|如何处理|怎么解决|咋办|什么意思|是啥意思|啥意思)\s*$")
_HAPPENED = re.compile(
    r"了|已经|我|一直|又|还是|现在|今天|昨天|\b(?:my|our|i|we|has|have|is|was)\b", re.IGNORECASE
)


def _hypothetical(clause: str) -> bool:
    return bool(_IF.search(clause)) or (bool(_WHAT_TO_DO.search(clause)) and not _HAPPENED.search(clause))


def has_problem(text: str) -> bool:
    """Something went wrong for the customer: the reply should apologise first."""
    real = "。".join(c for c in _CLAUSE_END.split(text) if c.strip() and not _hypothetical(c))
    if _count(real.lower(), PROBLEM_WORDS) > 0:
        return True
    return any(p.search(real) for p in (*PROBLEM_PATTERNS, *COMPLAINT_PATTERNS))


def intent_terms(intent: Intent) -> tuple[str, ...]:
    """Words whose presence makes a source sentence relevant to the intent."""
    return KEYWORDS.get(intent, ())
