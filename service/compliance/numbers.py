"""Quantities with units in Chinese and English text, normalised so that 7天, 七天, 7日 and "seven days"
compare equal, and 1年 equals 12个月.

Used by the unsupported-claim check (a number in a draft must appear in the cited sources or the agent's
context) and by the "spec fact" exception of the advertising-law rules ("最大承重100kg" states a
measurement, not a superlative claim). Works on text normalised by :mod:`service.compliance.normalize`
(ASCII digits, lower case).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from service.compliance.normalize import fold

Family = str  # price | discount | percent | duration | measure

_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_EN_ONES = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_EN_TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_EN_WORDS: dict[str, int] = {w: i for i, w in enumerate(_EN_ONES)} | _EN_TENS

# unit text -> (family, canonical unit, factor). Longest alternatives are tried first.
_UNITS: dict[str, tuple[Family, str, float]] = {}


def _add(family: Family, unit: str, factor: float, *names: str) -> None:
    for name in names:
        _UNITS[name] = (family, unit, factor)


_add("price", "cny", 1, "元人民币", "元", "块钱", "块", "yuan", "rmb", "cny")
_add("price", "usd", 1, "美元", "美金", "dollars", "dollar", "usd")
_add("price", "hkd", 1, "港元", "港币", "hkd")
_add("discount", "discount", 1, "折")
_add("percent", "percent", 1, "%", "percent", "per cent")
_add(
    "duration",
    "workday",
    1,
    "个工作日",
    "工作日",
    "business days",
    "business day",
    "working days",
    "working day",
    "workdays",
    "workday",
)
_add("duration", "hour", 1, "个小时", "小时", "钟头", "hours", "hour", "hrs", "hr", "h")
_add("duration", "minute", 1, "分钟", "minutes", "minute", "mins", "min")
_add("duration", "second", 1, "秒钟", "秒", "seconds", "second", "secs", "sec")
_add("duration", "day", 1, "天", "日", "days", "day")
_add("duration", "day", 7, "个星期", "星期", "周", "weeks", "week")
_add("duration", "month", 1, "个月", "months", "month")
_add("duration", "month", 12, "年", "years", "year", "yrs")
_add("measure", "celsius", 1, "摄氏度", "°c", "度")
_add("measure", "kg", 1, "公斤", "千克", "kg")
_add("measure", "kg", 0.5, "斤")
_add("measure", "kg", 0.001, "克", "g")
_add("measure", "l", 1, "升", "l")
_add("measure", "l", 0.001, "毫升", "ml")
_add("measure", "w", 1000, "千瓦", "kw")
_add("measure", "w", 1, "瓦", "w")
_add("measure", "mah", 1, "毫安时", "mah")
_add("measure", "cm", 1, "厘米", "公分", "cm")
_add("measure", "cm", 0.1, "毫米", "mm")
_add("measure", "cm", 100, "米", "m")
_add("measure", "inch", 1, "英寸", "寸", "inches", "inch")
_add("measure", "v", 1, "伏", "v")

_UNIT_ALT = "|".join(re.escape(u) for u in sorted(_UNITS, key=len, reverse=True))
_EN_NUM = (
    r"(?:(?:"
    + "|".join(_EN_TENS)
    + r")(?:-(?:"
    + "|".join(_EN_ONES[1:10])
    + r"))?|"
    + "|".join(sorted(_EN_ONES, key=len, reverse=True))
    + r")"
)
_AR = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_CN = r"[零〇一二两三四五六七八九十百千]+|半"
_ONE = rf"(?:(?:{_AR})\s?[万千]?|(?:{_CN})万?|(?<![a-z]){_EN_NUM}(?![a-z]))"
_RANGE_SEP = r"\s*(?:-|~|–|—|到|至|to)\s*"

_SUFFIXED = re.compile(
    rf"(?<![a-z0-9.第零〇一二两三四五六七八九十百千])(?P<a>{_ONE})(?:{_RANGE_SEP}(?P<b>{_ONE}))?\s?-?\s?(?P<unit>{_UNIT_ALT})(?![a-z])"
)
# after a currency sign a space may separate thousands, as some exports print prices ("¥1 699")
_AR_CUR = rf"\d{{1,3}}(?: \d{{3}})+(?![0-9.,])|{_AR}"
_CURRENCY = re.compile(
    rf"(?P<cur>¥|us\$|hk\$|\$|rmb|cny|usd)\s?(?P<a>{_AR_CUR})(?:{_RANGE_SEP}(?:¥|\$)?(?P<b>{_AR_CUR}))?(?![0-9])"
)
_PERCENT_CN = re.compile(rf"百分之(?P<a>{_CN}|{_AR})")
# A bare number after a price label, as product sheets write it ("商品价格: 99"): any currency.
_LABELLED_PRICE = re.compile(
    rf"(?:价格|售价|单价|现价|原价|到手价|活动价|券后价|price)\s*[:=]?\s*(?P<a>{_AR})(?![0-9%])"
)
_DATE_BEFORE = re.compile(r"(?:\d|[一二三四五六七八九十])\s*月\s*$")
# 最后一天, 同一天, 有一天, 前一天: "one day" as an idiom, not a stated duration.
_IDIOM_BEFORE = re.compile(r"(?:最后|同|这|那|某|哪|有|前|当|每|任何)\s*$")
# 满300减30, 满199包邮: thresholds and reductions are prices even without 元.
_THRESHOLD = re.compile(
    rf"满\s?(?P<a>{_AR})\s?(?:元|块)?(?:\s?[减降返]\s?(?P<b>{_AR})(?!\s?(?:%|折)))?(?![0-9.%])"
)
# A time reference into the past: "3天前下的订单", "10分钟前发的图片", "3 days ago" (a deadline such as
# "到期3天前申请" does not read as a past event and stays a claim).
_AGO = re.compile(
    r"\s?(?:(?:以|之)?前\s?(?:在[^,.!?;，。！？；]{1,8}?)?(?:下|买|购|发|拍|收|提交|付|寄|签|退|申请过|问|说|咨询|联系|留言|反馈|来|到|的|您|你|我|就|已|刚))"
    r"|\s?ago\b"
)
_AMPS = re.compile(r"[0-9.]+a(?![a-z])")
_SQUARED = re.compile(r"[23](?![0-9a-z])")
# An age or a school year, not a duration: 3周岁, 3年级, 90年代.
_NOT_A_SPAN = ("岁", "级", "代", "纪", "份")
# The agent's own follow-up, said in the first person singular ("10分钟后我再跟您确认", "我30分钟内给您答复",
# "I'll get back to you within 30 minutes"): a time the agent sets for checking back, not a fact. The
# store's commitments ("我们24小时内联系您", "we reply within 24 hours", "24小时后给您退款") stay claims.
_FOLLOW_UP = re.compile(
    r"\s?(?:以|之)?后\s?(?:(?:我|小妹|妹子)(?!们)\s?(?:再|会|就)?|再)\s?(?:跟|给|为|和)?\s?(?:您|你)?\s?"
    r"(?:确认|回复|答复|联系|核实|回电|反馈|同步|更新|说明|查)"
)
_AGENT_BEFORE = re.compile(r"(?:我|小妹|妹子)(?:会|将|争取|尽量|最迟|最晚)?(?:在)?\s?\Z")
_WITHIN_REPLY = re.compile(
    r"\s?(?:以|之)?[内后]\s?(?:再)?(?:跟|给|为|和)?\s?(?:您|你)?\s?"
    r"(?:确认|回复|答复|联系|核实|回电|反馈|同步|更新|回(?:个|一下)?(?:消息|话|电话))"
)
_FOLLOW_UP_EN = re.compile(
    r"\bi(?:'ll| will| can| shall| am going to)\s+(?:\w+\s+){0,2}?(?:get back to you|reply|respond|call you"
    r"(?: back)?|update you|follow up|check back|confirm|let you know)\s+(?:with)?in\s+(?:the next\s+)?\Z"
)
_CURRENCY_UNIT = {
    "¥": "cny",
    "rmb": "cny",
    "cny": "cny",
    "$": "usd",
    "us$": "usd",
    "usd": "usd",
    "hk$": "hkd",
}


@dataclass(frozen=True)
class Quantity:
    start: int
    end: int
    family: Family
    unit: str
    values: tuple[float, ...]  # one value, or both ends of a range


def parse_chinese_number(text: str) -> float | None:
    """一 -> 1, 十五 -> 15, 二十四 -> 24, 一百二十 -> 120, 两千 -> 2000, 半 -> 0.5; None when malformed."""
    if text == "半":
        return 0.5
    total = 0
    current: int | None = None
    for ch in text:
        if ch in _CN_DIGITS:
            if current is not None:
                if current == 0 or _CN_DIGITS[ch] == 0:  # 一〇〇 style digit strings
                    current = current * 10 + _CN_DIGITS[ch]
                    continue
                return None  # "两三" is not a number
            current = _CN_DIGITS[ch]
        elif ch in _CN_UNITS:
            total += (1 if current is None else current) * _CN_UNITS[ch]
            current = None
        else:
            return None
    return float(total + (current or 0))


def parse_number(text: str) -> float | None:
    text = text.strip()
    mult = 1.0
    if text.endswith("万"):
        mult, text = 10000.0, text[:-1].strip()
    elif text.endswith("千") and text[:-1].strip().replace(".", "").replace(",", "").isdigit():
        mult, text = 1000.0, text[:-1].strip()
    if not text:
        return None
    if text[0].isdigit():
        try:
            return float(text.replace(",", "").replace(" ", "")) * mult
        except ValueError:
            return None
    if text in _EN_WORDS:
        return float(_EN_WORDS[text]) * mult
    if "-" in text:
        tens, _, ones = text.partition("-")
        if tens in _EN_TENS and ones in _EN_WORDS:
            return float(_EN_TENS[tens] + _EN_WORDS[ones]) * mult
        return None
    value = parse_chinese_number(text)
    return None if value is None else value * mult


def _values(a: str, b: str | None) -> tuple[float, ...] | None:
    first = parse_number(a)
    if first is None:
        return None
    if b is None:
        return (first,)
    second = parse_number(b)
    return None if second is None else (first, second)


def _canonical(family: Family, unit: str, factor: float, values: tuple[float, ...]) -> tuple[float, ...]:
    if family == "discount":  # 8折 and 80折 mean 80 % of the price, 8.5折 and 85折 85 %
        return tuple(round(v * 10 if v < 10 else v, 4) for v in values)
    return tuple(round(v * factor, 4) for v in values)


def _is_arabic(token: str) -> bool:
    return token[:1].isdigit()


def extract(text: str, *, labelled_prices: bool = False) -> list[Quantity]:
    """Every quantity with a unit in normalised text, left to right. Dates (3月8日, 2024年) are skipped, and
    so are ordinals (第2天). With ``labelled_prices`` a bare number after a price label counts as a price
    in any currency (how product sheets state prices)."""
    found: list[Quantity] = []
    taken = bytearray(len(text))  # characters already inside a quantity: first match wins

    def free(start: int, end: int) -> bool:
        return not any(taken[start:end])

    def take(start: int, end: int) -> None:
        taken[start:end] = b"\x01" * (end - start)

    for m in _CURRENCY.finditer(text):
        values = _values(m["a"], m["b"])
        if values:
            unit = _CURRENCY_UNIT[m["cur"]]
            found.append(Quantity(m.start(), m.end(), "price", unit, values))
            take(m.start(), m.end())
    for m in _SUFFIXED.finditer(text):
        if not free(m.start(), m.end()):
            continue
        unit_text = m["unit"]
        family, unit, factor = _UNITS[unit_text]
        a, b = m["a"], m["b"]
        if unit_text == "块" and not _is_arabic(a) and not text.startswith("钱", m.end()):
            continue  # 一块 is "together" or "a piece", not a yuan
        if (
            unit_text[-1].isalpha()
            and unit_text.isascii()
            and text[m.end() : m.end() + 1].isdigit()
            and not _AMPS.match(text, m.end())
            and not _SQUARED.match(text, m.end())
        ):
            continue  # 7m1, 2h5: letters between digits make a model code (5V3A is volts and amps; 4mm² and
            # 22m³/min, folded to mm2 and m3, are areas and volumes)
        if family == "duration" and (
            _AGO.match(text, m.end())
            or _FOLLOW_UP.match(text, m.end())
            or _FOLLOW_UP_EN.search(text, max(0, m.start() - 60), m.start())
            or (
                _WITHIN_REPLY.match(text, m.end())
                and _AGENT_BEFORE.search(text, max(0, m.start() - 8), m.start())
            )
            or text.startswith(_NOT_A_SPAN, m.end())
        ):
            continue  # 3天前下的订单, "3 days ago", 10分钟后我再跟您确认, 3周岁, 3年级: not a claimed span
        if unit_text == "日" and _DATE_BEFORE.search(text, 0, m.start()):
            continue  # 3月8日 is a date
        if a == "一" and b is None and _IDIOM_BEFORE.search(text, max(0, m.start() - 3), m.start()):
            continue
        values = _values(a, b)
        if values is None:
            continue
        if unit_text == "年" and _is_arabic(a) and values[0] >= 1000:
            continue  # 2024年 is a year
        found.append(Quantity(m.start(), m.end(), family, unit, _canonical(family, unit, factor, values)))
        take(m.start(), m.end())
    for m in _THRESHOLD.finditer(text):
        for group in ("a", "b"):
            value = _values(m[group], None) if m[group] else None
            if value and free(m.start(group), m.end(group)):
                found.append(Quantity(m.start(group), m.end(group), "price", "cny", value))
                take(m.start(group), m.end(group))
    for m in _PERCENT_CN.finditer(text):
        pct = _values(m["a"], None)
        if pct:
            found.append(Quantity(m.start(), m.end(), "percent", "percent", pct))
    if labelled_prices:
        for m in _LABELLED_PRICE.finditer(text):
            value = _values(m["a"], None)
            if value and free(m.start("a"), m.start("a") + 1):
                for unit in ("cny", "usd"):
                    found.append(Quantity(m.start("a"), m.end(), "price", unit, value))
    found.sort(key=lambda q: (q.start, q.end))
    return found


def supported_set(texts: Iterable[str]) -> set[tuple[str, float]]:
    """(unit, value) pairs stated in the given normalised texts (both ends of ranges included)."""
    out: set[tuple[str, float]] = set()
    for text in texts:
        out |= _stated(text)
    return out


@lru_cache(maxsize=2048)
def _stated(text: str) -> frozenset[tuple[str, float]]:
    """One text's (unit, value) pairs. Cached like :func:`fold`: the same source chunks come back draft
    after draft, and reading their numbers costs more than checking the draft's own."""
    return frozenset((q.unit, v) for q in extract(text, labelled_prices=True) for v in q.values)


# --- product-scoped claims -----------------------------------------------------------------------------
# A number in a reply is supported only by a fact of the product the sentence is about (or of the store's
# policy), of the same kind of field: a sibling's warranty or another field's fee is not support even
# though the number occurs "somewhere" in the knowledge base. The facts come from the answer engine's fact
# store (service/answering/verify.py builds the scope); this module only judges, so compliance stays
# independent of how facts are stored.

POLICY = ""  # the owner of store-wide (policy) facts
UNKNOWN = "?"  # a model the catalogue does not hold, named by a sentence: no product's facts are its facts

# Kinds that answer for each other: a refund's arrival time may sit in the return policy, a remote-area
# surcharge in the shipping policy, a size in the specifications.
_KIND_GROUPS: dict[str, str] = {
    "return": "returns",
    "exchange": "returns",
    "refund": "returns",
    "shipping": "shipping",
    "remote_fee": "shipping",
    "install_fee": "install",
    "materials": "install",
    "size": "spec",
    "spec": "spec",
}
_MAX_SUM_TERMS = 3
# A total the reply computes ("一共180元", "in total"): a total no fact states is arithmetic, never support.
_TOTAL = re.compile(r"一共|总共|合计|共计|总计|加起来|加在一起|总价|总费用|in total|total|altogether|sum of")


@dataclass(frozen=True)
class Stated:
    """One value a fact states: whose fact (product id, or POLICY), of which kinds, and the fact's text."""

    owner: str
    kinds: frozenset[str]
    family: Family
    unit: str
    value: float
    text: str
    key: str = ""  # the fact's identity for the caller (its digest), to find the fact again


@dataclass(frozen=True)
class Judgement:
    supported: bool
    reason: str | None = None  # wrong_product | wrong_field | wrong_value | not_stated | arithmetic
    other_owner: str | None = None  # whose fact the number is, when it is another product's
    expected: Stated | None = None  # the right fact of the asked product and kind, when there is one


def kinds_compatible(claim: frozenset[str], fact: frozenset[str]) -> bool:
    """Same kind of field, or one side does not say (a bare "1999元" is judged by its value alone)."""
    if not claim or not fact or "other" in fact:
        return True
    groups = {_KIND_GROUPS.get(k, k) for k in fact}
    return any(_KIND_GROUPS.get(k, k) in groups for k in claim)


class StatedIndex:
    """Every value the knowledge base states, by (unit, value) and by owner: built once per fact store."""

    def __init__(self, stated: Iterable[Stated]) -> None:
        self.by_value: dict[tuple[str, float], list[Stated]] = {}
        self.by_owner: dict[str, list[Stated]] = {}
        for s in stated:
            self.by_value.setdefault((s.unit, s.value), []).append(s)
            self.by_owner.setdefault(s.owner, []).append(s)


class ClaimScope:
    """What one reply may state: the facts of ``products`` (or of the products a sentence names) and the
    policy, of the kind the sentence speaks of, plus ``free`` values (the agent's order facts, the store's
    follow-up promise) that support any claim. A value inside a product name the clause quotes (``names``)
    is part of the name, not a claim."""

    def __init__(
        self,
        index: StatedIndex,
        *,
        products: Sequence[str],
        mentions: Callable[[str, Sequence[str]], list[str]],
        kinds: Callable[[str], frozenset[str]],
        free: set[tuple[str, float]] | None = None,
        names: Callable[[str], set[tuple[str, float]]] | None = None,
        named_sizes: Callable[[str], frozenset[tuple[str, float]]] | None = None,
    ) -> None:
        self.index = index
        self.products = list(dict.fromkeys(products))
        self.mentions = mentions
        self.kinds = kinds
        self.free = free or set()
        # the values inside the catalogue product names a text holds ("JSQ22-HWA（12升）", a title's
        # "国补立减15%"): a product's name is a name, not a claim
        self.names = names
        # a product id -> the capacities and powers its own name states ("20W" of a 20W charger): said of
        # the product the sentence is about, the size that names it, not a claim of a field
        self.named_sizes = named_sizes

    def owners(self, sentence: str, clause: str = "") -> list[str]:
        """The products a number is about: those its clause names, else its sentence (a code near-duplicates
        share names the reply's own products among them), else the reply's products. A clause naming one
        product beside a clause naming its sibling ("A 尺寸…，B 售价…") is about its own."""
        named = self.mentions(clause, self.products) if clause else []
        return named or self.mentions(sentence, self.products) or self.products

    def judge(self, q: Quantity, clause: str, sentence: str) -> Judgement:
        if all((q.unit, v) in self.free for v in q.values):
            return Judgement(True)
        if self.names is not None and all((q.unit, v) in self.names(clause) for v in q.values):
            return Judgement(True)
        owners = self.owners(sentence, clause)
        allowed = {*owners, POLICY}
        if q.family == "measure" and self.named_sizes is not None:
            sizes = frozenset().union(*(self.named_sizes(o) for o in owners))
            if all((q.unit, v) in sizes for v in q.values):
                return Judgement(True)
        claim_kinds = self.kinds(clause) or self.kinds(sentence)
        missing = [
            v
            for v in q.values
            if (q.unit, v) not in self.free
            and not any(
                s.owner in allowed and kinds_compatible(claim_kinds, s.kinds)
                for s in self.index.by_value.get((q.unit, v), ())
            )
        ]
        if not missing:
            return Judgement(True)
        if all(
            self._quoted(sentence, q.unit, v) or self._quoted_clause(clause, q.unit, v, allowed)
            for v in missing
        ):
            return Judgement(True)
        value = missing[0]
        other = next(
            (
                s
                for s in self.index.by_value.get((q.unit, value), ())
                if s.owner not in allowed and kinds_compatible(claim_kinds, s.kinds)
            ),
            None,
        )
        expected = self._expected(q, owners, claim_kinds)
        if other is not None:
            return Judgement(False, "wrong_product", other.owner, expected)
        if any(s.owner in allowed for s in self.index.by_value.get((q.unit, value), ())):
            return Judgement(False, "wrong_field", None, expected)  # the product's, but another field's
        if _TOTAL.search(clause) or self._is_sum(q.unit, value, allowed):
            return Judgement(False, "arithmetic", None, None)
        return Judgement(False, "wrong_value" if expected else "not_stated", None, expected)

    def _quoted(self, sentence: str, unit: str, value: float) -> bool:
        """The whole sentence is quoted from a fact of the reply's own products that states the value: it
        is that product's sheet even when it names a sibling ("与DJ-150款版型相同，充绒量200g")."""
        # a label before a colon (the product's name, "TB-3：…") is not part of the quotation
        bodies = {_bare(b) for b in (sentence, re.split(r"[:：]", sentence, maxsplit=1)[-1])}
        bodies = {b for b in bodies if len(b) >= _QUOTE_MIN}
        return any(
            s.owner in self.products and any(b in _bare(fold(s.text)) for b in bodies)
            for s in self.index.by_value.get((unit, value), ())
        )

    def _quoted_clause(self, clause: str, unit: str, value: float, allowed: set[str]) -> bool:
        """The clause holding the number is quoted word for word from a fact of an allowed owner (the
        asked product or the policy) that states it: the number is that fact's, in its own field, even
        when the sentence around it speaks of other kinds too (a policy table row: "条件：近12个月累计
        实付满5000元，…不论金额包邮"). A label before a colon (the product's name) is not part of it. When
        the clause's other numbers were changed ("满3000元"), only the unchanged ones are quoted."""
        for body in dict.fromkeys([clause, clause.split(":")[-1]]):
            said = _shape(body)
            if len(_bare(body)) < _QUOTE_MIN:
                continue
            words = _NUMBER.split(said)
            pattern = re.compile(
                "".join(re.escape(w) if i % 2 == 0 else _NUMBER.pattern for i, w in enumerate(words))
            )
            for s in self.index.by_value.get((unit, value), ()):
                if s.owner not in allowed:
                    continue
                m = pattern.search(_shape(fold(s.text)))
                if m is None:
                    continue
                changed = {w for w, got in zip(words[1::2], m.groups(), strict=True) if w != got}
                if any(
                    (unit, value) in ((q.unit, v) for v in q.values)
                    and not set(_NUMBER.findall(_shape(body[q.start : q.end]))) & changed
                    for q in extract(body)
                ):
                    return True
        return False

    def _expected(self, q: Quantity, owners: Sequence[str], claim_kinds: frozenset[str]) -> Stated | None:
        """The asked product's own fact of the claim's kind and unit family (its policy's otherwise)."""
        if not claim_kinds:
            return None
        for owner in [*owners, POLICY]:
            for s in self.index.by_owner.get(owner, ()):
                if (
                    s.family == q.family
                    and (q.family != "measure" or s.unit == q.unit)  # a length is no suggestion for a weight
                    and s.kinds
                    and "other" not in s.kinds
                    and kinds_compatible(claim_kinds, s.kinds)
                    and (owner != POLICY or s.kinds & claim_kinds)
                ):
                    return s
        return None

    def _is_sum(self, unit: str, value: float, allowed: set[str]) -> bool:
        """``value`` is the sum of two or three values the allowed facts state (an invented total)."""
        parts = sorted(
            {
                s.value
                for owner in allowed
                for s in self.index.by_owner.get(owner, ())
                if s.unit == unit and 0 < s.value < value
            }
        )[:40]
        return any(_sums_to(parts, value, n) for n in range(2, _MAX_SUM_TERMS + 1))


_QUOTE_MIN = 8  # a shorter sentence ("充绒量200g") says too little to be a quotation of one sheet


_NUMBER = re.compile(r"(\d+(?:\.\d+)?)")


def _shape(text: str) -> str:
    """Words and numbers with their decimal points: a clause compared with a fact's text."""
    return re.sub(r"(?!(?<=\d)\.(?=\d))[\W_]+", "", re.sub(r"\[\d{1,3}\]", "", text))


def _bare(text: str) -> str:
    """Words and numbers only: no punctuation, spacing or [n] source markers."""
    return re.sub(r"[\W_]+", "", re.sub(r"\[\d{1,3}\]", "", text))


def _sums_to(parts: list[float], target: float, n: int, start: int = 0) -> bool:
    if n == 1:
        return any(abs(p - target) < 1e-6 for p in parts[start:])
    for i in range(start, len(parts)):
        if parts[i] >= target:
            break
        if _sums_to(parts, target - parts[i], n - 1, i):
            return True
    return False


def stated_values(
    text: str,
    *,
    owner: str,
    kinds: frozenset[str],
    key: str = "",
    price_fact: bool = False,
    display: str | None = None,
) -> list[Stated]:
    """The values one fact's (normalised) ``text`` states; a price fact's bare number is a price.
    ``display`` is the fact as written, quoted in suggestions."""
    shown = display if display is not None else text
    out = [
        Stated(owner, kinds, q.family, q.unit, v, shown, key)
        for q in extract(text, labelled_prices=True)
        for v in q.values
    ]
    if price_fact and not any(s.family == "price" for s in out):
        for m in re.finditer(rf"(?<![0-9.]){_AR}(?![0-9])", text):
            value = parse_number(m.group(0))
            if value is not None:
                out += [Stated(owner, kinds, "price", u, value, shown, key) for u in ("cny", "usd")]
    return out
