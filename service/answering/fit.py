"""Simple inference from a figure the customer states: which row of a table, which rule's window fits it.

"腰围82厘米穿几码", "I'm 168 cm tall, which size?", "家里四口人选哪个" state a measure; the sheet
holds a table (a size chart) or a range ("适合3–5人家庭") and the answer is the row or range that holds
the figure. "买了10天就坏了" states how long ago; the policy holds windows ("签收后7天内…", "15天内…") and
the rule that applies is the shortest window still open. Nothing here knows a store: only measures, units,
ranges and windows.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

_ZH = {"一": 1, "两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_NUM = r"(\d+(?:\.\d+)?|[一两二三四五六七八九十]{1,3})"
# the measure words a customer states about themselves (or the room, the household) and the table's columns
_LABELS = (
    "身高|体重|腰围|胸围|臀围|肩宽|脚长|头围|年龄|月龄|面积|人数|"
    r"height|weight|waist|chest|hips?|shoulders?|age|area|tall|weigh"
)
_UNITS: dict[str, str] = {
    "cm": "cm", "厘米": "cm", "公分": "cm", "kg": "kg", "公斤": "kg", "千克": "kg", "斤": "jin",
    "口人": "person", "口之家": "person", "个人": "person", "人": "person", "口": "person",
    "people": "person", "persons": "person", "平米": "m2", "平方米": "m2", "平": "m2", "㎡": "m2",
    "m2": "m2", "square meters": "m2", "square metres": "m2", "岁": "age", "个月大": "month",
    "years old": "age",
}  # fmt: skip
_UNIT_ALT = "|".join(re.escape(u) for u in sorted(_UNITS, key=len, reverse=True))
_STATED = re.compile(
    rf"(?:(?P<label>{_LABELS})\s*(?:是|有|约|大概|大约|差不多|is|of|about|around)?\s*)?{_NUM}"
    rf"\s*(?P<unit>{_UNIT_ALT})?(?:\s*(?P<after>{_LABELS}))?",
    re.IGNORECASE,
)
_RANGE = re.compile(
    rf"(?P<a>\d+(?:\.\d+)?)\s*(?P<ua>{_UNIT_ALT})?\s*(?:[-–—~～至到]|to)\s*(?P<b>\d+(?:\.\d+)?)\s*(?P<unit>{_UNIT_ALT})?",
    re.IGNORECASE,
)
_SINGLE = re.compile(rf"(?<![\d.])(?P<a>\d+(?:\.\d+)?)\s*(?P<unit>{_UNIT_ALT})", re.IGNORECASE)
_N = r"\d+(?:\.\d+)?|[一两二三四五六七八九十]{1,3}"
# an English count in words ("four months ago", "a week ago")
_EN_NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30,
}  # fmt: skip
_EN_N = "|".join(sorted(_EN_NUMBERS, key=len, reverse=True))
_ELAPSED = re.compile(
    rf"(?:买|用|签收|收到|到货|收货|拿到|穿|装)了?(?:才|刚)?\s*(?P<n1>{_N})\s*(?P<u1>天|个?星期|周|个?月)"
    rf"|(?P<n2>{_N})\s*(?P<u2>天|个?星期|周|个?月)(?:了|就|后就|前|以前|之前)"
    rf"|(?<![A-Za-z])(?P<n3>\d+|{_EN_N})\s*(?P<u3>days?|weeks?|months?)\s+(?:ago|after|since|later)",
    re.IGNORECASE,
)
_WINDOW = re.compile(
    r"(?P<n>\d+)\s*(?P<unit>天|个月|日)(?:以|之)?内|within\s+(?P<en>\d+)\s*(?P<enunit>days?|months?)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Stated:
    label: str | None  # the measure named (身高), when named
    value: float
    unit: str | None  # cm, kg, person, m2 ... (None: a bare number after a named measure)


def _number(text: str) -> float | None:
    if text.lower() in _EN_NUMBERS:
        return float(_EN_NUMBERS[text.lower()])
    try:
        return float(text)
    except ValueError:
        pass
    if text in _ZH:
        return float(_ZH[text])
    if text.startswith("十") and len(text) == 2:
        return 10.0 + _ZH.get(text[1], 0)
    if len(text) >= 2 and text[1] == "十":
        return _ZH.get(text[0], 0) * 10.0 + (_ZH.get(text[2], 0) if len(text) == 3 else 0)
    return None


def _unit(raw: str | None) -> str | None:
    return _UNITS.get(raw.lower(), raw.lower()) if raw else None


def _label(raw: str | None) -> str | None:
    if not raw:
        return None
    raw = raw.lower()
    return {"tall": "height", "weigh": "weight", "hip": "hips", "shoulder": "shoulders"}.get(raw, raw)


_SAME = {"height": "身高", "weight": "体重", "waist": "腰围", "chest": "胸围", "hips": "臀围",
         "shoulders": "肩宽", "age": "年龄", "area": "面积"}  # fmt: skip


def stated(text: str) -> list[Stated]:
    """The measures a question states: a named measure with its figure (身高158, 腰围82厘米) or a figure in
    a unit of a body, a household or a room (168 cm, 10公斤, 四口人, 25平米)."""
    out: list[Stated] = []
    for m in _STATED.finditer(text):
        value = _number(m.group(2))
        if value is None:
            continue
        label = _label(m.group("label") or m.group("after"))
        unit = _unit(m.group("unit"))
        if unit == "jin":
            value, unit = value / 2, "kg"
        if label is None and unit is None:
            continue
        if unit is None and not re.fullmatch(r"\d+(?:\.\d+)?", m.group(2)):
            continue  # "身高一" is no figure
        out.append(Stated(_SAME.get(label, label) if label else None, value, unit))
    return out


def _pair_fits(label: str, value: str, asked: Stated) -> bool | None:
    """Whether a table cell holds the stated figure: True, False, or None when it is not comparable."""
    if asked.label is not None and asked.label not in label.lower():
        return None
    for m in _RANGE.finditer(value):
        unit = _unit(m.group("unit") or m.group("ua"))
        if asked.unit and unit and unit != asked.unit:
            continue
        if asked.label is None and (unit is None or asked.unit is None):
            continue
        a, b = float(m.group("a")), float(m.group("b"))
        return min(a, b) <= asked.value <= max(a, b)
    for m in _SINGLE.finditer(value):
        unit = _unit(m.group("unit"))
        if asked.label is None or (asked.unit and unit != asked.unit):
            continue  # a single value is compared only under its own named column
        return abs(float(m.group("a")) - asked.value) < 1e-9
    return None


def fits(pairs: Sequence[tuple[str, str]], text: str, asked: Sequence[Stated]) -> bool | None:
    """Whether a fact (a table row's cells, else its text as one cell) holds one of the stated figures:
    True when one fits, False when it is comparable but none fits, None when it says nothing comparable."""
    cells = list(pairs) or [("", text)]
    verdict: bool | None = None
    for s in asked:
        for label, value in cells:
            got = _pair_fits(label, value, s)
            if got:
                return True
            if got is False:
                verdict = False
    return verdict


def elapsed_days(text: str) -> float | None:
    """How long ago the customer says it was bought or received ("买了10天", "用了两个星期"), in days."""
    m = _ELAPSED.search(text)
    if not m:
        return None
    number = m.group("n1") or m.group("n2") or m.group("n3")
    unit = (m.group("u1") or m.group("u2") or m.group("u3") or "").lower()
    value = _number(number)
    if value is None:
        return None
    if "星期" in unit or "周" in unit or unit.startswith("week"):
        return value * 7
    if "月" in unit or unit.startswith("month"):
        return value * 30
    return value


def window_days(text: str) -> float | None:
    """The window a rule states ("签收后15天内", "within 30 days"), in days; None without one."""
    m = _WINDOW.search(text)
    if not m:
        return None
    n = float(m.group("n") or m.group("en"))
    unit = (m.group("unit") or m.group("enunit")).lower()
    return n * 30 if unit.startswith(("个月", "month")) else n


# "买了50块钱的东西", "订单才80元", "I spent 60 yuan": the order amount the customer states.
_AMOUNT = re.compile(
    r"(?:买了|花了|付了|实付|订单|下单|消费|才|只有|一共|总共)\s*(?P<zh>\d+(?:\.\d+)?)\s*(?:块|元)"
    r"|(?P<zh2>\d+(?:\.\d+)?)\s*(?:块钱|元)的(?:东西|订单|商品|货)"
    r"|(?:spent|paid|order of|worth|buying|bought)\s*(?:¥|rmb\s*|cny\s*)?"
    r"(?P<en>\d+(?:\.\d+)?)\s*(?:yuan|rmb|cny)?",
    re.IGNORECASE,
)
# A rule's amount condition: "满99元" / "99 yuan or more" holds from that amount up, "不满99元" /
# "under 99 yuan" below it.
_THRESHOLD = re.compile(
    r"(?:(?P<neg>[不未])满|(?<![不未])满)\s*(?P<zh>\d+(?:\.\d+)?)\s*元"
    r"|(?:不足|低于)\s*(?P<low>\d+(?:\.\d+)?)\s*元"
    r"|(?P<en>\d+(?:\.\d+)?)\s*yuan or more|(?:under|below|less than)\s*(?P<under>\d+(?:\.\d+)?)\s*yuan",
    re.IGNORECASE,
)


_OTHERWISE = re.compile(r"否则|otherwise", re.IGNORECASE)


def stated_amount(text: str) -> float | None:
    """The order amount a customer states, in yuan, or None."""
    m = _AMOUNT.search(text)
    if not m:
        return None
    return float(next(g for g in (m.group("zh"), m.group("zh2"), m.group("en")) if g))


def amount_fit(text: str, amount: float) -> int:
    """How many of a rule's amount conditions the stated amount meets, less those it does not: a rule for
    orders "不满99元" applies to a 50-yuan order, "满99元包邮" does not (a sentence naming both says
    nothing either way)."""
    net = 0
    for m in _THRESHOLD.finditer(text):
        if m.group("zh"):
            below = bool(m.group("neg"))
            limit = float(m.group("zh"))
        elif m.group("low") or m.group("under"):
            below, limit = True, float(m.group("low") or m.group("under"))
        else:
            below, limit = False, float(m.group("en"))
        holds = amount < limit if below else amount >= limit
        # "满99元包邮，否则8元": the sentence states the other case too
        net += 1 if holds else (0 if _OTHERWISE.search(text) else -1)
    return max(-1, min(1, net))
