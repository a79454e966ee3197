"""Fact kinds: what a field or sentence is about (price, warranty, gifts ...), from classes of words.

One vocabulary serves both sides: a product field or policy sentence is classified by its field name and
text, a customer's question part by its words, so "内胆能保多久" and the sheet's 保修政策 line meet at the
kind ``warranty``. The terms are general online-retail vocabulary in Chinese and English, never one
store's product names; a store's own words reach the classifier through the glossary (a Chinese term of a
concept whose English side names a kind counts as that kind).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from service.answering.topics import TOPICS

KINDS: tuple[str, ...] = (
    *TOPICS,
    "price",
    "warranty",
    "install_fee",
    "materials",
    "gift",
    "size",
    "spec",
    "stock",
    "shipping",
    "remote_fee",
    "return",
    "exchange",
    "refund",
    "invoice",
    "order",
    "fault",
    "usage",
    "other",
)

# Per kind: Chinese terms (substrings) and English terms (whole words, plural allowed). Ordered roughly from
# the most specific kind to the most general; ties go to the earlier kind.
TERMS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "install_fee": (
        (
            "安装费",
            "上门安装",
            "包安装",
            "安装吗",
            "装吗",
            "约师傅",
            "预约安装",
            "安装费用",
            "上门费",
            "安装收费",
            "打孔",
            "远程费",
            "空跑费",
            "安装服务费",
            "安装要钱",
            "安装收钱",
            "安装免费",
            "免费安装",
            "加固",
        ),
        (
            "installation fee",
            "installation cost",
            "install fee",
            "installation charge",
            "fitting fee",
            "installation free",
            "free installation",
        ),
    ),
    "materials": (
        ("辅材", "辅料", "配件", "材料费", "波纹管", "角阀", "水管", "支架", "管件", "延长管"),
        (
            "materials",
            "material fee",
            "accessories",
            "accessory",
            "fittings",
            "parts list",
            "bracket",
            "hose",
            "pipe",
        ),
    ),
    "gift": (
        (
            "赠品",
            "赠送",
            "礼品",
            "送的",
            "送什么",
            "送东西",
            "送不送",
            "送啥",
            "有送",
            "附赠",
            "E卡",
            "e卡",
            "礼品卡",
            "领取",
        ),
        ("gift", "gifts", "freebie", "free gift", "bonus item", "gift card", "giveaway"),
    ),
    "remote_fee": (
        ("偏远", "远程", "超区", "附加费", "新疆", "西藏", "青海", "港澳台"),
        ("remote", "surcharge", "extra fee", "outlying", "remote area"),
    ),
    "fault": (
        (
            "故障",
            "报错",
            "错误码",
            "故障码",
            "代码",
            "不加热",
            "不工作",
            "失灵",
            "显示E",
            "漏水",
            "异响",
            "不出热水",
            "跳闸",
            "坏了",
            "不亮",
        ),
        (
            "fault",
            "error code",
            "error",
            "not working",
            "stopped working",
            "broken",
            "malfunction",
            "troubleshoot",
            "leak",
            "leaking",
            "won't",
            "doesn't work",
        ),
    ),
    "warranty": (
        (
            "保几年",
            "保多久",
            "包几年",
            "保多长",
            "保修",
            "质保",
            "包修",
            "维修",
            "三包",
            "延保",
            "保固",
            "售后服务",
            "修理",
            "报修",
            "换新",
        ),
        ("warranty", "guarantee", "repair", "repairs", "warranted", "service plan"),
    ),
    "invoice": (
        ("发票", "开票", "专票", "普票", "税号", "抬头"),
        ("invoice", "receipt", "fapiao", "tax id", "vat"),
    ),
    "order": (
        (
            "取消订单",
            "取消",
            "撤单",
            "修改订单",
            "改订单",
            "改地址",
            "修改地址",
            "改手机",
            "手机号",
            "改收货",
        ),
        ("cancel", "cancellation", "change my order", "change the address", "phone number", "modify"),
    ),
    "exchange": (
        ("换货", "调换", "换一个", "换个", "换成", "换尺码", "换颜色", "换码", "可换", "更换"),
        (
            "exchange",
            "swap",
            "replacement",
            "replace",
            "different size",
            "different colour",
            "different color",
        ),
    ),
    "refund": (
        ("退款", "退钱", "到账", "退回", "原路", "钱什么时候", "仅退款", "退差价"),
        ("refund", "refunds", "refunded", "money back", "reimburse", "chargeback", "my money"),
    ),
    "return": (
        ("退货", "无理由", "退掉", "退回去", "不想要", "寄回", "退换", "可以退", "能退", "退吗"),
        ("return", "returns", "returned", "send it back", "send back", "no-reason", "no reason"),
    ),
    "shipping": (
        (
            "发货",
            "物流",
            "快递",
            "配送",
            "到货",
            "送达",
            "运费",
            "邮费",
            "包邮",
            "签收",
            "派送",
            "几天到",
            "多久到",
            "揽收",
            "顺丰",
            "京东物流",
        ),
        (
            "ship",
            "shipping",
            "shipped",
            "delivery",
            "deliver",
            "courier",
            "postage",
            "dispatch",
            "arrive",
            "tracking",
            "freight",
        ),
    ),
    "price": (
        (
            "价格",
            "多少钱",
            "售价",
            "价钱",
            "单价",
            "现价",
            "几块",
            "多少元",
            "贵",
            "便宜",
            "优惠",
            "折扣",
            "补贴",
            "到手价",
            "什么价",
            "啥价",
        ),
        ("price", "cost", "how much", "priced", "cheap", "expensive", "discount", "subsidy"),
    ),
    "stock": (
        (
            "库存",
            "还有吗",
            "补货",
            "预售",
            "到货",
            "有货",
            "现货",
            "缺货",
            "上架",
            "下架",
            "在售",
            "停产",
            "停售",
            "售罄",
            "还卖",
            "状态",
            "还有吗",
            "补货",
            "预售",
            "到货",
        ),
        ("stock", "in stock", "available", "availability", "sold out", "discontinued", "status"),
    ),
    "size": (
        (
            "尺码",
            "什么码",
            "哪个码",
            "哪码",
            "码还是",
            "选多大",
            "尺寸",
            "码数",
            "身高",
            "体重",
            "胸围",
            "衣长",
            "腰围",
            "大小",
            "多大",
            "长宽高",
            "选码",
            "几码",
            "穿多大",
        ),
        (
            "size",
            "sizes",
            "sizing",
            "dimension",
            "dimensions",
            "how big",
            "measurements",
            "fit",
            "height",
            "chest",
            "length",
            "width",
        ),
    ),
    "usage": (
        (
            "使用",
            "用法",
            "怎么用",
            "如何使用",
            "说明书",
            "操作",
            "清洗",
            "洗涤",
            "保养",
            "储存",
            "保存",
            "注意",
            "安装要求",
            "安装流程",
            "适合",
            "适用",
            "冲泡",
            "食用",
            "预约",
            "设置",
        ),
        (
            "how to use",
            "use",
            "usage",
            "instructions",
            "clean",
            "cleaning",
            "wash",
            "washing",
            "care",
            "store",
            "storage",
            "setup",
            "set up",
            "suitable",
            "recommended",
        ),
    ),
    "spec": (
        (
            "规格",
            "参数",
            "功率",
            "容量",
            "材质",
            "重量",
            "净重",
            "面料",
            "材料",
            "颜色",
            "配料",
            "成分",
            "产地",
            "保质期",
            "能效",
            "电压",
            "升",
            "瓦",
            "内胆",
            "加热",
            "温度",
            "充绒",
            "填充",
            "包装清单",
            "型号",
            "功能",
            "过敏原",
            "款式",
            "尺码表",
            "描述",
            "介绍",
            "电池",
            "续航",
            "充电",
            "风量",
            "分贝",
            "噪音",
            "噪声",
            "净重",
            "降噪",
            "静音",
        ),
        (
            "spec",
            "specs",
            "specification",
            "specifications",
            "power",
            "wattage",
            "capacity",
            "material",
            "weight",
            "colour",
            "color",
            "ingredients",
            "origin",
            "shelf life",
            "voltage",
            "tank",
            "features",
            "battery",
            "charging",
            "description",
            "in the box",
            "compatibility",
            "temperature",
        ),
    ),
}

# Field names that only describe the product (its marketing text): they say nothing about the kind of what
# is inside, so the sentences' own words decide.
DESCRIPTIVE_FIELDS = ("描述", "介绍", "详情", "简介", "亮点", "卖点", "description", "details", "overview",
                      "about", "highlights", "summary", "商品说明")  # fmt: skip


def _en_pattern(words: Iterable[str]) -> re.Pattern[str] | None:
    words = sorted(set(words), key=len, reverse=True)
    if not words:
        return None
    alts = "|".join(re.escape(w) for w in words)
    return re.compile(rf"(?<![a-z0-9])(?:{alts})(?:e?s)?(?![a-z0-9])")


# Every kind's words: the store-policy topics (service/answering/topics.py) first, since they are the more
# specific reading of a question that also uses a general word ("降价了能退差价吗" is price protection).
VOCABULARY: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {**TOPICS, **TERMS}
_ORDER = {k: i for i, k in enumerate(VOCABULARY)}


@lru_cache(maxsize=1)
def _compiled() -> dict[str, tuple[tuple[str, ...], re.Pattern[str] | None]]:
    return {kind: (zh, _en_pattern(en)) for kind, (zh, en) in VOCABULARY.items()}


# A short display code (E2, F001, E-04) standing alone is a fault code, whatever the language.
_FAULT_CODE = re.compile(r"(?<![A-Za-z0-9-])[A-Za-z]{1,2}-?\d{1,3}(?![A-Za-z0-9-])")


# Word classes that only mean a kind together: installing + money, when + send/arrive.
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("install_fee", re.compile(r"(?:安装|装机|上门)[^，。？！,.?!]{0,6}(?:钱|费|收|免费|付)")),
    ("install_fee", re.compile(r"install\w*[^.?!]{0,24}\b(?:cost|fee|charge|free|pay)")),
    ("shipping", re.compile(r"(?:什么时候|多久|几天|何时|哪天|多快)[^，。？！,.?!]{0,4}(?:发|到|送)")),
    ("shipping", re.compile(r"\bwhen\b[^.?!]{0,24}\b(?:ship|send|arrive|deliver)")),
    ("size", re.compile(r"(?:穿|选|买)[^，。？！,.?!]{0,3}(?:几|什么|哪个)?码|\bwhat size\b|\bwhich size\b")),
)


# "保多久" asks how long the warranty runs, unless the 保 is keeping something (保温, 保鲜, 保冷: "保温能保
# 多久" asks how long it keeps warm) and no warranty word says otherwise
_KEEPING = re.compile(r"保(?:温|鲜|冷|湿)")
_WARRANTY_IDIOMS = ("保几年", "保多久", "保多长")
_WARRANTY_WORDS = re.compile(r"保修|质保|包修|三包|延保|保固|warranty|guarantee", re.IGNORECASE)


def kind_scores(text: str) -> dict[str, float]:
    """How strongly ``text`` speaks of each kind: the number of distinct terms of that kind it contains,
    longer Chinese terms counting a little more (安装费 says more than 安装)."""
    lowered = text.lower()
    out = _kind_terms(lowered, text)
    if "warranty" in out and _KEEPING.search(lowered) and not _WARRANTY_WORDS.search(lowered):
        idioms = sum(1.0 + 0.1 * (len(t) - 2) for t in _WARRANTY_IDIOMS if t in lowered)
        out["warranty"] -= idioms
        if out["warranty"] <= 1e-9:
            del out["warranty"]
    return out


def _kind_terms(lowered: str, text: str) -> dict[str, float]:
    out: dict[str, float] = {}
    if _FAULT_CODE.search(text):
        out["fault"] = 1.0
    for kind, pattern in _PATTERNS:
        if pattern.search(lowered):
            out[kind] = out.get(kind, 0.0) + 1.0
    for kind, (zh, en) in _compiled().items():
        score = 0.0
        for term in zh:
            if term.lower() in lowered:
                score += 1.0 + 0.1 * (len(term) - 2)
        if en is not None:
            score += len(set(en.findall(lowered)))
        if score:
            out[kind] = out.get(kind, 0.0) + score
    return out


def classify(text: str) -> str | None:
    """The kind ``text`` speaks of most (ties to the more specific kind), or None."""
    scores = kind_scores(text)
    if not scores:
        return None
    return min(scores, key=lambda k: (-scores[k], _ORDER[k]))


def is_descriptive(field_name: str) -> bool:
    lowered = field_name.lower()
    return any(w in lowered for w in DESCRIPTIVE_FIELDS)


def classify_fact(field_path: str, label: str, text: str) -> str:
    """A fact's kind: its own label (the "保修政策：" a sentence starts with) speaks first, then the field
    name it sits under (unless that only says "description"), then its text."""
    weighted: dict[str, float] = {}
    parts = [(label, 3.0), (text, 1.0)]
    if not is_descriptive(field_path):
        parts.append((field_path, 2.0))
    for part, w in parts:
        for kind, score in kind_scores(part).items():
            weighted[kind] = weighted.get(kind, 0.0) + w * score
    if not weighted:
        return "other"
    return min(weighted, key=lambda k: (-weighted[k], _ORDER[k]))


def vocabulary_terms(text: str) -> list[str]:
    """The Chinese kind terms (two characters or more) a text contains: added to its segmented words,
    since a segmenter may cut across them (退货运费 -> 退/货运/运费)."""
    lowered = text.lower()
    return [t for zh, _ in VOCABULARY.values() for t in zh if len(t) >= 2 and t.lower() in lowered]
