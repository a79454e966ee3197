"""What a customer message asks of the store's systems: which operations, about which order, with which
details (a day, a phone number, a new address, a quantity). Rules over the text, in Chinese and English.

Only explicit requests count ("please cancel", "我要退货", "if it has not shipped, cancel it"); a negated
one ("我不会预约") does not. Which order is meant follows a fixed order of evidence: an order id in the
message, "all my orders", a product named in the message, "the other order", "the order I just placed",
the same evidence in earlier turns, and finally the customer's only order that fits.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from service.connectors.models import Order

Op = str  # one of OPS' keys

_NEG = re.compile(r"(?:不|别|不要|不会|不想|无需|不用|暂不|没有|don't|do not|won't|not)\s*\S{0,2}$", re.I)
_QUESTION = re.compile(r"(?:有没有|是不是|能不能|可不可以)\S{0,2}$")  # a yes/no question, not a negation
_PAST = re.compile(r"(?:之前|已经|以前|曾经|先前)\S{0,3}$")

OPS: dict[Op, re.Pattern[str]] = {
    "expedite": re.compile(r"加急|催(?:一下|单|发货)|尽快发货|expedite|rush (?:my|the|this) order", re.I),
    "cancel": re.compile(r"取消(?:订单|这个订单|该订单|掉)?|\bcancel", re.I),
    "modify": re.compile(
        r"(?:修改|更改|改)(?:为|成)?[^。，,；;]{0,12}(?:地址|手机号|电话)|(?:地址|手机号|电话)\S{0,12}?(?:修改|更改|改)(?:为|成)"
        r"|change (?:the |my )?(?:delivery |shipping )?(?:address|phone)",
        re.I,
    ),
    "return": re.compile(r"退货|退掉|return (?:it|the|this|my)|send (?:it|this) back", re.I),
    "exchange": re.compile(r"换货|换(?:一个|一台|一款|个|成|为)|替换|调换|\bexchange|\bswap", re.I),
    "invoice": re.compile(r"(?:开|开具|要|申请|出)[^。，,]{0,8}发票|\binvoice", re.I),
    "service": re.compile(
        r"预约|安排[^。，,]{0,6}(?:上门|安装|维修)|上门(?:安装|维修)"
        r"|(?:安装|维修|修理)[^。]{0,16}(?:时间(?:定|约|是|为)|定在|定为|约在|约到)"
        r"|book (?:an? |the )?(?:installation|repair|technician|visit)",
        re.I,
    ),
    # Registering a review cash-back is asked for in so many words; asking whether one exists is a look-up.
    "cashback": re.compile(
        r"登记[^。，,]{0,8}(?:返现|晒单)|(?:返现|晒单)[^。，,]{0,8}登记(?!了吗|了没|没有|过吗|了么)"
        r"|申请[^。，,]{0,4}返现|返现(?:凭证|资格)"
        r"|register[^.]{0,20}cash ?back|claim[^.]{0,10}cash ?back",
        re.I,
    ),
    "cashback_query": re.compile(r"返现|晒单|cash ?back", re.I),
    "create": re.compile(
        r"下单|帮我(?:买|购买)|(?:想|要|决定|准备|希望)(?:要)?(?:购买|买)(?!了)|place (?:an |the )?order"
        r"|(?:like|want) to (?:buy|order)",
        re.I,
    ),
    "shipping": re.compile(
        r"物流|快递|送到哪|到哪|发货了|是否发货|有没有发货|多久能到|送达|包裹"
        r"|tracking|where is my|shipped|delivery",
        re.I,
    ),
    "status": re.compile(
        r"订单[^。，,]{0,6}状态|查(?:询|一下|查)?[^。，,]{0,6}订单|买的是什么|收货地址|收件地址|order status",
        re.I,
    ),
    "balance": re.compile(r"E卡|电子卡|余额|ecard|e-card|gift card|store credit|balance", re.I),
}
# Operations that change something; the others only need look-ups.
ACTIONS = ("expedite", "cancel", "modify", "return", "exchange", "invoice", "service", "cashback", "create")

ORDER_ID = re.compile(r"(?<![0-9A-Za-z])([0-9]{6,20})(?![0-9])")
PRODUCT_URL = re.compile(r"/([0-9A-Za-z-]{4,40})\.html")
DAY = re.compile(
    r"(周[一二三四五六日天]|星期[一二三四五六日天]|礼拜[一二三四五六日天]|今天|明天|后天|大后天"
    r"|\d{1,2}月\d{1,2}[日号]|\d{4}-\d{2}-\d{2}"
    r"|(?:mon|tues|wednes|thurs|fri|satur|sun)day|tomorrow|today)",
    re.I,
)
PHONE = re.compile(r"(?<![0-9])(1[0-9]{10})(?![0-9])")
NAME = re.compile(r"(?:名字|姓名|名为|联系人|收件人)(?:是|为|叫)?[:：]?\s*([\u4e00-\u9fff]{2,4})")
QUOTED = re.compile(r"[\"“「『]([^\"“”「」『』]{2,120})[\"”」』]")
ADDRESS_TO = re.compile(
    r"(?:地址\S{0,8}?(?:修改|更改|改)(?:为|成)|(?:修改|更改|改)(?:收货|收件)?地址(?:为|成))[:：]?\s*"
    r"[\"“「『]?([^\"”」』,，。]{2,120})"
)
INVOICE_TYPE = re.compile(
    r"(个人|企业|公司|单位|增值税专用|专用|普通|电子)发票|(personal|company|business) invoice", re.I
)
TITLE = re.compile(r"抬头(?:为|是|写)?[:：]?\s*[\"“「『]?([^\"”」』,，。]{2,60})")
QTY_BEFORE = re.compile(r"([0-9]+|[一两二三四五六七八九十])\s*(?:个|台|件|套|只|箱|瓶|份)[^0-9]{0,16}$")
QTY_AFTER = re.compile(r"^[^0-9]{0,12}?数量(?:为|是)?\s*([0-9]+|[一两二三四五六七八九十])")
ALL_ORDERS = re.compile(
    r"所有(?:的)?(?:订单|包裹)|全部(?:的)?(?:订单|包裹)|all (?:of )?my (?:orders|parcels)|every order", re.I
)
OTHER_ORDER = re.compile(r"另(?:一|外一?)个订单|其他订单|other order", re.I)
JUST_PLACED = re.compile(r"刚(?:刚|才)|just (?:placed|ordered|bought)", re.I)
SAME_PAYMENT = re.compile(r"(?:相同|同样|之前|原来)的?(?:方式|支付)|same (?:way|payment)", re.I)
STORE_CREDIT = re.compile(r"E卡|电子卡|ecard|e-card|gift card|store credit", re.I)
OTHER_PAYMENTS = {
    "微信": re.compile(r"微信|wechat", re.I),
    "支付宝": re.compile(r"支付宝|alipay", re.I),
    "银行卡": re.compile(r"银行卡|bank card|credit card", re.I),
}
CAPACITY = re.compile(r"([0-9]+(?:\.[0-9]+)?)\s*(?:L|升|l\b|litre|liter)", re.I)
BIGGER = re.compile(r"更大|大一些|大一点|比[^，。,]{0,8}大|bigger|larger")
SMALLER = re.compile(r"更小|小一些|小一点|比[^，。,]{0,8}小|smaller")
# "I'll keep using it and see; if it is still noisy I'll return it": a plan, not a request.
DEFER = re.compile(r"再(?:使用|用|观察|试)(?:一段时间|几天)?看看|先用着|先观察|keep using it and see", re.I)
SUPERLATIVE = re.compile(r"最大|largest|biggest")
REPAIR = re.compile(r"维修|修理|报修|repair", re.I)
INSTALL = re.compile(r"安装|install", re.I)
_CN_DIGITS = {
    "一": 1,
    "两": 2,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
}


def _number(token: str) -> int:
    return int(token) if token.isdigit() else _CN_DIGITS.get(token, 1)


def operations(text: str) -> list[Op]:
    """The operations the text asks for (not negated), in the order they first appear."""
    found: list[tuple[int, Op]] = []
    deferred = DEFER.search(text)
    if deferred:  # only questions asked before the deferral count
        return [op for op in operations(text[: deferred.start()]) if op not in ACTIONS]
    for op, pattern in OPS.items():
        for m in pattern.finditer(text):
            before = text[max(0, m.start() - 6) : m.start()]
            if _NEG.search(before) and not _QUESTION.search(before):
                continue
            if op == "create" and _PAST.search(text[max(0, m.start() - 8) : m.start()]):
                continue
            found.append((m.start(), op))
            break
    return [op for _, op in sorted(found)]


@dataclass
class Details:
    """Values the customer gave for an action."""

    days: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    new_address: str | None = None
    invoice_type: str | None = None
    invoice_title: str | None = None
    service_type: str | None = None  # "安装" or "维修" (the vocabulary's words)


def details(text: str) -> Details:
    d = Details(
        days=[m.group(1) for m in DAY.finditer(text)],
        phones=PHONE.findall(text),
        names=NAME.findall(text),
    )
    if m := ADDRESS_TO.search(text):
        d.new_address = m.group(1).strip()
    if m := INVOICE_TYPE.search(text):
        word = (m.group(1) or m.group(2) or "").lower()
        d.invoice_type = (
            "企业发票"
            if word in ("企业", "公司", "单位", "company", "business")
            else (f"{m.group(1)}发票" if m.group(1) else "个人发票")
        )
    if m := TITLE.search(text):
        d.invoice_title = m.group(1).strip()
    repair, install = REPAIR.search(text), INSTALL.search(text)
    if repair and (not install or repair.start() > install.start()):
        d.service_type = "维修"
    elif install:
        d.service_type = "安装"
    return d


URL = re.compile(r"https?://[\x21-\x7e]+", re.I)  # ASCII only: a link ends where Chinese text starts
PHONE_CONTEXT = re.compile(r"(?:电话|手机|联系方式|phone|tel|mobile)\S{0,6}$", re.I)


def ids_in(text: str) -> list[str]:
    """Product-page ids and digit runs outside links (candidates for order and product ids)."""
    found = [m.group(1) for m in PRODUCT_URL.finditer(text)]
    plain = URL.sub(" ", text)
    found += [m.group(1) for m in ORDER_ID.finditer(plain) if not PHONE_CONTEXT.search(plain[: m.start()])]
    return list(dict.fromkeys(found))


def quantities(text: str, product_ids: Sequence[str]) -> dict[str, int]:
    """Quantity per product id: "2台…（商品ID：X）" or "X…数量为2"; 1 when not said."""
    out: dict[str, int] = {}
    for pid in product_ids:
        at = text.find(pid)
        if at < 0:
            out[pid] = 1
            continue
        before = QTY_BEFORE.search(text[max(0, at - 24) : at])
        after = QTY_AFTER.search(text[at + len(pid) : at + len(pid) + 24])
        out[pid] = _number(after.group(1)) if after else _number(before.group(1)) if before else 1
    return out


def payment(text: str, store_credit_label: str) -> str | None:
    if STORE_CREDIT.search(text):
        return store_credit_label
    for label, pattern in OTHER_PAYMENTS.items():
        if pattern.search(text):
            return label
    return None


def capacity(name: str | None) -> float | None:
    m = CAPACITY.search(name or "")
    return float(m.group(1)) if m else None


@dataclass(frozen=True)
class Resolution:
    orders: list[Order]
    evidence: str  # "id", "all", "product", "other", "recent", "history", "only", "unknown_id", "none"
    unknown_ids: tuple[str, ...] = ()


def _by_evidence(text: str, orders: Sequence[Order], product_ids: Iterable[str]) -> Resolution | None:
    by_id = {o.order_id: o for o in orders}
    ids = ids_in(text)
    named = [by_id[i] for i in ids if i in by_id]
    if named:
        return Resolution(named, "id")
    products = set(product_ids) | set(ids)
    holding = [o for o in orders if any(i.product_id in products for i in o.items)]
    if holding:
        return Resolution(holding, "product")
    return None


def resolve(
    text: str,
    orders: Sequence[Order],
    *,
    history: Sequence[str],
    mentioned_products: Sequence[str],
    history_products: Sequence[Sequence[str]],
    fits: Sequence[str] = (),
) -> Resolution:
    """Which of the customer's orders ``text`` is about (see the module docstring for the evidence).

    ``history`` holds earlier customer turns, newest first, with ``history_products`` the product ids
    named in each; ``fits`` lists the statuses in which the asked operation could apply (for the last
    resort: the only order that fits).
    """
    if ALL_ORDERS.search(text):
        return Resolution(list(orders), "all")
    found = _by_evidence(text, orders, mentioned_products)
    if found:
        return found
    unknown = tuple(i for i in ids_in(text) if len(i) >= 8 and i not in mentioned_products)
    if unknown:  # an id the order list lacks, named now: stronger than earlier turns
        return Resolution([], "unknown_id", unknown)
    if OTHER_ORDER.search(text):
        seen: set[str] = set()
        for turn, products in zip(history, history_products, strict=False):
            earlier = _by_evidence(turn, orders, products)
            seen.update(o.order_id for o in earlier.orders) if earlier else None
        rest = [o for o in orders if o.order_id not in seen]
        if len(rest) == 1:
            return Resolution(rest, "other")
    if JUST_PLACED.search(text):
        open_orders = [o for o in orders if o.status in ("pending_payment", "paid", "processing")]
        if len(open_orders) == 1:
            return Resolution(open_orders, "recent")
    for turn, products in zip(history, history_products, strict=False):
        earlier = _by_evidence(turn, orders, products)
        if earlier:
            return Resolution(earlier.orders, "history")
        named = tuple(i for i in ids_in(turn) if len(i) >= 8 and i not in products)
        if named and not unknown:  # an order id the order list lacks: the store may still know it
            return Resolution([], "unknown_id", named)
    if len(orders) == 1:
        return Resolution(list(orders), "only")
    fitting = [o for o in orders if o.status in fits]
    if fits and len(fitting) == 1:
        return Resolution(fitting, "only")
    return Resolution([], "none")
