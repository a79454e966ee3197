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
        "虚假宣传", "欺诈", "坑老顾客", "不想跟你说",
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
    "不能用", "用不了", "不工作", "故障", "失灵", "卡顿", "退款还没", "没到账", "等了", "一直没",
    "damaged", "broken", "cracked", "leak", "missing", "wrong item", "wrong size", "defect", "faulty",
    "not received", "hasn't arrived", "has not arrived", "haven't received", "late", "delayed", "lost",
    "doesn't work", "does not work", "not working", "stopped working", "still waiting", "scratch", "stain",
    # Frustration without a named fault still deserves an apology first.
    "吃出", "异物", "头发", "充不进", "充不上", "回不了", "修了两次", "修了三次", "好几次", "多少次", "又是",
    "降价", "！？", "？！", "！！", "?!", "!?", "!!", "asked three times", "asked twice", "again and again",
    "where is my money", "hair in", "won't charge", "price dropped",
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
        return "other"
    # A complaint word is a strong signal even when the message also names the thing that went wrong.
    if scores["complaint"]:
        return "complaint"
    return next(intent for intent in INTENTS if scores.get(intent) == best)


def has_problem(text: str) -> bool:
    """Something went wrong for the customer: the reply should apologise first."""
    return _count(text.lower(), PROBLEM_WORDS) > 0


def intent_terms(intent: Intent) -> tuple[str, ...]:
    """Words whose presence makes a source sentence relevant to the intent."""
    return KEYWORDS.get(intent, ())
