"""Offline composition: an answer plan as a reply in natural sentences, Chinese or English.

One sentence per fact, worded by what the fact is (a price, a record such as a gift or a fault code, a
short field, a clause of a long text), never with a raw field name ("in_the_box:"), each closed by the
marker of its own source so a reviewer sees where it comes from. Facts from Chinese sheets are rendered
for English customers through the glossary (terms) and the units table, keeping every number and unit.
A part nothing answers gets the store's follow-up promise; a product question that fits several
near-duplicates asks which one is meant and states none of their numbers. ``variant`` (regenerate) changes
the wording and order, and the engine brings in the next-best facts.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from service.answering import english
from service.answering.engine import AnswerPlan, PartAnswer
from service.answering.facts import Fact, ProductRef, quantities
from service.answering.questions import QuestionPart
from service.answering.resolve import short_label, squash
from service.drafting.extractive import NEXT_STEP, PHRASES, PROBLEM_ONLY_STEPS
from service.drafting.intent import Intent
from service.drafting.sources import Source
from service.drafting.text import Language, truncate
from service.index.crosslingual import Glossary
from service.knowledge.products import role_of

SENTENCE_CHARS = 180
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+")  # snake_case: a system name, not prose
_LABEL_SUFFIX = re.compile(r"(?:信息|说明|情况|详情|内容|政策|列表)$")

OPENERS: dict[str, list[str]] = {
    "zh": ["亲，您好！", "您好，感谢您的咨询！", "亲，您好，很高兴为您服务！"],
    "en": [
        "Hello, and thank you for contacting us.",
        "Hi, thanks for reaching out.",
        "Hello, thanks for your message.",
    ],
}
CLOSINGS: dict[str, list[str]] = {
    "zh": [
        "如还有其他问题，欢迎随时联系我们。",
        "还有其他需要帮忙的，随时告诉我们哦。",
        "有任何问题欢迎随时咨询。",
    ],
    "en": [
        "If there is anything else we can help with, just let us know.",
        "Let us know if there is anything else you need.",
        "Feel free to ask if anything else comes up.",
    ],
}
ASK_WHICH = {
    "zh": "您问的是哪一款呢？我们有{names}，告诉我们具体型号后马上为您确认。",
    "en": "Which model do you mean? We have {names}; tell us the model and we will confirm right away.",
}
ASK_MODEL = {
    "zh": "麻烦告诉我们具体的商品型号，我们马上为您确认。",
    "en": "Please tell us the exact model, and we will confirm right away.",
}
UNSOLD_SIZE = {
    "zh": "这款我们没有{size}的规格在售，在售的是{names}，请问您要咨询的是哪一款呢？",
    "en": "We do not sell a {size} version of it; what we sell is {names}. Which one do you mean?",
}
# a model (or edition) the catalogue does not hold: say so and offer the sold models of its series
UNSOLD_MODEL = {
    "zh": "我们没有找到{model}这款在售商品，在售的相近型号是{names}，请问您要咨询的是哪一款呢？",
    "en": (
        "We do not find {model} among the products we sell; the closest we sell are {names}. "
        "Which one do you mean?"
    ),
}
UNSOLD_MODEL_PLAIN = {
    "zh": "我们没有找到{model}这款在售商品，麻烦您核对一下具体型号。",
    "en": "We do not find {model} among the products we sell; please check the exact model for us.",
}
UNKNOWN = {
    "zh": "关于“{topic}”，我们需要进一步核实，会在{hours}小时内回复您。",
    "en": "We need to check “{topic}” for you and will get back to you within {hours} hours.",
}
UNKNOWN_PLAIN = {
    "zh": "您咨询的问题我们需要进一步核实，会在{hours}小时内回复您，请您放心。",
    "en": "We need to check this for you, and we will get back to you within {hours} hours.",
}
LEADS = {
    "zh": ["", "关于您的问题：", "为您查到："],
    "en": ["", "Here is what we found: ", "To answer your question: "],
}

_PUNCT_EN = str.maketrans({"，": ", ", "、": ", ", "；": "; ", "：": ": ", "（": " (", "）": ")", "。": ". "})
KIND_ZH = {
    "price": "价格",
    "warranty": "保修",
    "install_fee": "安装费用",
    "materials": "辅材",
    "gift": "赠品",
    "size": "尺码",
    "stock": "状态",
    "remote_fee": "偏远地区费用",
    "fault": "故障处理",
}
_KIND_EN = {
    "price": "price",
    "warranty": "warranty",
    "install_fee": "installation fee",
    "materials": "installation materials",
    "gift": "gift",
    "size": "size",
    "spec": "specification",
    "stock": "availability",
    "shipping": "shipping",
    "remote_fee": "remote-area fee",
    "return": "returns",
    "exchange": "exchanges",
    "refund": "refunds",
    "invoice": "invoices",
    "fault": "fault",
    "usage": "use",
    "other": "details",
}


@dataclass
class Composed:
    text: str
    sources: list[Source]  # one per cited fact, numbered as the markers in ``text``
    facts: list[Fact]


class _Markers:
    def __init__(self) -> None:
        self.sources: list[Source] = []
        self.facts: list[Fact] = []
        self._by_digest: dict[str, int] = {}

    def marker(self, fact: Fact, product: ProductRef | None) -> int:
        if fact.digest in self._by_digest:
            return self._by_digest[fact.digest]
        n = len(self.sources) + 1
        title = product.name if product else fact.label
        self.sources.append(
            Source(
                marker=n,
                kind="product_facts" if fact.product_id else "passage",
                source_id=fact.source_id,
                title=title,
                text=f"{fact.label}: {fact.text}"
                if fact.label and fact.label not in fact.text
                else fact.text,
                chunk_id=fact.chunk_id,
                product_id=fact.product_id,
                fact_digest=fact.digest,
            )
        )
        self.facts.append(fact)
        self._by_digest[fact.digest] = n
        return n


def compose(
    plan: AnswerPlan,
    *,
    intent: Intent,
    problem: bool,
    followup_hours: int,
    variant: int = 0,
    glossary: Glossary | None = None,
    known_order: bool = False,
) -> Composed:
    lang = plan.language
    zh = lang == "zh"
    p = PHRASES[lang]
    marks = _Markers()
    names = {r.product_id: r for r in plan.products}
    many = len(plan.products) > 1
    parts: list[str] = [OPENERS[lang][variant % len(OPENERS[lang])]]
    if intent == "complaint":
        parts.append(p["complaint"])
    elif problem:
        parts.append(p["problem"])
    ask = plan.ask_which
    if ask:
        shown = [_short(r) if zh else _code_or_name(r) for r in ask[:3]]
        if len({squash(x) for x in shown}) < len(
            shown
        ):  # listed twice under one model (two listings): their ids tell
            shown = [
                f"{s}（商品ID {r.product_id}）" if zh else f"{s} (ID {r.product_id})"
                for s, r in zip(shown, ask[:3], strict=True)
            ]
        sep = "、" if zh else ", "
        more = ("等" if zh else " and others") if len(ask) > 3 else ""
        parts.append(ASK_WHICH[lang].format(names=sep.join(shown) + more))
    elif any(a.needs_product for a in plan.parts):
        parts.append(ASK_MODEL[lang])
    # a capacity the named model is not sold in: say so and ask, rather than promise a check
    unsold = plan.resolution.how == "unsold_size"
    sold = [_short(r) if zh else _code_or_name(r) for r in plan.resolution.ambiguous[:3]]
    if unsold:
        size = plan.resolution.unknown or ""
        parts.append(UNSOLD_SIZE[lang].format(size=size, names=("、" if zh else ", ").join(sold)))
    elif plan.resolution.how == "unknown_model" and plan.resolution.unknown:
        model = plan.resolution.unknown
        if sold:  # offered instead (a check is still promised: it may be a listing not yet indexed)
            parts.append(UNSOLD_MODEL[lang].format(model=model, names=("、" if zh else ", ").join(sold)))
        else:
            parts.append(UNSOLD_MODEL_PLAIN[lang].format(model=model))
    lead = LEADS[lang][variant % len(LEADS[lang])]
    answered_sentences: list[str] = []
    unknown_topics: list[str] = []
    rendered: list[list[tuple[Fact, ProductRef | None, str]]] = []
    covered: set[int] = set()  # parts (by id) a fact another part says already answers
    for answer in plan.parts:
        said: list[tuple[Fact, ProductRef | None, str]] = []
        if not answer.needs_product:
            with english.asking(_asked(answer.part) if lang == "en" else frozenset()):
                for fact in answer.facts:
                    ref = names.get(fact.product_id or "")
                    sentence = render(fact, ref, lang, many=many, glossary=glossary)
                    if not sentence and lang == "en" and fact.product_id and role_of(fact.label) is None:
                        # a chosen field of the sheet the quote cannot carry (too long, or a detail clause
                        # that qualifies it): its figures with their units in English, not silently dropped
                        sentence = _say(fact, ref, "figures", many=many, glossary=glossary)
                    if sentence:
                        said.append((fact, ref, sentence))
                if lang == "en" and not said:
                    said = _fallback(
                        answer, names, many, glossary, _quoted_order, _digests(rendered), covered
                    )
        rendered.append(said)
    if lang == "en":
        _within_budget(
            rendered, " ".join(parts), many=many, glossary=glossary, asked=[a.part for a in plan.parts]
        )
        for answer, said in zip(plan.parts, rendered, strict=True):
            if not said and not answer.needs_product:
                elsewhere = _digests(rendered)
                with english.asking(_asked(answer.part)):
                    said.extend(_fallback(answer, names, many, glossary, _plain_order, elsewhere, covered))
    for answer, said in zip(plan.parts, rendered, strict=True):
        if answer.needs_product:
            continue
        for fact, ref, sentence in said:
            answered_sentences.append(_close(sentence, marks.marker(fact, ref), lang))
        if not said and not unsold and not answer.covered and id(answer) not in covered:
            unknown_topics.append(quoted_topic(answer.part.text, lang))
    if answered_sentences:
        body = ("" if zh else " ").join(dict.fromkeys(answered_sentences))
        parts.append(lead + body if lead and zh else (lead + body if lead else body))
    topic = ("、" if zh else ", ").join(t for t in unknown_topics if t)
    if unknown_topics and answered_sentences and topic:
        parts.append(UNKNOWN[lang].format(topic=topic, hours=followup_hours))
    elif unknown_topics or (
        not answered_sentences and not ask and not unsold and not any(a.needs_product for a in plan.parts)
    ):
        parts.append(UNKNOWN_PLAIN[lang].format(hours=followup_hours))
    elif answered_sentences:
        step = NEXT_STEP[lang].get(intent, "")
        if intent in PROBLEM_ONLY_STEPS and not problem:
            step = ""
        if known_order and intent != "complaint":
            step = ""  # it asks for the order number, which is known; a complaint's promise asks nothing
        if step:
            parts.append(step.format(hours=followup_hours))
    parts.append(CLOSINGS[lang][variant % len(CLOSINGS[lang])])
    return Composed(("" if zh else " ").join(x for x in parts if x), marks.sources, marks.facts)


Said = tuple[Fact, ProductRef | None, str]
# How a fallback attempt says a fact: "plain" = rendered as usual (short Chinese quotes allowed), "figures" =
# its figures with their units in English, "omit" = its English clauses with untranslatable detail left out,
# "name" = a gift record's name alone, "listing" = the listing's own price or status field. Every way but
# "plain" must say it without any Chinese.
Way = str


def _quoted_order(answer: PartAnswer) -> Iterator[tuple[Fact, Way]]:
    """Before the reply's Chinese budget is applied, for a part none of whose chosen facts can be said:
    a chosen field of the asked kind as its figures; else the first next-best fact of the asked kind said
    as usual; else one of them as its figures."""
    kinds = answer.part.kinds
    yield from ((f, "figures") for f in answer.facts if f.kind in kinds and role_of(f.label) is None)
    kept = _same_figures_first(answer.facts, [f for f in answer.alternates if f.kind in kinds])
    yield from ((f, "plain") for f in kept)
    yield from ((f, "figures") for f in kept if role_of(f.label) is None)


def _plain_order(answer: PartAnswer) -> Iterator[tuple[Fact, Way]]:
    """After the budget left a part without an answer: its first fact (chosen, then the next best of the
    asked kind) that can be said in English without any quote, its untranslatable detail left out (a
    clause that qualifies it takes the whole fact with it), else its figures in English (a field of the
    asked kind only), else a gift's name alone."""
    kinds = answer.part.kinds
    for fact in [
        *answer.facts,
        *_same_figures_first(answer.facts, [f for f in answer.alternates if f.kind in kinds]),
    ]:
        role = role_of(fact.label)
        if role is not None:
            # a field of the listing itself (its price, its status): said in plain English, or not at all;
            # the title, id or category is no answer
            if role in ("price", "status"):
                yield fact, "listing"
            continue
        yield fact, "omit"
        if fact.kind in kinds:
            yield fact, "figures"
            if fact.kind == "gift" and fact.pairs:
                yield fact, "name"


def _fallback(
    answer: PartAnswer,
    names: dict[str, ProductRef],
    many: bool,
    glossary: Glossary | None,
    order: Callable[[PartAnswer], Iterator[tuple[Fact, Way]]],
    said_elsewhere: set[str],
    covered: set[int],
) -> list[Said]:
    """The English fallback of a part its chosen facts leave unsaid: the first attempt of ``order`` that
    says something (one sentence, or none). A fact another part of the reply already says is not said
    twice: met before anything sayable, it is this part's answer too (the part is ``covered``)."""
    for fact, way in order(answer):
        if fact.digest in said_elsewhere:
            covered.add(id(answer))
            return []
        ref = names.get(fact.product_id or "")
        sentence = _say(fact, ref, way, many=many, glossary=glossary)
        if sentence:
            return [(fact, ref, sentence)]
    return []


def _same_figures_first(chosen: Sequence[Fact], alternates: list[Fact]) -> list[Fact]:
    """The alternates stating a figure of the chosen facts first: they say the same thing (the sheet's
    price field beside a description "售价约为579元…"), where another field's figure (a subsidy's 50元)
    would answer with a number that is not the one asked for."""
    figures = {n for f in chosen for n in _numbers(f.text)}
    if not figures:
        return alternates

    def share(fact: Fact) -> float:
        own = _numbers(fact.text)
        return len(own & figures) / len(own) if own else 0.0

    return sorted(alternates, key=lambda f: -share(f))


def _numbers(text: str) -> set[float]:
    return {float(n) for n in re.findall(r"(?<![\d.])\d+(?:\.\d+)?(?![\d.])", text.replace(",", ""))}


def _digests(rendered: list[list[Said]]) -> set[str]:
    return {fact.digest for said in rendered for fact, _, _ in said}


def _say(
    fact: Fact,
    ref: ProductRef | None,
    way: Way,
    *,
    many: bool,
    glossary: Glossary | None,
) -> str:
    """Figures are said in the units the part being composed asks for (``english.asking``, set by the
    composer per part), even after words that cannot be ("how heavy when full" -> "about 110 kg")."""
    if way == "plain":
        return render(fact, ref, "en", many=many, glossary=glossary)
    if way == "listing":
        listed = render(fact, ref, "en", many=many, glossary=glossary)
        return listed if listed and not english.CJK.search(listed) else ""
    said: str | None
    if way == "name":
        said = english.fact_en(
            fact.kind, fact.text, fact.label, fact.pairs[:1], "", product=True, quote=english.omit_quote
        )
    else:
        quote = english.figures_quote if way == "figures" else english.omit_quote
        said = _render_en(fact, ref, many=many, glossary=glossary, quote=quote)
    return said if said and not english.CJK.search(said) else ""


def _within_budget(
    rendered: list[list[tuple[Fact, ProductRef | None, str]]],
    frame: str,
    *,
    many: bool,
    glossary: Glossary | None,
    asked: Sequence[QuestionPart] = (),
) -> None:
    """An English reply quotes Chinese only within english.CJK_BUDGET of its letters: the sentence with the
    longest quote (of a part answered twice first) is worded again without quotes (or left out) until the
    reply fits; a part's only answer is worded as its figures in English before it would be left out."""
    closing_letters = 45  # the closing line added after the body
    while True:
        body = " ".join(s for said in rendered for _, _, s in said)
        text = f"{frame} {body}"
        cjk = len(english.CJK.findall(text))
        latin = len(english.LATIN.findall(text)) + closing_letters
        if not cjk or cjk <= english.CJK_BUDGET * (cjk + latin):
            return
        # a part's only answer goes last: a sentence of a part that has others is shortened or left out
        # first, so each question keeps an answer (a part left empty would be promised a check)
        victim = max(
            (
                (i, j)
                for i, said in enumerate(rendered)
                for j in range(len(said))
                if english.CJK.search(said[j][2])
            ),
            key=lambda ij: (
                len(rendered[ij[0]]) > 1,
                len(english.CJK.findall(rendered[ij[0]][ij[1]][2])),
            ),
            default=None,
        )
        if victim is None:
            return
        i, j = victim
        fact, ref, before = rendered[i][j]
        again = ""
        part = asked[i] if i < len(asked) else None
        units = _asked(part) if part else frozenset()
        quotes: list[Callable[[str], str | None]] = [english.short_quote, english.omit_quote]  # then none
        if len(rendered[i]) == 1 or units:
            # a part's only answer is not left out (the part would be promised a check): its figures with
            # their units in English under its field's label, no quote; nor is a sentence stating a figure
            # in the unit the part asks for (the silver tier's 1000 yuan for "how much do I need to spend")
            quotes.append(english.figures_quote)  # the asked units come from english.asking below
        # of the shorter wordings, the one stating the most figures in the asked units (a fee table's
        # asked rows rather than the rows that happen to translate), else the first in order
        best: tuple[int, int] | None = None
        for rank, quote in enumerate(quotes):
            with english.asking(units):
                candidate = _render_en(fact, ref, many=many, glossary=glossary, quote=quote)
            if not candidate or len(english.CJK.findall(candidate)) >= len(english.CJK.findall(before)):
                continue
            stated = sum(q.unit in units for q in quantities(candidate))
            if not stated and len(rendered[i]) > 1 and quote not in (english.short_quote, english.omit_quote):
                continue  # figures alone, in no asked unit, for a part that has another answer
            if best is None or (stated, -rank) > best:
                best, again = (stated, -rank), candidate
        if again:
            rendered[i][j] = (fact, ref, again)
        else:
            del rendered[i][j]


def _asked(part: QuestionPart) -> frozenset[str]:
    return english.asked_of(part.units, part.asks_money, part.asks_time)


def _close(sentence: str, marker: int, lang: Language) -> str:
    sentence = sentence.rstrip("。.;；，, ")
    return f"{sentence}[{marker}]。" if lang == "zh" else f"{sentence} [{marker}]."


def _short(ref: ProductRef) -> str:
    """How a reply names a product: model code and capacity, not the marketing title (its "国补立减15%"
    would read as a claim)."""
    return short_label(ref, "zh")


def _code_or_name(ref: ProductRef) -> str:
    """An English reply names a product by its model code (a Chinese name would not be read)."""
    label = short_label(ref, "en")
    return label if not _CJK.search(label) else (ref.name if not _CJK.search(ref.name) else ref.product_id)


def question_topic(text: str, lang: Language) -> str:
    """A question part as quoted back in a follow-up promise: no end punctuation, bounded length; a
    Chinese yes/no question in its embedded form ("是今年的新米吗" -> "是不是今年的新米"), which reads
    as the question it is and not as the store asserting it."""
    text = re.sub(r"[？?！!。.]+$", "", text.strip())
    if lang == "zh":
        text = _embedded(text)
    return truncate(text, 30 if lang == "zh" else 60)


# the verbs of a yes/no question and their A-not-A form, longest first; a verb inside a word (还是, 就是,
# 是否, 没有) is no question's verb
_YES_NO = (("可以", "可不可以"), ("能", "能不能"), ("会", "会不会"), ("是", "是不是"), ("有", "有没有"),
           ("要", "要不要"))  # fmt: skip
_VERB = re.compile("(?<![还就但总可只否不没])(" + "|".join(v for v, _ in _YES_NO) + ")(?![否不没])")


def _embedded(question: str) -> str:
    """ "X是Y吗" as "X是不是Y": a 吗-question quoted inside a sentence; other questions unchanged."""
    if not question.endswith("吗"):
        return question
    m = _VERB.search(question)
    if not m:
        return question
    a_not_a = dict(_YES_NO)[m.group(1)]
    return f"{question[: m.start()]}{a_not_a}{question[m.end() : -1]}"


# markup, links or code in the customer's words are never echoed into a reply
_QUOTABLE = re.compile(r"(?![\s\S]*(?:https?:|www\.|[<>{}\\`=]))[\s\S]*[^\W_][\s\S]*")


def quoted_topic(text: str, lang: Language) -> str:
    """The part as a reply may quote it: empty when it holds markup, links or code, or no word at all
    (the plain promise is said then, never `check “” for you`)."""
    topic = question_topic(text, lang)
    return topic if _QUOTABLE.fullmatch(topic) else ""


def _label(label: str, english: bool) -> str:
    label = label.split("/")[-1].strip()
    if english:
        return label.replace("_", " ").strip().lower()
    return _LABEL_SUFFIX.sub("", label) or label


def render(
    fact: Fact,
    ref: ProductRef | None,
    lang: Language,
    *,
    many: bool = False,
    glossary: Glossary | None = None,
    quote: Callable[[str], str | None] = english.plain_quote,
) -> str:
    """One fact as one sentence in the customer's language (without end punctuation and marker); an
    English one quotes what it cannot translate through ``quote`` (english.omit_quote: never)."""
    if lang == "en":
        return _render_en(fact, ref, many=many, glossary=glossary, quote=quote)
    name = _short(ref) if ref and many else ("这款" if ref else "")
    label = _label(fact.label, False)
    text = truncate(fact.text, SENTENCE_CHARS)
    if fact.kind == "price" and fact.product_id and _is_value(fact):
        value = text if re.search(r"[元¥￥$]", text) else f"{text}元"
        return f"{name}的价格是{value}" if name else f"价格是{value}"
    if fact.product_id and role_of(fact.label) == "name":
        return f"{name or '这款'}的商品全称是“{text}”"
    if fact.kind == "stock" and fact.product_id:
        return f"{name}目前的状态是“{text}”"
    if fact.pairs:
        return _record_zh(fact, name)
    if not fact.product_id:
        return _rule_zh(text, fact.label.split("/")[-1].strip())
    if label and not _CJK.search(label):
        # an English field name (noise_cancelling) is not shown to a Chinese customer: the kind's own
        # word stands in where it reads well, else the value stands alone
        label = KIND_ZH.get(fact.kind, "")
    if len(text) <= 40 and not re.search(r"[，。；]", text) and label and label not in text:
        return f"{name}的{label}是{text}" if name else f"{label}是{text}"
    if label and label not in text and "#" not in fact.field.split("/")[-1] and label != fact.field:
        return f"{name}的{label}：{text}" if many and name else f"{label}：{text}"
    return f"{name}：{text}" if many and name else text


def _rule_zh(text: str, label: str) -> str:
    """A policy item as one sentence (its sentences joined, so its marker closes all of it), led by its
    section's title when the item alone does not say what it is about ("不参与价保的情况：秒杀活动、…")."""
    text = re.sub(r"。(?=.)", "；", text)
    head = text[:14]
    if (
        label
        and not re.search(r"[：:]", head)
        and not (_bigrams(label) & _bigrams(text))
        and len(label) <= 12
    ):
        return f"{label}：{text}"
    return text


def _bigrams(text: str) -> set[str]:
    runs = _CJK.findall(text)
    joined = "".join(runs)
    return {joined[i : i + 2] for i in range(len(joined) - 1)}


def _is_value(fact: Fact) -> bool:
    """A short value (the price field's "1999"), not a sentence that mentions a price: only a value reads
    well after "价格是"."""
    return (
        len(fact.text) <= 24 and not re.search(r"[，。；,;]", fact.text) and bool(re.search(r"\d", fact.text))
    )


def _record_zh(fact: Fact, name: str) -> str:
    head, *rest = fact.pairs
    pieces = []
    for label, value in rest:
        if len(value) <= 14 and re.search(r"\d", value) and _CJK.search(label):
            pieces.append(f"{_label(label, False)}{value}")
        else:
            # a record is one fact: its sentences read as one ("不上水，检查是否停水；检查进出水阀…")
            pieces.append(re.sub(r"。(?=.)", "；", value.rstrip("。")))
    lead = head[1]
    if fact.kind == "gift" and "赠" not in lead and "送" not in lead:
        lead = f"赠品{lead}"
    if fact.kind == "fault" and "代码" in head[0] and "故障" not in lead:
        lead = f"故障代码{lead}"  # "E3" alone does not say it is the display's fault code
    body = "，".join(pieces)
    prefix = f"{name}：" if name and name != "这款" else ""
    return f"{prefix}{lead}：{body}" if body else f"{prefix}{lead}"


def _render_en(
    fact: Fact,
    ref: ProductRef | None,
    *,
    many: bool,
    glossary: Glossary | None,
    quote: Callable[[str], str | None] = english.plain_quote,
) -> str:
    """An English sentence for a fact: an English fact worded as it stands, a Chinese one through
    service/answering/english.py (templates, known terms, else a short quote; '' when it cannot be said)."""
    name = (_code_or_name(ref) if many else "this model") if ref else ""
    if not fact.english:
        return (
            english.fact_en(
                fact.kind, fact.text, fact.label, fact.pairs, name, product=bool(fact.product_id), quote=quote
            )
            or ""
        )
    text = truncate(_en_punct(fact.text), SENTENCE_CHARS * 2)
    label = _label(fact.label, True)
    if fact.kind == "price" and fact.product_id and _is_value(fact):
        value = text if re.search(r"yuan|[¥$]", text, re.IGNORECASE) else f"{text} yuan"
        return f"The price of {name} is {value}"
    if fact.product_id and role_of(fact.label) == "name":
        return f"The full product name of {name or 'this model'} is “{text}”"
    if fact.kind == "stock" and fact.product_id:
        return f"The current status of {name}: {text}"
    if fact.pairs:
        kept = [(k, _en_punct(v)) for k, v in fact.pairs if v]
        if not kept:
            return ""
        head, *rest = kept
        body = "; ".join(v if len(v) > 14 else f"{_label(k, True)} {v}".strip() for k, v in rest)
        kind = _KIND_EN.get(fact.kind, "")
        lead = f"{kind.capitalize()} {head[1]}" if kind in ("gift", "fault") else head[1]
        return f"{lead}: {body}" if body else lead
    if not fact.product_id:
        if _IDENTIFIER.fullmatch(text):
            return ""  # a heading that is a system name (manage_exchange): no sentence for a customer
        return re.sub(r"(?<=[a-z0-9)])\.\s+(?=\S)", "; ", text)  # one rule, one sentence with its marker
    topic = label if label and not _CJK.search(label) else _KIND_EN.get(fact.kind, "details")
    if many and name:
        return f"For {name}, {topic}: {text}"
    return f"{topic[:1].upper()}{topic[1:]}: {text}"


def _en_punct(text: str) -> str:
    return re.sub(r"\s{2,}", " ", text.translate(_PUNCT_EN)).strip()


def sources_of(composed: Composed) -> Sequence[Source]:
    return composed.sources
