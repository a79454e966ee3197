"""Named Python checks that rule packs refer to (``matcher: {check: name, params: {...}}``).

A check receives the draft as a :class:`Document` (normalised text plus lazily computed evidence: the
sources, the agent's context, the customer's message) and yields hits in normalised coordinates. Rules
decide category, severity and wording; checks only find things. Register new checks with
:func:`register_check`; parameters are validated by the check's pydantic model when packs load.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator

from service.compliance import numbers, pii
from service.compliance.normalize import Normalized, fold
from service.compliance.prefilter import Prefilter, Scan


@dataclass(frozen=True)
class Hit:
    start: int
    end: int
    message: str | None = None  # replaces the rule's message when set
    suggestion: str | None = None  # replaces the rule's suggestion when set (e.g. the right value)


class Document:
    """One draft under check, with its evidence. Everything derived is computed on first use only."""

    def __init__(
        self,
        norm: Normalized,
        *,
        sources: Sequence[str] = (),
        context: str | None = None,
        customer_text: str | None = None,
        allowed_domains: frozenset[str] = frozenset(),
        claims: numbers.ClaimScope | None = None,
    ) -> None:
        self.norm = norm
        self.claims = claims  # product-scoped facts: numbers are judged against them, not the sources
        self.text = norm.text
        self._sources = sources
        self._context = context or ""
        self._customer = customer_text or ""
        self.allowed_domains = allowed_domains
        # The engine's one prefilter scan of the text, and where each check's own patterns sit in it.
        self._scan: Scan | None = None
        self._scan_offsets: dict[int, int] = {}

    def share_scan(self, scan: Scan, offsets: dict[int, int]) -> None:
        """Let checks whose patterns the engine's prefilter holds (by ``id`` of their params) use its scan."""
        self._scan = scan
        self._scan_offsets = offsets

    def shared_scan(self, params: object) -> tuple[Scan, int] | None:
        offset = self._scan_offsets.get(id(params))
        return None if offset is None or self._scan is None else (self._scan, offset)

    @cached_property
    def sources(self) -> list[str]:
        return [fold(s) for s in self._sources if s]

    @cached_property
    def context(self) -> str:
        return fold(self._context)

    @cached_property
    def customer(self) -> str:
        return fold(self._customer)

    @cached_property
    def evidence(self) -> str:
        """Sources and context: what the store stated for this reply (facts such as amounts and dates)."""
        return "\n".join([*self.sources, self.context])

    @property
    def has_evidence(self) -> bool:
        """Sources or a fact scope to check numbers against (a human reply checked alone has neither)."""
        return bool(self.claims is not None or any(s.strip() for s in self.sources))

    @cached_property
    def source_text(self) -> str:
        """The store's sources only: wording a rule may excuse (微信支付 as a payment method). The agent's
        context is evidence for facts, never an excuse for contact details, links or promises."""
        return "\n".join(self.sources)

    @cached_property
    def quantities(self) -> list[numbers.Quantity]:
        """Quantities of the text, less "G" written upper-case after a number: 5G, 24G存储卡 and 3+64G name a
        network generation or gigabytes, not grams (lower-case "500g" stays a weight)."""
        out = []
        for q in numbers.extract(self.text):
            if q.unit == "kg" and self.text[q.end - 1] == "g":
                start, end = self.norm.to_original(q.start, q.end)
                if self.norm.original[start:end].rstrip().endswith(("G", "Ｇ")):
                    continue
            out.append(q)
        return out

    @cached_property
    def supported(self) -> set[tuple[str, float]]:
        return numbers.supported_set([*self.sources, self.context])

    @cached_property
    def personal_text(self) -> str:
        """Where a draft may take personal data from: the agent's context, the customer, the sources."""
        return "\n".join([self.context, self.customer, *self.sources])

    @cached_property
    def personal_allowed(self) -> set[tuple[str, str]]:
        return _personal_values([self.context, self.customer, *self.sources])

    @cached_property
    def personal_own(self) -> set[tuple[str, str]]:
        """Personal data the customer wrote or the store's sources state (its hotline), not the context."""
        return _personal_values([self.customer, *self.sources])

    def quantity_supported(self, q: numbers.Quantity) -> bool:
        return self.judge(q).supported

    def judge(self, q: numbers.Quantity) -> numbers.Judgement:
        """With a fact scope: supported only by the facts of the product and field the sentence is about.
        Without: stated anywhere in the sources or the context."""
        if self.claims is None:
            return numbers.Judgement(all((q.unit, v) in self.supported for v in q.values))
        clause = self.text[slice(*self.norm.clause(q.start))]
        sentence = self.text[slice(*self.norm.sentence(q.start))]
        return self.claims.judge(q, clause, sentence)


def _personal_values(texts: Iterable[str]) -> set[tuple[str, str]]:
    """What :func:`pii.personal_values` finds in the texts joined by line breaks (no phone, ID, card or
    e-mail pattern spans a line break), read text by text so a source's values are read once, not once
    per draft."""
    out: set[tuple[str, str]] = set()
    for text in texts:
        if text:
            out |= _personal_values_of(text)
    return out


@lru_cache(maxsize=2048)
def _personal_values_of(text: str) -> frozenset[tuple[str, str]]:
    return frozenset(pii.personal_values(text))


CheckFn = Callable[[Document, Any], Iterable[Hit]]


class NoParams(BaseModel):
    model_config = ConfigDict(extra="forbid")


@dataclass(frozen=True)
class CheckSpec:
    name: str
    fn: CheckFn
    params: type[BaseModel]


REGISTRY: dict[str, CheckSpec] = {}


def register_check(name: str, params: type[BaseModel] = NoParams) -> Callable[[CheckFn], CheckFn]:
    def wrap(fn: CheckFn) -> CheckFn:
        if name in REGISTRY:
            raise ValueError(f"check {name!r} registered twice")
        REGISTRY[name] = CheckSpec(name, fn, params)
        return fn

    return wrap


# --- personal data ---------------------------------------------------------------------------------


class PersonalParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal[
        "phone", "landline", "service_number", "contact_id", "id_number", "bank_card", "email", "address"
    ]
    written: Literal["any", "plain", "hidden"] = Field(
        "any",
        description="Numbers only (phone, landline, service_number, contact_id): any spelling, only those "
        "written plainly (ASCII digits in groups, with spaces, dashes or brackets), or only those hidden "
        "(numerals, digits one by one, odd separators, look-alikes): hiding a number from a filter is itself "
        "the sign of a contact handed out",
    )
    own: bool = Field(
        False,
        description="With written: hidden, also numbers written plainly that the sentence offers as "
        "someone's own (打我, 找我, 我的电话, 私人): a person's line, not a business's",
    )
    needs_sources: bool = Field(
        False,
        description="Only when the draft has sources: a human agent's reply may give a shop's or a service "
        "station's line, a draft should not invent one",
    )
    business: Literal["include", "exclude", "only"] = Field(
        "include",
        description="Addresses of a business (see business_address; found only when the draft has sources, "
        "an address they do not state) or mobile numbers named as a business's line (see business_phone): "
        "include them, leave them out, or find only them",
    )


@register_check("personal_data", PersonalParams)
def personal_data(doc: Document, params: PersonalParams) -> Iterator[Hit]:
    """Personal data of the given kind that neither the agent's context, the customer's message nor the
    sources contain (a draft may repeat the customer's own phone number, not someone else's)."""
    if params.kind == "address":
        if params.business == "only" and not doc.has_evidence:
            return
        for p in pii.addresses(doc.text, _original_aligned(doc.norm)):
            if pii.address_in(p.key, doc.personal_text):
                continue
            if params.business == "include" or business_address(doc, p) == (params.business == "only"):
                yield Hit(p.start, p.end)
        return
    if params.needs_sources and not doc.has_evidence:
        return
    detector = _DETECTORS[params.kind]
    numeric = params.kind in _NUMBER_KINDS
    for p in detector(doc.text):
        if p.kind != params.kind:
            continue
        if numeric and params.written != "any" and _written_plainly(doc, p) != (params.written == "plain"):
            own = (
                params.own
                and params.written == "hidden"
                and _OWN_NUMBER_RE.search(doc.text, *doc.norm.sentence(p.start))
            )
            if not own:
                continue
        if numeric and _IDENTIFIER_BEFORE_RE.search(doc.text, max(0, p.start - 16), p.start):
            continue
        if p.kind == "phone" and _service_caller(doc, p.start):
            continue
        if (
            p.kind == "phone"
            and params.business != "include"
            and business_phone(doc, p.start) != (params.business == "only")
        ):
            continue
        if (p.kind, p.key) not in doc.personal_allowed:
            yield Hit(p.start, p.end)
        elif p.kind == "phone" and _invites_contact(doc, p.start) and (p.kind, p.key) not in doc.personal_own:
            # A number only the agent's context states, handed out to be called: context supports facts
            # (已按您的号码登记) but never excuses giving the customer a contact channel.
            yield Hit(p.start, p.end)


_DETECTORS: dict[str, Callable[[str], Iterable[pii.PersonalData]]] = {
    "phone": pii.phones,
    "landline": pii.phones,
    "service_number": pii.phones,
    "contact_id": pii.contact_ids,
    "id_number": pii.id_numbers,
    "bank_card": pii.bank_cards,
    "email": pii.emails,
}


# A digit run that is an identifier, not a phone number: labelled as one (SKU:…, 运单号…, 订单号…, 发票代码…,
# 取件码…, order #…) or glued to a two-letter code prefix (JD waybills VA…, VC…, VE…). WeChat/QQ letters
# (wx138…, qq138…) are not a prefix.
_IDENTIFIER_BEFORE_RE = re.compile(
    r"(?:sku|spu|imei|sn|编号|单号|运单号|订单号|货号|条码|条形码|序列号|型号|商品编码|代码|串号|(?<!号)码"
    r"|\b(?:order|tracking|waybill|invoice|parcel|ref(?:erence)?|serial|model|sku)(?:\s?(?:no\.?|number|id))?\s?#?)"
    r"\s?[:：#]?\s?\Z"
    r"|(?<![a-z])(?!wx|vx|qq|wc|dh|sj|tl|ph)[a-z]{2}\Z"
)
_NUMBER_KINDS = frozenset({"phone", "landline", "service_number", "contact_id"})
# A number written as numbers are: ASCII digits in groups of two or more (an area code in brackets), joined
# by one space, dash or dot. Digits one by one, numerals, full-width or circled digits are hidden.
_PLAIN_NUMBER_RE = re.compile(r"\+?(?:\([0-9]{2,4}\)\s?|[0-9]{2,})(?:[ \-.]?[0-9]{2,})*")


def _written_plainly(doc: Document, p: pii.PersonalData) -> bool:
    start, end = doc.norm.to_original(p.start, p.end)
    return _PLAIN_NUMBER_RE.fullmatch(doc.norm.original[start:end]) is not None


# The numbers the service's own outbound calls come from (外呼号码会显示为…, 客服来电号码, outbound call
# number): the company's lines, announced so the customer picks up, not a person's data. A courier's or
# installer's 来电 is not covered: only the call centre's outbound words.
_SERVICE_CALLER_RE = re.compile(
    r"外呼|呼出(?:号码|电话)|(?:客服|官方|平台|售后|回访)(?:的)?(?:来电|回电)(?:号码|显示)?"
    r"|\boutbound\s+(?:call\s+)?(?:numbers?|lines?)\b|\bour\s+calls?\s+(?:will\s+)?(?:come|show)\s+(?:from|as)\b"
)

# A number offered as someone's own (打我电话, 我的手机, 私人号码): never the service's line.
_OWN_NUMBER_RE = re.compile(
    r"打我|找我|加我|联系我(?!们)|我(?:的|个人)(?:手机|电话|号码)|私人|个人(?:手机|电话|号码)|\bmy\s+(?:own\s+|personal\s+)?(?:number|phone|mobile|cell)\b"
)


def _service_caller(doc: Document, pos: int) -> bool:
    """The number at ``pos`` follows, in its sentence, words naming it a number the service calls from, and
    the sentence does not offer it as someone's own number."""
    lo, hi = doc.norm.sentence(pos)
    return bool(_SERVICE_CALLER_RE.search(doc.text, lo, pos)) and not _OWN_NUMBER_RE.search(doc.text, lo, hi)


# Telling the customer to call, text or reach a number (打我电话, 拨打, 联系, call me at).
_CONTACT_INVITE_RE = re.compile(
    r"打(?:我|给我|这个|该|此|店长|客服)(?:的)?(?:电话|手机|号码?)?|打(?:电话|手机)(?:给我|到)|(?:拨打|致电|来电)(?!您|你)|"
    r"联系(?:我|我们|店长|客服|这个)|找我|加我|(?:电话|手机)(?:联系|找)|(?:打|拨|呼)\s?(?=[0-9])|"
    r"\b(?:call|dial|ring|text|reach|contact|whatsapp)\s+(?:me|us|this|the|my|our)\b"
)


# A store department that receives returns, repairs or invoices (售后部, 财务处, 客服组 ...).
_DEPT = r"(?:售后|退货|退换货|维修|财务|发票|客服)"
# A business at the address (a shop, a pick-up point, a service station): a place anyone may go to.
_BUSINESS_RE = re.compile(
    r"店|超市|烟酒|便利|商行|商场|市场|广场|驿站|自提|代收点|快递点|营业厅|营业部|网点|服务站|配送站|售后点|"
    r"维修点|服务中心|售后中心|公司|银行|医院|酒店|宾馆|药房|门市|菜鸟|丰巢|邮局|物业|仓库|"
    rf"{_DEPT}(?:部|组|处)"
)
# Where a person lives or receives goods: their address, whatever stands at it.
_RESIDENT_RE = re.compile(
    r"单元|室|收货|收件|您的地址|你的地址|您家|你家|我家|家里|家中|家住|住址|住在|住处|宿舍|户口"
)
# …of which a room number (单元, 室) is also an office's: a store department the customer sends something
# to (退货请寄到售后中心, 发票寄回…财务部收) keeps its office address a business's.
_ROOM_RE = re.compile(r"单元|室")
_RECEIVING_DEPT_RE = re.compile(
    rf"{_DEPT}(?:中心|部|组|处)|仓库|(?:寄回|寄到|寄往|邮寄到|退回)[^,，。]{{0,4}}(?:公司|仓)"
)


def business_address(doc: Document, p: pii.PersonalData) -> bool:
    """The address is a business's (大红门路2号院洪福烟酒, a pick-up point in a shop, a store department's
    office the customer sends a return or an invoice to), not a person's: its clause names a shop, station,
    company or department and nothing in its sentence marks a home or a recipient (收货地址, 您家, 单元 or
    室 unless a receiving department is named, a mobile number: name, phone and address are a delivery
    record)."""
    lo, hi = doc.norm.clause(p.start)
    s_lo, s_hi = doc.norm.sentence(p.start)
    named = _BUSINESS_RE.search(doc.text, lo, max(hi, p.end))
    if not (named or _RECEIVING_DEPT_RE.search(doc.text, s_lo, s_hi)):
        return False
    if pii.PHONE_RE.search(doc.text, s_lo, s_hi):
        return False
    for m in _RESIDENT_RE.finditer(doc.text, s_lo, s_hi):
        if not (_ROOM_RE.fullmatch(m[0]) and _RECEIVING_DEPT_RE.search(doc.text, s_lo, s_hi)):
            return False
    return True


# A business's line named before the number in its sentence (网点电话, 售后维修点的联系方式, 门店电话,
# 厂家售后电话, 建议您联系一下网点，…): a place or company anyone may call, whatever kind of number it is.
_BUSINESS_LINE_RE = re.compile(
    r"网点|门店|店铺|实体店|专卖店|维修点|维修站|维修中心|售后点|售后中心|售后部|服务中心|服务站|服务点|营业厅|营业部|"
    r"配送站|站点|自提点|驿站|厂家|厂商|生产商|制造商|(?:品牌|官方)(?:的)?售后|商家(?:的)?(?:售后|客服)"
)
# A person's number all the same: a courier, an installer, a named contact, the customer or the writer.
_PERSON_LINE_RE = re.compile(
    r"配送员|快递员|派件员|送货员|快递小哥|小哥|师傅|司机|承运人|业务员|经理|店长|负责人|联系人|姓名|先生|女士|"
    r"(?:您|你)(?:的|留的|预留的|本人)|本人|收货人|收件人|打我|找我|加我|我的|私人|个人|微信|qq|\bvx\b|\bwx\b"
)


def business_phone(doc: Document, pos: int) -> bool:
    """The mobile number at ``pos`` is given as a business's line: its sentence names a service point, shop
    or manufacturer before it, and nothing in the sentence makes it a person's (a courier's, a named
    contact's, the customer's own, the writer's own, a chat account). A reviewer checks such a number; it
    does not block."""
    lo, hi = doc.norm.sentence(pos)
    if not _BUSINESS_LINE_RE.search(doc.text, lo, pos):
        return False
    return not _PERSON_LINE_RE.search(doc.text, lo, hi)


def _invites_contact(doc: Document, pos: int) -> bool:
    clause = doc.text[slice(*doc.norm.sentence(pos))]
    return _CONTACT_INVITE_RE.search(clause) is not None


def _original_aligned(norm: Normalized) -> str | None:
    """The original text when it lines up character by character with the normalised one."""
    return norm.original if len(norm.original) == len(norm.text) else None


# --- links -----------------------------------------------------------------------------------------

_TLDS = (
    "com|cn|net|org|io|cc|top|xyz|vip|shop|info|me|co|tk|ml|link|site|online|club|app|ly|gl|to|ru|biz|tv|"
    "hk|tw|uk|us|in|store|live|fun|icu|wang|ink|pro|work"
)
# Links stop at whitespace, brackets, sentence punctuation and CJK text (normalised text: ASCII commas).
_URL_CHAR = r"[^\s<>\"'()\[\]{},;!，。、；！？\u3000-\u9fff]"
URL_RE = re.compile(
    rf"(?:https?://|www\.){_URL_CHAR}+"
    rf"|(?<![a-z0-9@.-])(?:[a-z0-9-]+\.)+(?:{_TLDS})(?![a-z0-9-])(?:[/?#]{_URL_CHAR}*)?"
)


def link_host(url: str) -> str:
    host = re.sub(r"^[a-z]+://", "", url)
    host = re.split(r"[/?#:]", host, maxsplit=1)[0]
    return host.removeprefix("www.").rstrip(".")


def domain_allowed(host: str, allowed: Iterable[str]) -> bool:
    return any(host == d or host.endswith("." + d) for d in allowed)


def normalise_domain(domain: str) -> str:
    d = domain.strip().lower()
    d = re.sub(r"^[a-z]+://", "", d).split("/", 1)[0]
    return d.removeprefix("*.").removeprefix("www.").rstrip(".")


# A disguised dot between the labels of a domain, as a class rather than a list of spellings: any run of
# dot-like characters (. 。 · • ・ ‧ ∙ ⋅ 丶 ﹒, doubled or not), or the words dot / 点, optionally inside any
# kind of bracket ([.] (.) 【.】 〔.〕 {dot} <dot>), with or without spaces around; or a comma before a
# letter.
_DOTLIKE = r"(?:[.。·•・‧∙⋅丶﹒]{1,3}|dot|点)"
_OPEN = r"[\[(（【{〔〖〘〈「『<]"
_CLOSE = r"[\])）】}〕〗〙〉」』>]"
_DISGUISED_DOT = (
    # atomic: " 点 " is read by two spellings (" dot " and 点 with spaces); letting the URL patterns backtrack
    # between them made a long run of labels that ends in no domain exponential (20 labels: seconds)
    rf"(?>\s?{_OPEN}\s?{_DOTLIKE}\s?{_CLOSE}\s?"  # [.] (.) 【.】 [dot] 〔.〕 {{dot}}
    r"|\s(?:dot|点)\s"  # " dot "
    r"|\s?(?:点|[。·•・‧∙⋅丶﹒]{1,3}|\.{2,3})\s?"  # 点, 。, 。。, ·, 丶 ...
    r"|\s\.\s|,(?=[a-z]))"  # " . ", "shop,com"
)
_LABEL = r"[a-z0-9][a-z0-9_-]{0,62}"
DISGUISED_URL_RE = re.compile(
    rf"(?<![a-z0-9@._-])(?:{_LABEL}(?:{_DISGUISED_DOT}|\.))+(?:{_TLDS})(?![a-z0-9-])"
)
# A common ending spelled out letter by letter (bc-shop 点 c o m), only after a disguised dot; looked for
# only when the text holds such a spelling (a substring test), so ordinary drafts pay nothing.
_SPACED_TLD_WORDS = ("com", "net", "org", "top", "xyz", "vip", "shop", "cn", "cc")
_SPACED_TLD_TEXTS = tuple(" ".join(t) for t in _SPACED_TLD_WORDS)
SPACED_TLD_URL_RE = re.compile(
    rf"(?<![a-z0-9@._-])(?:{_LABEL}(?:{_DISGUISED_DOT}|\.))*{_LABEL}{_DISGUISED_DOT}"
    rf"(?:{'|'.join(_SPACED_TLD_TEXTS)})(?![a-z0-9-])"
)
_DISGUISED_DOT_RE = re.compile(_DISGUISED_DOT)


class LinkParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    official_site: Literal["include", "exclude", "only"] = Field(
        "include",
        description="Links presented as a brand's official support site (see official_site_link): "
        "include them, leave them out, or find only them",
    )


# A brand's own support site, named as such: the manufacturer's 官网, a driver, firmware or manual download,
# or its official locator (官方的线下售后地址查询链接), or a brand's warranty, authenticity or service-point
# lookup (打开…查询保修, 防伪查询): what only the maker's site answers.
_OFFICIAL_RE = re.compile(
    r"官网|官方网站|官方网址|官方主页|官方下载|驱动|固件|说明书|使用手册|"
    r"(?:保修|质保|防伪|真伪|售后网点|维修网点|服务网点)(?:查询|信息)|查询(?:保修|质保|防伪|真伪|售后网点|维修网点|服务网点)|"
    r"官方[^,，。!?；;\s]{0,10}?(?:链接|网页|页面|查询)|"
    r"\bofficial (?:web)?site\b|\bsupport (?:site|page)\b|\bdrivers?\b|\bfirmware\b|\bmanual\b"
)
# What a phishing page asks for: money, prizes, credentials, personal data, or a form to fill in.
_LINK_RISK_RE = re.compile(
    r"退款|退货|退钱|退费|理赔|赔|补偿|返现|红包|领取|领奖|中奖|奖励|优惠|验证码|密码|银行卡|卡号|身份证|账号|账户|手机号|姓名|个人信息|"
    r"登录|登陆|转账|付款|支付|充值|缴费|填写|提交|输入|扫码|激活|解冻|冻结|"
    r"\b(?:refunds?|claim|password|log ?in|sign ?in|verify|bank|card|pay|payment|prize|reward|account|"
    r"coupon|voucher)\b"
)
# Typing where the customer is or which model they have (输入您现在的地址, 输入型号): a store or service-point
# locator's search box, not a form that collects money or credentials.
_LOCATOR_INPUT_RE = re.compile(
    r"(?:输入|填写|选择)(?:您|你)?(?:现在|所在|当前|的)*(?:地址|位置|所在地|城市|地区|区域|型号|机型|产品型号|序列号)"
)
# 登录官网 / 登陆品牌官方网站 is how Chinese agents say "go to the official site" (visiting, not signing in):
# that 登录 asks for no credentials. Other 登录 (登录账号, 登录后填写) still counts as a risk.
_VISIT_SITE_RE = re.compile(
    r"登[录陆](?=(?:一下|下)?[^,，。!?；;\s]{0,6}?(?:官网|官方网站|官方网址|官方主页))"
)
# Ordinary registrable endings; a link on a throw-away TLD or a bare IP is never taken for a brand's site.
_PLAIN_HOST_RE = re.compile(r"(?:[a-z0-9-]+\.)+(?:com|cn|net|org)(?:\.cn)?")
_HOST_RISK_RE = re.compile(
    r"refund|tuikuan|pay|claim|lipei|kefu|prize|bonus|login|verify|secure|account|service"
)


def official_site_link(doc: Document, start: int, end: int, host: str) -> bool:
    """The link is a brand's official support site named as such (a driver or manual on the manufacturer's
    官网), not a phishing page: its sentence calls it the official site or a download, asks for no money,
    credentials or personal data, and its host is an ordinary domain that does not mimic an allowed one
    (jd-refund.com) or carry refund/login words. Such a link is for a reviewer to check, not to block."""
    # From the sentence the link starts in to the one it ends in: a "?" inside the link ends no sentence.
    sentence = doc.text[doc.norm.sentence(start)[0] : doc.norm.sentence(end)[1]]
    asked = _VISIT_SITE_RE.sub("", _LOCATOR_INPUT_RE.sub("", sentence))
    if not _OFFICIAL_RE.search(sentence) or _LINK_RISK_RE.search(asked):
        return False
    if not _PLAIN_HOST_RE.fullmatch(host) or _HOST_RISK_RE.search(host):
        return False
    labels = set(re.split(r"[.-]", host))
    # A name of two or more characters is one to mimic; a short-link domain's digit (3.cn) is none.
    names = {d.split(".", 1)[0] for d in doc.allowed_domains}
    return not any(n in labels for n in names if len(n) > 1)


@register_check("external_link", LinkParams)
def external_link(doc: Document, params: LinkParams) -> Iterator[Hit]:
    """Links (with or without a scheme) whose domain is not in ``allowed_domains``: phishing risk. Domains
    whose dots are disguised ("refund[.]com", "shop dot com", "shop点com") count as links too, and are
    never taken for an official site."""
    for m in URL_RE.finditer(doc.text):
        host = link_host(m[0])
        if host and not domain_allowed(host, doc.allowed_domains):
            if params.official_site != "include":
                official = official_site_link(doc, m.start(), m.end(), host)
                if official != (params.official_site == "only"):
                    continue
            yield Hit(m.start(), m.end())
    if params.official_site == "only":
        return
    for m in DISGUISED_URL_RE.finditer(doc.text):
        if not _DISGUISED_DOT_RE.search(m[0]):
            continue  # a plain domain: URL_RE has judged it
        host = _DISGUISED_DOT_RE.sub(".", m[0]).removeprefix("www.")
        if not domain_allowed(host, doc.allowed_domains):
            yield Hit(m.start(), m.end())
    if any(t in doc.text for t in _SPACED_TLD_TEXTS):
        for m in SPACED_TLD_URL_RE.finditer(doc.text):
            host = _DISGUISED_DOT_RE.sub(".", m[0]).replace(" ", "").removeprefix("www.")
            if not domain_allowed(host, doc.allowed_domains):
                yield Hit(m.start(), m.end())


# --- numbers ---------------------------------------------------------------------------------------


class QuantityParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    families: list[Literal["price", "discount", "percent", "duration", "measure"]] = Field(min_length=1)
    context_regex: str | None = Field(
        None, description="Only quantities whose clause or sentence matches this (e.g. refund wording)"
    )
    skip_regex: str | None = Field(
        None,
        description="Quantities whose clause matches this are skipped (a usage instruction or sizing advice "
        "states no performance: 请先充电2小时, 身高170适合M码)",
    )
    scope: Literal["clause", "sentence"] = "sentence"
    evidence: Literal["present", "absent"] = Field(
        "present",
        description="present: judge numbers against the sources or fact scope; absent: the rule runs only "
        "when the text came without any (a human reply checked alone), to ask for a source",
    )

    @field_validator("context_regex", "skip_regex")
    @classmethod
    def _regex(cls, value: str | None) -> str | None:
        if value is not None:
            re.compile(value)
        return value


@register_check("unsupported_quantity", QuantityParams)
def unsupported_quantity(doc: Document, params: QuantityParams) -> Iterator[Hit]:
    """Quantities with a unit (normalised: 七天 = 7日 = 7 days, 1年 = 12个月) that the sources and the
    agent's context do not state."""
    if not doc.quantities or doc.has_evidence != (params.evidence == "present"):
        return
    pattern = re.compile(params.context_regex, re.IGNORECASE | re.ASCII) if params.context_regex else None
    skip = re.compile(params.skip_regex, re.IGNORECASE | re.ASCII) if params.skip_regex else None
    for q in doc.quantities:
        if q.family not in params.families:
            continue
        judgement = doc.judge(q)
        if judgement.supported:
            continue
        if q.unit == "percent" and q.values == (100.0,):
            continue  # "100%" is an absolute (ad-law and promise rules), not a measured figure
        if pattern is not None:
            lo, hi = doc.norm.clause(q.start) if params.scope == "clause" else doc.norm.sentence(q.start)
            if not pattern.search(doc.text, lo, hi):
                continue
        if skip is not None and skip.search(doc.text, *doc.norm.clause(q.start)):
            continue
        yield _claim_hit(q, judgement)


class UncheckedParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    families: list[Literal["price", "discount", "percent", "duration", "measure"]] = Field(min_length=1)
    shown: int = Field(5, ge=1, le=20, description="How many of the numbers the note lists")


@register_check("unchecked_numbers", UncheckedParams)
def unchecked_numbers(doc: Document, params: UncheckedParams) -> Iterator[Hit]:
    """One note for a text checked with no sources and no fact scope (a human reply run through
    ``replydraft check``): its numbers could not be checked. One hit on the first number, listing them, so a
    reply with refund times and fees is not flagged once per number. Numbers the agent's context states
    count as checked."""
    if doc.has_evidence:
        return
    found = [q for q in doc.quantities if q.family in params.families and not doc.judge(q).supported]
    if not found:
        return
    listed = "、".join(doc.text[q.start : q.end] for q in found[: params.shown])
    more = f" … (+{len(found) - params.shown})" if len(found) > params.shown else ""
    message = (
        f"没有提供资料，{len(found)} 个数字未核对：{listed}{more} / "
        f"no sources given: {len(found)} number(s) not checked"
    )
    yield Hit(found[0].start, found[0].end, message)


def _claim_hit(q: numbers.Quantity, judgement: numbers.Judgement) -> Hit:
    """A failed claim; when the asked product has a fact of that kind, its text is the suggestion."""
    right = judgement.expected
    suggestion = f"资料中的说法 / the facts say: {right.text}" if right is not None else None
    message = None
    if judgement.reason == "wrong_product":
        message = (
            f"「{{matched}}」是另一商品（{judgement.other_owner}）的数据 / "
            f"another product's fact ({judgement.other_owner})"
        )
    elif judgement.reason == "wrong_field":
        message = "「{matched}」是该商品另一项目的数据 / this product's figure for another field"
    elif judgement.reason == "arithmetic":
        message = "「{matched}」是资料没有写明的合计 / a total the sources do not state"
    elif judgement.reason == "wrong_value":
        message = "「{matched}」与该商品的资料不符 / does not match this product's facts"
    return Hit(q.start, q.end, message, suggestion)


class CompensationParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    terms: str = Field(description="Regex of compensation words; an amount in the same clause is checked")
    defer: str | None = Field(
        None,
        description="Regex of wording that defers to a process (申请, 价保): such a clause is not a promise",
    )
    defer_sentence: str | None = Field(
        None,
        description="Regex of wording that defers the whole sentence (帮您申请一下，补偿您3元): the agent "
        "applies for it rather than promising it",
    )
    points: str | None = Field(
        None,
        description="Regex of a points amount right after a term (返还3京豆, 补偿500积分): the compensation "
        "is points, not money, so a price elsewhere in the clause (三件五折) is not its amount",
    )

    @field_validator("terms", "defer", "defer_sentence", "points")
    @classmethod
    def _regex(cls, value: str | None) -> str | None:
        if value is not None:
            re.compile(value)
        return value


_MONEY = ("price", "discount", "percent")


@register_check("compensation_amount", CompensationParams)
def compensation_amount(doc: Document, params: CompensationParams) -> Iterator[Hit]:
    """Compensation words (赔偿, 补偿, 返现 ...) with an amount in the same clause that the sources and the
    context do not state: money the store never offered."""
    if not any(q.family in _MONEY for q in doc.quantities):
        return
    defer = re.compile(params.defer, re.IGNORECASE | re.ASCII) if params.defer else None
    defer_sentence = (
        re.compile(params.defer_sentence, re.IGNORECASE | re.ASCII) if params.defer_sentence else None
    )
    points = re.compile(params.points, re.IGNORECASE | re.ASCII) if params.points else None
    for m in re.finditer(params.terms, doc.text, re.IGNORECASE | re.ASCII):
        lo, hi = doc.norm.clause(m.start())
        if points is not None and points.match(doc.text, m.end(), hi):
            continue
        if defer is not None and defer.search(doc.text, lo, hi):
            continue
        if defer_sentence is not None and defer_sentence.search(doc.text, *doc.norm.sentence(m.start())):
            continue
        for q in doc.quantities:
            if lo <= q.start < hi and q.family in _MONEY and not doc.quantity_supported(q):
                yield Hit(min(m.start(), q.start), max(m.end(), q.end))
                break


# --- prompt injection ------------------------------------------------------------------------------

INJECTION_MARKERS = re.compile(
    r"(?:ignore|disregard|forget|override)\s+(?:(?:all|the|any|your|of|my)\s+)*"
    r"(?:previous|prior|above|earlier|preceding|system)\s+(?:instructions?|rules|prompts?|messages?)"
    r"|system\s+prompt|you\s+are\s+now|pretend\s+(?:to\s+be|you\s+are)|repeat\s+after\s+me|say\s+exactly"
    r"|developer\s+mode|jailbreak|new\s+instructions?"
    r"|(?:忽略|无视|忘记|忘掉|跳过)(?:你|您)?(?:之前|以上|上面|前面|上述|先前|所有|全部)?的?(?:所有|全部)?"
    r"(?:指令|指示|规则|提示|要求|设定|限制)"
    r"|系统提示词|提示词|你现在是|你现在扮演|扮演|原样(?:输出|回复|重复)|重复(?:以下|下面|我说)"
    r"|输出你的|开发者模式|越狱",
    re.IGNORECASE | re.ASCII,
)


class EchoParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    min_chars: int = Field(8, ge=4, le=200)
    max_payload_chars: int = Field(600, ge=50, le=4000)


@register_check("injection_echo", EchoParams)
def injection_echo(doc: Document, params: EchoParams) -> Iterator[Hit]:
    """When the customer's message carries a prompt-injection attempt, flag draft passages that repeat
    its payload verbatim (``min_chars`` or more): the model followed the customer instead of the store."""
    if not doc.customer:
        return
    marker = INJECTION_MARKERS.search(doc.customer)
    if marker is None:
        return
    payload = doc.customer[marker.start() : marker.start() + params.max_payload_chars]
    n = params.min_chars
    grams = {g for g in (payload[i : i + n] for i in range(len(payload) - n + 1)) if g.strip()}
    text = doc.text
    run_start = -1
    run_end = -1
    for i in range(len(text) - n + 1):
        if text[i : i + n] in grams:
            if run_start < 0 or i > run_end:
                if run_start >= 0:
                    yield Hit(run_start, run_end)
                run_start = i
            run_end = i + n
    if run_start >= 0:
        yield Hit(run_start, run_end)


# --- cues of meaning -------------------------------------------------------------------------------


class CueParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # Kind of cue -> pattern. A brush-off is rarely one spelling, but it nearly always carries two kinds of
    # cue near each other (the store declines + the matter is shifted; futility + blame; ...).
    cues: dict[str, str] = Field(min_length=1)
    min_kinds: int = Field(2, ge=1, le=5)
    # Kinds that make a finding alone (a cue that is already the whole meaning: 说什么都没用).
    alone: list[str] = Field(default_factory=list)
    # Kinds of which one must be among the cues (a promise needs an assurance, not just a date and a refund).
    need: list[str] = Field(default_factory=list)
    # Cues of different kinds count together only this close (characters of normalised text), and only in
    # one sentence when ``same_sentence`` (a promise is one statement; a brush-off may take two).
    window: int = Field(60, ge=5, le=400)
    same_sentence: bool = False
    # The sentences of the cues also say the agent acts (帮您联系, I'll chase): no finding.
    cancel: str | None = None
    # Where ``cancel`` is looked for: the cues' own sentences, or the whole text ("text": a brush-off is a
    # reply that offers no help anywhere, so an offer in another sentence clears it).
    cancel_scope: Literal["sentence", "text"] = "sentence"
    # Only texts at most this long (characters of normalised text): a cue that is a brush-off when it is
    # the whole reply (谁也说不准, 别急) is ordinary wording inside a longer answer.
    max_text: int | None = Field(None, ge=1)
    _kinds: list[str] = PrivateAttr()
    _prefilter: Prefilter = PrivateAttr()
    _cancel: re.Pattern[str] | None = PrivateAttr(default=None)

    @field_validator("cues")
    @classmethod
    def _names(cls, v: dict[str, str]) -> dict[str, str]:
        for name in v:
            if not name.isidentifier():
                raise ValueError(f"cue kind {name!r} is not an identifier")
        return v

    def model_post_init(self, __context: Any) -> None:
        unknown = (set(self.alone) | set(self.need)) - set(self.cues)
        if unknown:
            raise ValueError(f"alone/need name unknown cue kinds: {sorted(unknown)}")
        # Alone kinds first: where both match at one place, the stronger reading wins.
        self._kinds = sorted(self.cues, key=lambda k: k not in self.alone)
        # One Aho-Corasick pass says which kinds may match and where; only there does a regex run.
        self._prefilter = Prefilter([re.compile(self.cues[k]) for k in self._kinds])
        self._cancel = re.compile(self.cancel) if self.cancel else None

    def patterns(self) -> list[re.Pattern[str]]:
        """The cue patterns in rank order (what :meth:`find` looks for), for a shared prefilter."""
        return list(self._prefilter.patterns)

    def find(self, text: str, shared: tuple[Scan, int] | None = None) -> list[tuple[str, int, int]]:
        """(kind, start, end) of the cues in ``text``, left to right. A cue that starts where another starts,
        or lies inside it, is dropped; one that runs past the end of the previous cue is kept (照退不误 is
        both the remedy of 差额我们照退 and an assurance). ``shared``: a scan of ``text`` by a prefilter
        holding :meth:`patterns` from that offset on (one automaton pass for every rule of a draft)."""
        scan, offset = shared if shared is not None else (self._prefilter.scan(text), 0)
        found = sorted(
            (m.start(), rank, m.end())
            for rank in range(len(self._kinds))
            if rank + offset in scan.may_match
            for m in scan.finditer(rank + offset)
            if m.end() > m.start()
        )
        out: list[tuple[str, int, int]] = []
        last_start = last_end = -1
        for start, rank, end in found:
            if start > last_start and end > last_end:
                out.append((self._kinds[rank], start, end))
                last_start, last_end = start, end
        return out


@register_check("cue_kinds", CueParams)
def cue_kinds(doc: Document, params: CueParams) -> Iterator[Hit]:
    """Meaning by composition: ``min_kinds`` different kinds of cue within ``window`` characters (or one
    ``alone`` cue) make one hit spanning them, unless their sentences also hold a ``cancel`` cue. One regex
    pass over the text; the lexicons live in the pack, so a new synonym serves every combination."""
    text = doc.text
    if params.max_text is not None and len(text.strip()) > params.max_text:
        return
    found = params.find(text, doc.shared_scan(params))
    if not found:
        return
    last_end = -1
    for i, (kind, start, end) in enumerate(found):
        if start < last_end:
            continue
        kinds = {kind}
        stop = end
        bound = doc.norm.sentence(start)[1] if params.same_sentence else len(text)
        for kind2, start2, end2 in found[i + 1 :]:
            if start2 - end > params.window or start2 >= bound or "\n" in text[end:start2]:
                break
            kinds.add(kind2)
            stop = end2
        if len(kinds) < params.min_kinds and not kinds & set(params.alone):
            continue
        if params.need and not kinds & set(params.need) and not kinds & set(params.alone):
            continue
        if len(kinds) < params.min_kinds:
            solo = [f for f in found[i:] if f[0] in params.alone and f[1] < stop]
            start, stop = solo[0][1], solo[0][2]
        lo = doc.norm.sentence(start)[0]
        hi = doc.norm.sentence(max(stop - 1, start))[1]
        if params.cancel_scope == "text":
            lo, hi = 0, len(text)
        if params._cancel is not None and params._cancel.search(text, lo, hi):
            continue
        last_end = stop
        yield Hit(start, stop)
