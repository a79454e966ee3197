"""The grounded offline drafter: deterministic replies composed from the retrieved sources.

Used when no LLM endpoint is configured and whenever the model fails. It writes nothing it cannot point
to: every fact is a sentence quoted from a numbered source (or the agent's context), so every number in
the draft comes from the knowledge base. The customer's own words are never echoed, so instructions hidden
in a message cannot reach the draft.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from service.drafting.intent import Intent, intent_terms
from service.drafting.passages import clean_sentence, is_alias_line, records
from service.drafting.passages import sentences as quotable
from service.drafting.sources import Source
from service.drafting.text import (
    Language,
    Matcher,
    detect_language,
    overlap,
    split_sentences,
    terms,
    truncate,
    weight,
)
from service.knowledge.models import ProductFacts

PROVIDER = "extractive"
MODEL = "extractive-v1"
MAX_FACTS = 4
MAX_PER_SOURCE = 2
MIN_SCORE = 0.12
RELATIVE_FLOOR = 0.5  # facts much weaker than the best one are noise
SENTENCE_CHARS = 160
FACT_BUDGET = {"zh": 260, "en": 650}

_TIME = re.compile(
    r"\d+\s*(?:个)?(?:小时|工作日|自然日|天|日|周|分钟|月|年|h\b)|\d{1,2}[:：]\d{2}|\d{1,2}点"
    r"|within\s+\d+|\d+\s*(?:hours?|days?|business days|weeks?|months?|years?)",
    re.IGNORECASE,
)
_AMOUNT = re.compile(
    r"\d+(?:\.\d+)?\s*(?:元|块|%|折)|[¥$€£]\s*\d|\d+\s*(?:yuan|rmb|usd|percent)", re.IGNORECASE
)
_ASKS_TIME = re.compile(
    r"多久|几天|几点|多长时间|什么时候|何时|时效|多快|当天|how long|when|how soon|how many days|what time",
    re.IGNORECASE,
)
ABOUT_THE_PAGE = re.compile(
    r"^\s*(?:本页|本文|本文档|本说明|本政策|本规则|以下内容|下面)(?:将|会|主要)?(?:说明|介绍|列出|汇总|解释|包括)"
    r"|^\s*(?:this|the following) (?:page|document|policy|section|guide)"
    r" (?:explains|describes|lists|covers|sets out)",
    re.IGNORECASE,
)
_STATUS_WORDS = ("有货", "库存", "现货", "上架", "下架", "在售", "停产", "stock", "available", "sold out")
_END = "。！？!?.;；，, "
_ASKS_MONEY = re.compile(
    r"多少钱|价格|价钱|运费|费用|邮费|退多少|金额|how much|price|cost|fee|charge", re.IGNORECASE
)

PHRASES: dict[str, dict[str, str]] = {
    "zh": {
        "greeting": "亲，您好！",
        "complaint": "非常抱歉给您带来了不好的体验，您的心情我们非常理解，这件事我们一定认真对待。",
        "problem": "很抱歉给您带来不便，我们非常理解您的心情。",
        "context": "根据您的订单信息：",
        "unknown": "您咨询的问题我们需要进一步核实，会在{hours}小时内回复您，请您放心。",
        "price": "{name}的价格为{price}元",
        "status": "{name}目前的状态是：{status}",
        "quote": "{text}",
        "product_line": "{name}：{text}",
        "closing": "如还有其他问题，欢迎随时联系我们。",
    },
    "en": {
        "greeting": "Hello, and thank you for contacting us.",
        "complaint": "I'm truly sorry about this experience, and I completely understand how frustrating "
        "it is. We take this seriously.",
        "problem": "I'm sorry for the trouble, and I understand how inconvenient this is.",
        "context": "According to your order details:",
        "unknown": "We need to check this for you, and we will get back to you within {hours} hours.",
        "price": "The listed price of {name} is {price}",
        "status": "{name} is currently: {status}",
        "quote": "{text}",
        "product_line": "{name}: {text}",
        "closing": "If there is anything else we can help with, just let us know.",
    },
}

NEXT_STEP: dict[str, dict[str, str]] = {
    "zh": {
        "return_refund": "如需办理，请把订单号发给我们，我们马上为您跟进。",
        "exchange": "请告诉我们订单号和需要更换的规格，我们会尽快为您安排。",
        "warranty": "麻烦您提供订单号和问题的照片或视频，我们会尽快为您安排处理。",
        "shipping": "如需查询具体物流进度，请提供订单号，我们马上为您查询。",
        "order_change": "请提供订单号和需要修改的内容，我们马上为您核实能否修改。",
        "complaint": "我们会马上核实处理，并在{hours}小时内给您答复。",
        "product_question": "",
        "other": "",
    },
    "en": {
        "return_refund": "If you'd like to go ahead, please send us your order number and we will follow up "
        "right away.",
        "exchange": "Please send us your order number and the size or version you would like, and we will "
        "arrange it as soon as possible.",
        "warranty": "Please send us your order number and a photo or video of the problem, and we will "
        "arrange the next step as soon as possible.",
        "shipping": "If you send us your order number, we will check the tracking for you right away.",
        "order_change": "Please send us your order number and what you would like to change, and we will "
        "check right away whether it can still be changed.",
        "complaint": "We are looking into this now and will get back to you within {hours} hours.",
        "product_question": "",
        "other": "",
    },
}


# When the agent supplied order details, the next step need not ask for the order number.
NEXT_STEP_KNOWN_ORDER: dict[str, dict[str, str]] = {
    "zh": {
        "return_refund": "如需办理，请告诉我们，我们马上为您跟进。",
        "exchange": "请告诉我们需要更换的规格，我们会尽快为您安排。",
        "warranty": "麻烦您提供问题的照片或视频，我们会尽快为您安排处理。",
        "shipping": "我们会继续为您跟进物流进度，有任何变化会及时告诉您。",
        "order_change": "请告诉我们需要修改的内容，我们马上为您核实能否修改。",
    },
    "en": {
        "return_refund": "If you'd like to go ahead, just let us know and we will follow up right away.",
        "exchange": "Please tell us the size or version you would like, and we will arrange it as soon as "
        "possible.",
        "warranty": "Please send us a photo or video of the problem, and we will arrange the next step as "
        "soon as possible.",
        "shipping": "We will keep following the delivery for you and let you know of any change.",
        "order_change": "Please tell us what you would like to change, and we will check right away whether "
        "it can still be changed.",
    },
}

# Stands in for the prompt version: changes whenever the drafter's wording changes.
VERSION = hashlib.sha256(
    json.dumps([PHRASES, NEXT_STEP, NEXT_STEP_KNOWN_ORDER], sort_keys=True).encode()
).hexdigest()[:12]


def commitment(hours: int) -> str:
    """The store's follow-up promise as a source text, so a draft stating it is a supported claim."""
    return f"{hours}小时内回复。We will get back to you within {hours} hours."


PROBLEM_ONLY_STEPS = frozenset({"warranty"})  # asking for photos only makes sense when something broke


@dataclass(frozen=True)
class Fact:
    text: str  # one sentence, without end punctuation
    marker: int | None  # None for agent-context facts
    score: float
    order: tuple[int, int]  # (source marker, sentence position): reading order
    timed: bool = False  # states a time (a deadline, a duration, a clock time)
    relevant: bool = False  # shares a term with the question or is about the intent


@dataclass
class _Question:
    text: str  # lower-cased
    terms: list[str]
    intent: Intent
    language: Language
    asks_time: bool
    asks_money: bool
    product_ids: frozenset[str]


def compose(
    *,
    language: Language,
    intent: Intent,
    problem: bool,
    question: str,
    sources: Sequence[Source],
    products: Sequence[ProductFacts],
    context: str | None,
    followup_hours: int = 24,
) -> str:
    """A complete reply: greeting, apology when due, cited facts, next step, closing."""
    p = PHRASES[language]
    q = _Question(
        text=question.lower(),
        terms=terms(question),
        intent=intent,
        language=language,
        asks_time=bool(_ASKS_TIME.search(question)),
        asks_money=bool(_ASKS_MONEY.search(question)),
        product_ids=frozenset(f.product_id for f in products),
    )
    candidates = _candidates(sources, products, q)
    facts = _select(candidates, language)
    facts = _ensure_time(facts, candidates, intent)
    context_facts = _context_facts(context, q.terms)

    parts = [p["greeting"]]
    if intent == "complaint":
        parts.append(p["complaint"])
    elif problem:
        parts.append(p["problem"])
    if context_facts:
        parts.append(p["context"] + _join(context_facts, language))
    if facts:
        parts.append(("" if language == "zh" else " ").join(_sentence(f, language) for f in facts))
    if (not facts and not context_facts) or (facts and not context_facts and _unanswered(q, facts, products)):
        # Nothing found, or what was found does not touch what was asked (the cord of a kettle whose
        # sheet says nothing about it): promise a check rather than pass related facts off as the answer.
        parts.append(p["unknown"].format(hours=followup_hours))
    else:
        steps = NEXT_STEP_KNOWN_ORDER[language] if context_facts else {}
        step = steps.get(intent) or NEXT_STEP[language].get(intent, "")
        if intent in PROBLEM_ONLY_STEPS and not problem:
            step = ""
        if step:
            parts.append(step.format(hours=followup_hours))
    parts.append(p["closing"])
    return ("" if language == "zh" else " ").join(parts)


def _idf(term_list: Sequence[str], texts: Sequence[str]) -> dict[str, float]:
    """Weights that favour terms few candidate sentences share (a local IDF over the retrieved text)."""
    matchers = [Matcher(t) for t in texts]
    n = len(matchers)
    out = {}
    for t in term_list:
        df = sum(1 for m in matchers if m.has(t))
        out[t] = weight(t) * math.log(1 + (n + 1) / (df + 1))
    return out


def _unanswered(q: _Question, facts: Sequence[Fact], products: Sequence[ProductFacts]) -> bool:
    """True when the question has content words beyond the product it names and no chosen fact has any."""
    named = Matcher(" ".join(f"{p.name} {p.product_id} {' '.join(p.aliases)}" for p in products))
    aspects = [t for t in q.terms if weight(t) >= 2 and not named.has(t)]
    if not aspects:
        return False
    chosen = [Matcher(f.text) for f in facts]
    return not any(m.has(t) for t in aspects for m in chosen)


def _candidates(sources: Sequence[Source], products: Sequence[ProductFacts], q: _Question) -> list[Fact]:
    p = PHRASES[q.language]
    by_id = {f.product_id: f for f in products}
    boost_words = intent_terms(q.intent)
    n_sources = max(1, len(sources))
    raw: list[tuple[Source, int, str, float]] = []  # source, position, sentence, prior
    out: list[Fact] = []
    for rank, source in enumerate(sources):
        prior = 0.06 * (1 - rank / n_sources)
        facts = by_id.get(source.product_id or "") if source.kind == "product_facts" else None
        if facts is not None:
            out.extend(_product_facts(source, facts, q, prior))
            continue
        known = by_id.get(source.product_id or "")
        for pos, sentence in enumerate(quotable(source.text, source.title)):
            sentence = sentence.rstrip(_END)
            if len(sentence) < 4 or (known is not None and _restates(sentence, known)):
                continue  # too short, or the product's structured facts (its own source) already say it
            if ABOUT_THE_PAGE.match(sentence):
                continue  # "本页说明…" / "This page explains…": about the document, not a fact to quote
            raw.append((source, pos, sentence, prior))
    weights = _idf(q.terms, [r[2] for r in raw])
    for source, pos, sentence, prior in raw:
        relevance = overlap(q.terms, sentence, weights)
        topical = any(w in sentence.lower() for w in boost_words)
        if relevance == 0 and not topical:
            continue
        timed = bool(_TIME.search(sentence))
        score = relevance + prior + (0.12 if topical and relevance > 0 else 0.06 if topical else 0.0)
        if q.asks_time and timed:
            score += 0.15
        if q.asks_money and _AMOUNT.search(sentence):
            score += 0.15
        if detect_language(sentence) != q.language:
            score *= 0.4
        if q.product_ids and source.product_id and source.product_id not in q.product_ids:
            score *= 0.3  # another product than the one asked about
        if source.product_id and source.title and source.title not in sentence and len(sentence) < 60:
            sentence = p["product_line"].format(name=source.title, text=sentence)
        text = truncate(sentence, SENTENCE_CHARS)
        out.append(Fact(text, source.marker, score, (source.marker, pos), timed, True))
    return out


def _product_facts(source: Source, facts: ProductFacts, q: _Question, prior: float) -> list[Fact]:
    p = PHRASES[q.language]
    out: list[Fact] = []
    if facts.price is not None:
        price = f"{facts.price:g}" if facts.price == int(facts.price) else f"{facts.price:.2f}"
        score = prior + (0.5 if q.asks_money else 0.1)
        text = p["price"].format(name=facts.name, price=price)
        out.append(Fact(text, source.marker, score, (source.marker, 0), relevant=q.asks_money))
    if facts.status:
        asks = any(t in q.text for t in _STATUS_WORDS)
        score = prior + (0.5 if asks else 0.02)
        text = p["status"].format(name=facts.name, status=facts.status)
        out.append(Fact(text, source.marker, score, (source.marker, 1), relevant=asks))
    lines: list[tuple[str, str]] = []
    for label, value in facts.facts.items():
        if is_alias_line(f"{label}: x"):
            continue
        for piece in records(value):
            lines.append((label, piece.rstrip(_END)))
    weights = _idf(q.terms, [f"{label} {piece}" for label, piece in lines])
    for pos, (label, piece) in enumerate(lines, start=2):
        line = f"{label}：{piece}" if q.language == "zh" else f"{label}: {piece}"
        asked = label.lower() in q.text  # the customer asked about exactly this (保修, 赠品, size ...)
        relevance = overlap(q.terms, line, weights)
        score = relevance + prior + (0.3 if asked else 0.0) + 0.03
        if q.asks_money and _AMOUNT.search(piece):
            score += 0.1
        timed = bool(_TIME.search(piece))
        if q.asks_time and timed:
            score += 0.1
        text = truncate(line, SENTENCE_CHARS)
        out.append(Fact(text, source.marker, score, (source.marker, pos), timed, relevance > 0 or asked))
    return out


def _restates(sentence: str, facts: ProductFacts) -> bool:
    value = re.split(r"[:：]", sentence, maxsplit=1)[-1].strip()
    known = [facts.status or "", *facts.facts.values()]
    if facts.price is not None:
        known.append(f"{facts.price:g}")
    return bool(value) and any(value == k.strip() or (len(value) > 6 and value in k) for k in known)


def _select(candidates: list[Fact], language: Language) -> list[Fact]:
    chosen: list[Fact] = []
    per_source: dict[int, int] = {}
    used = 0
    seen: set[str] = set()
    ranked = sorted(candidates, key=lambda f: (-f.score, f.order))
    floor = max(MIN_SCORE, RELATIVE_FLOOR * ranked[0].score) if ranked else MIN_SCORE
    for fact in ranked:
        if fact.score < floor or len(chosen) >= MAX_FACTS:
            break
        key = re.sub(r"\W", "", fact.text)
        if key in seen or any(key in s or s in key for s in seen):
            continue
        marker = fact.marker or 0
        if per_source.get(marker, 0) >= MAX_PER_SOURCE:
            continue
        if chosen and used + len(fact.text) > FACT_BUDGET[language]:
            continue
        chosen.append(fact)
        seen.add(key)
        per_source[marker] = per_source.get(marker, 0) + 1
        used += len(fact.text)
    return sorted(chosen, key=lambda f: f.order)


def _ensure_time(facts: list[Fact], candidates: list[Fact], intent: Intent) -> list[Fact]:
    """Give the next step a concrete time when a source states one and no chosen fact has it yet."""
    if not facts or any(f.timed for f in facts) or intent in ("product_question", "other"):
        return facts
    chosen = {f.order for f in facts}
    timed = [
        c for c in candidates if c.timed and c.relevant and c.order not in chosen and c.score >= MIN_SCORE
    ]
    if not timed:
        return facts
    best = max(timed, key=lambda f: (f.score, -f.order[0], -f.order[1]))
    return sorted([*facts, best], key=lambda f: f.order)


def _context_facts(context: str | None, question_terms: list[str]) -> list[str]:
    if not context or not context.strip():
        return []
    sentences = [clean_sentence(s).rstrip(_END) for s in split_sentences(context)]
    sentences = [s for s in sentences if s]
    ranked = sorted(range(len(sentences)), key=lambda i: (-overlap(question_terms, sentences[i]), i))[:2]
    return [truncate(sentences[i], SENTENCE_CHARS) for i in sorted(ranked)]


def _join(items: list[str], language: Language) -> str:
    return ("；" if language == "zh" else "; ").join(items) + ("。" if language == "zh" else ".")


def _sentence(fact: Fact, language: Language) -> str:
    marker = f"[{fact.marker}]" if fact.marker else ""
    if language == "zh":
        return f"{fact.text}{marker}。"
    return f"{fact.text} {marker}." if marker else f"{fact.text}."
