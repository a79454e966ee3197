"""A customer message as question parts, each with the kinds of fact it asks for.

Parts are split at sentence ends and at the words that join a second question ("还有", "另外", ", and");
each part is classified with the same vocabulary as the facts (service/answering/kinds.py). A statement
without a kind of its own ("我在新疆。") is kept with the part after it, since it qualifies that question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from service.answering.english_questions import english_kind_scores
from service.answering.kinds import kind_scores as _kind_scores
from service.answering.kinds import vocabulary_terms
from service.answering.topics import TOPICS
from service.answering.typos import fix_question_words
from service.drafting.text import terms

MAX_PARTS = 4
# The store's rules (not a product sheet's fields): the common ones and the policy topics.
POLICY_KINDS = frozenset(
    {"shipping", "remote_fee", "return", "exchange", "refund", "invoice", "order", *TOPICS}
)
KIND_SHARE = 0.6  # a kind scoring at least this share of the part's best kind is asked too
_SPLIT = re.compile(
    r"(?<=[？?！!。；;\n])|(?:[，,]\s*)(?=还有|另外|顺便|再问|以及)"
    r"|(?:[，,]\s*)(?=(?:and also|also|and (?:what|how|when|where|is|are|can|do|does|will))\b)",
    re.IGNORECASE,
)
_ASKS_TIME = re.compile(
    r"多久|几天|几点|多长时间|什么时候|何时|时效|多快|当天|几个?小时|几个?工作日|几年|多少年|"
    r"how long|when\b|how soon|how often|how many (?:days|hours|years|months)|what time",
    re.IGNORECASE,
)
# "how much room", "how much water does it use": a quantity measured in another unit than money
_MEASURED = r"(?:room|space|clearance|gap|water|power|electricity|energy|gas|weight|noise|air)"
_ASKS_MONEY = re.compile(
    r"多少钱|价格|价钱|运费|费用|邮费|退多少|金额|收费|要钱|收钱|免费|加钱|怎么算|怎么收|值多少|返多少"
    r"|[收花掏付给][^，。？！,.?!]{0,3}钱"
    rf"|how much(?! {_MEASURED}\b)"
    r"|price|cost|fee|charge|free\b",
    re.IGNORECASE,
)
_QUESTION = re.compile(
    r"[？?]|吗|呢|么|多少|多[久长大重高远厚宽深沉]|几|怎么|怎样|如何|能否|可否|是否|有没有|能不能|可不可以|行不行|什么|哪|"
    # colloquial: 啥 (什么), 咋 (怎么), 谁 ("运费谁出"), A-not-A ("重不重", "送没送"), and a closing 不/没
    # ("电池保修不", "能退不", "发货了没"): a question without 吗 or a question mark
    r"啥|咋|谁|([\u4e00-\u9fff])[不没]\1|(?<=[\u4e00-\u9fff])(?:不|没|没有)\s*[。.!！~～]*\s*$|"
    r"\b(?:how|what|when|where|which|who|why|can|could|do|does|is|are|will|would)\b",
    re.IGNORECASE,
)


# What a spec question asks for, by the unit of its answer: "多重" is answered by a kg figure wherever the
# sheet states it (a title, a description clause, a spec table). Each entry: the question's words, its kind,
# the units of the answer.
ATTRIBUTES: tuple[tuple[re.Pattern[str], str, frozenset[str]], ...] = tuple(
    (re.compile(rx, re.IGNORECASE), kind, frozenset(units))
    for rx, kind, units in (
        (r"多重|多沉|几斤|多少斤|几公斤|多少公斤|多少千克|重量|净重|毛重|(?<![严贵沉])重(?:多少|几|不重|吗)|沉(?:不沉|吗)"
         r"|how heavy|\bweigh", "spec",
         ("kg", "g", "jin")),
        (r"尺寸|长宽高|多厚|多高|多宽|多长|多深|厚度|高度|宽度|深度|外形|离墙|间距|距离|留多|预留|开孔|孔径"
         r"|多大的孔|dimension|how (?:big|tall|wide|deep|thick)"
         r"|how much (?:room|space|clearance|gap)|\bclearances?\b|\bgaps?\b|\bcut-?outs?\b"
         r"|\bopening size|size[^.?!]{0,20}\bopening\b|how far (?:above|below|from|away)"
         # the space it is fitted into: "what size cabinet space", "what size hole", "height over the hob"
         r"|what size\b[^.?!]{0,25}\b(?:space|cabinet|cupboard|opening|hole|niche|recess|cut-?out|gap)"
         r"|\b(?:space|room|clearance) (?:do i|do you|does it|will it|should i) (?:need|leave|allow)"
         r"|how (?:high|low) (?:above|below|up|off|from)\b", "size",
         ("mm", "cm", "m")),
        (r"功率|多少瓦|几瓦|多少w\b|watt|what(?:'s| is) (?:the|its) (?:rated )?power\b"
         r"|how (?:much|many) (?:power|watts)", "spec", ("W", "kW")),
        (r"多少度|几度|温度|多热|temperature|how hot", "spec", ("°C",)),
        (r"分贝|噪音|噪声|吵不吵|吵吗|静音|decibel|noise|noisy|loud|quiet", "spec", ("dB",)),
        (r"水压|气压|压力|pressure", "spec", ("MPa",)),
        # ("the 60 litre heater": a unit word after a figure names the product's size, it asks nothing)
        (r"容量|几升|多少升|(?:用|耗|费)(?:多少|几升)水|耗水量?|用水量|capacity|(?<![\d.]\s)(?<![\d.])(?:litres?|liters?)\b"
         r"|how much water|water (?:use|usage|consumption)|uses? (?:per|each|every) (?:wash|cycle|load)",
         "spec", ("L", "ml")),
        (r"风量|吸力|air ?flow|suction", "spec", ("m3/min",)),
        (r"几套|多少套|place settings?", "spec", ("set",)),
        (r"面积|多大的?(?:房间|空间|客厅|卧室)|几平|多少平|平米|平方|room size|square met", "spec", ("m2",)),
        (r"几岁|多少岁|多大的?(?:孩子|宝宝|小孩)|年龄|月龄|what age|how old", "spec", ("age",)),
        # how long it keeps ("能放多久", "保存多长时间"): a shelf life, stated in months or days
        (r"(?:能|可以)?(?:放|存放|保存|储存)(?:多久|多长时间|几个月|几天)", "spec", ("month", "day", "year")),
    )
)  # fmt: skip
# "一包几片", "一袋多少只": a count asked by its measure word, answered by a figure counted in
# that measure word wherever the sheet states it ("54片/包", "约40–50只"). Measure words the
# quantity parser already reads (套, 个, 袋) keep its unit names.
_MEASURES = "片只粒颗包盒瓶支双泡抽枚罐张条袋套个"
_COUNT_ASKED = re.compile(rf"(?:几|多少)\s*([{_MEASURES}])(?!邮|装修|持|付|括)")
_COUNTED = re.compile(rf"\d\s*([{_MEASURES}])(?!邮|持|付|括)")
_MEASURE_UNIT = {"套": "set", "个": "piece", "袋": "bag"}


def counted(text: str) -> frozenset[str]:
    """The measure words a text counts in ("54片/包" -> 片), as units."""
    return frozenset(_MEASURE_UNIT.get(m, m) for m in _COUNTED.findall(text))


# Question words of a kind that only a question uses (never a field or policy sentence): they decide what a
# part asks without changing how facts are classified.
_ASKS_KIND: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("price", re.compile(r"什么价|啥价|多钱|实付|到手|卖多少|how much is")),
    ("gift", re.compile(r"送(?:什么|啥|吗|不送|了什么)|有(?:没有)?(?:赠|送)|怎么领|如何领|领取")),
    ("warranty", re.compile(r"过保|保休|包几年")),
    ("usage", re.compile(r"多久.{0,2}(?:洗|清|换|保养)|(?:洗|清理|清洗|保养|更换).{0,3}(?:一次|周期)")),
    ("exchange", re.compile(r"换(?:大|小|成|个|一个|别的|其他)")),
    ("stock", re.compile(r"(?:还|还有|在|能)卖|有卖|还能买|买得到")),
    ("order", re.compile(r"(?:加|再加|再买|多买|少买|减)(?:一|1|两|2|几)(?:件|个|份)|(?:增加|减少|改)数量")),
    ("install_fee", re.compile(r"(?:拆旧|拆机|移机|打孔|上门|安装)[^，。？！,.?!]{0,8}(?:钱|费|收|付)")),
    ("return", re.compile(r"[想要]退(?![款钱费])")),  # "衣服不合适想退": a return, not its refund
)
# A repair visit ("上门修要收哪些钱", "上门维修收费吗") is no installation: its fee is a repair charge.
_REPAIR_VISIT = re.compile(r"上门(?:来)?(?:维修|修|检修|检测)|(?:维修|修理|报修)[^，。？！,.?!]{0,6}上门")
_INSTALL_WORD = re.compile(r"安装|装机|拆旧|拆机|移机|打孔")


@dataclass(frozen=True)
class QuestionPart:
    text: str
    kinds: tuple[str, ...]  # best first; empty when nothing specific is asked
    terms: tuple[str, ...] = field(default=())
    asks_time: bool = False
    asks_money: bool = False
    question: bool = True  # phrased as a question (a statement part only qualifies)
    crossed: tuple[str, ...] = ()  # the part's terms in the other language (through the glossary)
    units: frozenset[str] = frozenset()  # units a spec answer is stated in (多重 -> kg, g)
    # a follow-up about the rule the question before it asks ("…能退吗？寄回运费谁付"): that question's
    # text (its circumstances: a quality problem, not yet shipped) and the rule kinds carried from it
    context: str = ""
    carried: tuple[str, ...] = ()

    @property
    def kind(self) -> str | None:
        return self.kinds[0] if self.kinds else None


def kind_scores(text: str) -> dict[str, float]:
    """The kinds a question part asks for: the shared vocabulary plus the English question patterns
    (service/answering/english_questions.py), which only questions use (facts keep their own kinds)."""
    scores = _kind_scores(text)
    for kind, score in english_kind_scores(text).items():
        scores[kind] = scores.get(kind, 0.0) + score
    if _HOW_MUCH_ROOM.search(text) and scores.get("price") == 1.0:
        del scores["price"]  # "how much room above it": a measure, not a price (its only price word)
    if "exchange" in scores and _REPLACE_INTERVAL.search(text):
        # a part's replacement interval ("how often ... replace", "when ... change") is its use and care,
        # not an exchange of the product (as in the Chinese question, whose 换 is no exchange word)
        scores["usage"] = scores.get("usage", 0.0) + scores.pop("exchange")
    return scores


_HOW_MUCH_ROOM = re.compile(rf"\bhow much {_MEASURED}\b", re.IGNORECASE)
_REPLACE_INTERVAL = re.compile(
    r"\bhow often\b[^.?!]{0,40}\b(?:replace|replacing|change|changing)\b|"
    r"\b(?:replace|replacing|change|changing)\b[^.?!]{0,40}\bhow often\b|"
    r"\bwhen (?:should|do|must|will) (?:i|we|you) (?:need to )?(?:replace|change)\b|"
    r"\bhow (?:long|many months|many days)\b[^.?!]{0,40}\bbefore (?:i |we |you )?(?:need to )?"
    r"(?:replace|change)",
    re.IGNORECASE,
)
# "how much is installation", "how much to install it": the price of the installing service, not the product's
_HOW_MUCH_INSTALL = re.compile(
    r"\bhow much (?:is|are|will|would|does|do|for|to)?\s*(?:the |an? |it |they |you )?(?:cost |charge )?"
    r"(?:to )?(?:install\w*|fit(?:ting)?|mount(?:ing)?)\b"
    # "how much does it cost to have the <product> installed": the product's name in between
    r"|\bhow much (?:does|do|will|would) (?:it|they) cost to (?:have|get)\b[^.?!]{0,50}"
    r"\b(?:install|fitt?|mount)\w*",
    re.IGNORECASE,
)


def kinds_of(text: str) -> tuple[str, ...]:
    scores = kind_scores(text)
    lowered = text.lower()
    for kind, pattern in _ASKS_KIND:
        if pattern.search(lowered):
            scores[kind] = scores.get(kind, 0.0) + 1.5
    for pattern, kind, _ in ATTRIBUTES:
        if pattern.search(lowered):
            scores[kind] = scores.get(kind, 0.0) + 1.5
    if "install_fee" in scores and _REPAIR_VISIT.search(lowered) and not _INSTALL_WORD.search(lowered):
        scores["warranty"] = scores.get("warranty", 0.0) + scores.pop("install_fee")
    if "price" in scores and _HOW_MUCH_INSTALL.search(lowered):
        scores["install_fee"] = scores.get("install_fee", 0.0) + scores.pop("price")
    if _COUNT_ASKED.search(lowered):
        scores["spec"] = scores.get("spec", 0.0) + 1.5
    if not scores:
        return ()
    best = max(scores.values())
    ranked = sorted(scores, key=lambda k: -scores[k])
    return tuple(k for k in ranked if scores[k] >= KIND_SHARE * best)


def split_parts(message: str) -> list[QuestionPart]:
    """The question parts of a message (at most MAX_PARTS; a longer message keeps its first ones)."""
    message = fix_question_words(message)  # "多少前" asks 多少钱
    pieces = [
        clause
        for p in _SPLIT.split(message)
        if p and p.strip(" ，,。.!！")
        for clause in _by_kind(p.strip(" ，,"))
    ]
    raw: list[str] = []
    pending = ""
    for piece in pieces:
        has_kind = bool(kinds_of(piece))
        asks = _asks(piece)
        if not asks and not has_kind:
            pending = f"{pending}{piece} " if len(pending) < 200 else pending
            continue
        raw.append(f"{pending}{piece}".strip())
        pending = ""
    if pending.strip():
        if raw:
            raw[-1] = f"{raw[-1]} {pending}".strip()
        else:
            raw.append(pending.strip())
    parts: list[QuestionPart] = []
    for text in raw:
        part = _part(text)
        if parts and not part.kinds and not part.question:
            continue
        # a statement qualifying nothing new ("我在新疆") joins the next question of its kind
        parts.append(part)
    merged = _follow_ups(_merge_statements(parts))
    return merged[:MAX_PARTS] or [_part(message)]


def _follow_ups(parts: list[QuestionPart]) -> list[QuestionPart]:
    """An English question without a kind of its own after one with a kind ("…, and when will I get
    them?", "How much?") asks about the same thing: it takes that part's kinds (its own time/money words
    stay). Chinese follow-ups ("热交换器呢？") name a new aspect more often and keep their own reading,
    except after a question about a store rule: a rule's follow-up ("能开专票吗？要提供什么资料？")
    asks more of the same rule. A bare question word ("多少？") asks nothing new: it joins the question
    before it, whose answer it asks for (never quoted back alone in a follow-up promise)."""
    out: list[QuestionPart] = []
    for part in parts:
        if out and not part.kinds and _bare(part.text):
            joined = _part(f"{out[-1].text} {part.text}")
            out[-1] = replace(joined, kinds=out[-1].kinds or joined.kinds)
            continue
        english = not re.search(r"[\u4e00-\u9fff]", part.text)
        # (a rule's question first: "箱子压坏了几小时内报？拍哪些" also reads as a fault)
        rule = bool(out) and bool(out[-1].kinds) and out[-1].kinds[0] in POLICY_KINDS
        if out and (english or rule) and not part.kinds and part.question and out[-1].kinds:
            part = replace(part, kinds=out[-1].kinds)
        elif rule and not english and part.question and _about_that_rule(part):
            # "…能退吗？寄回运费谁付", "…要加钱吗？满99包邮还收不收": the fee, delivery or refund of the rule
            # just asked about; its kinds come after the part's own, and its circumstances go along
            carried = tuple(k for k in out[-1].kinds if k in POLICY_KINDS and k not in part.kinds)
            part = replace(
                part, kinds=(*part.kinds, *carried), carried=carried, context=out[-1].context or out[-1].text
            )
        out.append(part)
    return out


FOLLOW_KINDS = frozenset({"shipping", "refund"})  # what a rule's follow-up asks of it: carriage, money back
MAX_FOLLOW = 16  # characters: a longer question states a case of its own


def _about_that_rule(part: QuestionPart) -> bool:
    """A short question asking only the carriage or the money back ("运费谁出", "退款多久到账")."""
    return bool(part.kinds) and set(part.kinds) <= FOLLOW_KINDS and len(part.text.strip()) <= MAX_FOLLOW


# A question made only of question words ("多少？", "几天？", "how much?", "when?"): no thing of its own.
_BARE = re.compile(
    r"(?:[要是那]?(?:多少|几天|多久|多长时间|什么时候|怎么办|怎么弄|可以吗|行吗|能吗|呢)"
    r"|(?:and )?(?:how much|how long|when|why|how)(?: is it)?)[\s？?!！。.]*",
    re.IGNORECASE,
)


def _bare(text: str) -> bool:
    return bool(_BARE.fullmatch(text.strip()))


_CLAUSE = re.compile(r"(?<=[，,])\s*|\s+(?=[\u4e00-\u9fff])(?<=[\u4e00-\u9fff]\s)")


def _by_kind(sentence: str) -> list[str]:
    """A sentence whose comma-separated clauses ask about different kinds ("内胆保多久，安装要收费吗")
    as one piece per kind; clauses without a kind stay with their neighbours."""
    clauses = [
        piece for c in _CLAUSE.split(sentence) if c and c.strip(" ，,") for piece in _second_questions(c)
    ]
    if len(clauses) < 2:
        return [sentence]
    groups: list[tuple[str, set[str]]] = []
    for clause in clauses:
        kinds = set(kinds_of(clause))
        if (
            groups
            and kinds
            and groups[-1][1]
            and _QUESTION.search(clause)
            and (not (kinds & groups[-1][1]) or _other_attribute(groups[-1][0], clause))
        ):
            groups.append((clause, kinds))
        elif groups:
            groups[-1] = (groups[-1][0] + clause, groups[-1][1] | kinds)
        else:
            groups.append((clause, kinds))
    return [g.strip(" ，,") for g, _ in groups]


# Where a second question can begin inside a clause without punctuation: an attribute asked about
# ("多重功率多少" -> 多重 | 功率多少) or an English question word ("how heavy is it what is the power").
_WH = re.compile(r"(?<=\s)(?:how|what|when|where|which|why)\b", re.IGNORECASE)
_STATED_NUMBER = re.compile(r"\d\s*$")


def _other_attribute(first: str, second: str) -> bool:
    """Two questions of the same kind about different attributes (weight, then power): each asks, and
    their answers are stated in different units."""
    a, b = asked_units(first), asked_units(second)
    return bool(a and b and not (a & b) and _asks(first) and _asks(second))


def _second_questions(clause: str) -> list[str]:
    """A clause holding two questions with no punctuation between them, split where the second begins:
    only when the text before is a question of its own and the text after asks about another kind or
    another attribute; a single question ("功率多少瓦", "how much is the one which is 60L") stays whole."""
    starts = sorted(
        {m.start() for pattern, _, _ in ATTRIBUTES for m in pattern.finditer(clause)}
        | {m.start() for m in _WH.finditer(clause)}
    )
    out: list[str] = []
    last = 0
    for start in starts:
        if start <= last or _STATED_NUMBER.search(clause[:start]):
            continue  # (a unit after a number the customer states, "1.7 litre kettle", asks nothing)
        head, rest = clause[last:start].strip(), clause[start:].strip()
        if not head or not rest or not _asks(head) or not _asks(rest):
            continue
        head_kinds, rest_kinds = set(kinds_of(head)), set(kinds_of(rest))
        if not head_kinds or not rest_kinds:
            continue
        if head_kinds & rest_kinds and not _other_attribute(head, rest):
            continue
        out.append(re.sub(r"\s+(?:and also|and|also)$", "", head, flags=re.IGNORECASE))
        last = start
    out.append(clause[last:].strip())
    return [piece for piece in out if piece]


def asked_units(text: str) -> frozenset[str]:
    """The units the answer to a spec question is stated in (多重 -> kg/g/斤, 多厚 -> mm/cm)."""
    out: set[str] = set()
    for pattern, _, units in ATTRIBUTES:
        if pattern.search(text):
            out |= units
    out |= {_MEASURE_UNIT.get(m, m) for m in _COUNT_ASKED.findall(text)}
    return frozenset(out)


def _part(text: str) -> QuestionPart:
    return QuestionPart(
        text=text,
        kinds=kinds_of(text),
        terms=tuple(dict.fromkeys([*terms(text), *vocabulary_terms(text)])),
        asks_time=bool(_ASKS_TIME.search(text)),
        asks_money=bool(_ASKS_MONEY.search(text)),
        question=_asks(text),
        units=asked_units(text),
    )


# "热交换器呢？", "and the motor?": a short question naming only a new thing asks the previous question again
_ELLIPTIC = re.compile(
    r"^[^，,。]{1,12}呢\s*[？?]?\s*$|^\s*(?:and|what about|how about)\b[^?]{0,30}\??\s*$", re.IGNORECASE
)
_NOT_ASKING = re.compile(r"十几|几十|好几|几乎|没几")


def _asks(text: str) -> bool:
    """Phrased as a question ("签收十几天了" is not: 十几 counts, it does not ask)."""
    return bool(_QUESTION.search(_NOT_ASKING.sub("", text)))


def _merge_statements(parts: list[QuestionPart]) -> list[QuestionPart]:
    """A statement part followed by a question joins it ("I'm in Xinjiang. How much is shipping?"); a
    closing statement joins the question before it ("…怎么领？签收十几天了": the window is what matters);
    a question without a kind of its own ("热交换器呢？") asks the previous question's kind again."""
    out: list[QuestionPart] = []
    carry = ""
    for i, part in enumerate(parts):
        if not part.question and i + 1 < len(parts):
            carry = f"{carry}{part.text} "
            continue
        if not part.question and out and not carry:
            joined = _part(f"{out[-1].text} {part.text}")
            out[-1] = replace(joined, kinds=out[-1].kinds or joined.kinds)
            continue
        merged = _part(f"{carry}{part.text}".strip()) if carry else part
        if not merged.kinds and out and out[-1].kinds and _ELLIPTIC.search(merged.text):
            merged = replace(merged, kinds=out[-1].kinds)
        out.append(merged)
        carry = ""
    return out
