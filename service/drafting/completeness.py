"""Completeness of a model's draft: every fact the answer engine found for a question part is in the reply.

A model (small ones especially) drops an asked fact the sheet listed, answers from a description line and
leaves out the weight, or says it will check something the sheet states. After the claims are verified
(service/answering/verify.py) each fact of the engine's plan is looked for in the reply by its values:
numbers (with or without their units: "25kg", "25 kg", "三年" = "3年") and, for a fact without numbers,
its key phrases (a record's short values such as a fault name or a gift, else most of its words). A fact
that is missing gets the engine's own sentence (the offline composer's wording, same language, with the
marker the prompt gave it), put after the model's last cited sentence, and a part the engine found
nothing for and the model did not answer either gets the store's follow-up promise. Each addition is a
repair (``action: "added"``) so the reviewer sees what the model left out. General for any model.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from service.answering import english
from service.answering.compose import UNKNOWN, UNKNOWN_PLAIN, question_topic, quoted_topic, render
from service.answering.engine import AnswerPlan, PartAnswer
from service.answering.facts import Fact, ProductRef
from service.answering.verify import claim_kinds, split_sentences
from service.compliance.normalize import fold, normalize
from service.compliance.numbers import extract
from service.drafting.models import Repair
from service.drafting.text import Language, is_identifier, overlap, terms, truncate

MISSING_FACT = "missing_fact"
UNANSWERED_PART = "unanswered_part"
ANSWERED_BY_FACTS = "answered_by_facts"  # a promise to check something the facts answer
UNTRANSLATED_FACT = "untranslated_fact"  # a Chinese fact an English reply cannot say: the promise instead
PHRASE_OVERLAP = 0.5  # share of a number-less fact's words a reply must carry to state it
KEY_VALUE_CHARS = 14  # a record's value this short is a key phrase ("漏水", "在售", "电热水壶")
MANY_NUMBERS = 4  # a fact listing this many figures (a fee list) is stated when half of them are

_MARKER = re.compile(r"\[\d{1,3}\]")
# a bare figure, not part of a model code (F002, RW7) or a longer number
_NUMBER = re.compile(r"(?<![0-9A-Za-z.])\d+(?:\.\d+)?(?![0-9A-Za-z]|\.\d)")
_CONTENT = re.compile(r"[0-9A-Za-z\u3400-\u9fff]")
_GREETING = re.compile(r"您好|你好|亲|hello|hi\b|dear|thank|感谢", re.IGNORECASE)
GREETING_CHARS = 40


@dataclass
class Completed:
    text: str
    repairs: list[Repair] = field(default_factory=list)


def _numbers(text: str) -> set[str]:
    plain = re.sub(r"(?<=\d),(?=\d{3})", "", _MARKER.sub("", text))
    return {
        m.group(0).rstrip("0").rstrip(".") if "." in m.group(0) else m.group(0)
        for m in _NUMBER.finditer(plain)
    }


def _quantities(text: str) -> tuple[set[tuple[str, float]], list[tuple[int, int]]]:
    norm = normalize(_MARKER.sub("", text)).text
    found = extract(norm, labelled_prices=True)
    return {(q.unit, v) for q in found for v in q.values}, [(q.start, q.end) for q in found]


@dataclass
class _Reply:
    text: str
    plain: str = ""
    numbers: set[str] = field(default_factory=set)
    quantities: set[tuple[str, float]] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.plain = _MARKER.sub("", self.text)
        self.numbers = _numbers(self.plain)
        self.quantities = _quantities(self.plain)[0]


def _missing_values(text: str, price: bool, reply: _Reply) -> tuple[list[str], int]:
    """The figures of ``text`` (a fact or a clause of it) the reply does not state, and how many it has."""
    norm = normalize(text).text
    missing: list[str] = []
    total = 0
    spans: list[tuple[int, int]] = []
    for q in extract(norm, labelled_prices=price):
        spans.append((q.start, q.end))
        total += 1
        written = norm[q.start : q.end]
        by_unit = all((q.unit, v) in reply.quantities for v in q.values)
        by_figure = bool(_numbers(written)) and _numbers(written) <= reply.numbers
        if not by_unit and not by_figure:
            missing.append(written.strip())
    rest = "".join(" " if any(a <= i < b for a, b in spans) else ch for i, ch in enumerate(norm))
    for number in sorted(_numbers(rest), key=rest.find):
        total += 1
        if number not in reply.numbers:
            missing.append(number)
    return missing, total


def _key_phrases(fact: Fact) -> list[str]:
    return [v.strip() for _, v in fact.pairs[1:] if v and len(v.strip()) <= KEY_VALUE_CHARS] or (
        [fact.pairs[0][1].strip()] if fact.pairs and len(fact.pairs[0][1].strip()) <= KEY_VALUE_CHARS else []
    )


def _squash(text: str) -> str:
    return re.sub(r"[^0-9a-z\u3400-\u9fff]", "", fold(text))


_CLAUSE = re.compile(r"[^，,；;。\n]+")


def _figure_clauses(text: str) -> list[str]:
    return [c.strip() for c in _CLAUSE.findall(text) if _numbers(c) or _quantities(c)[0]]


def asked_clauses(fact: Fact, part_terms: list[str]) -> list[str]:
    """The clauses of a fact with several figures that the question singles out: those holding a term of
    the question that the other clauses lack ("内胆" of "内胆保几年" in "整机包修3年，内胆保修8年")."""
    clauses = _figure_clauses(fact.text)
    if len(clauses) < 2:
        return clauses
    folded = [fold(c) for c in clauses]
    picked = [
        c
        for c, f in zip(clauses, folded, strict=True)
        if any(len(t) >= 2 and fold(t) in f and not all(fold(t) in g for g in folded) for t in part_terms)
    ]
    return picked or clauses


def stated(fact: Fact, sentence: str, reply: _Reply, part_terms: Sequence[str] = ()) -> tuple[bool, str]:
    """Whether the reply states the fact, and what of it is missing (for the repair's ``claim``)."""
    clauses = asked_clauses(fact, list(part_terms))
    if clauses:
        missing: list[str] = []
        total = 0
        for clause in clauses:
            lacking, n = _missing_values(clause, fact.kind == "price", reply)
            missing += lacking
            total += n
        enough = len(missing) <= total // 2 if total >= MANY_NUMBERS else not missing
        return enough, "、".join(dict.fromkeys(missing))
    squashed = _squash(reply.plain)
    phrases = _key_phrases(fact)
    bare = _MARKER.sub("", sentence)
    if phrases:  # a record: its short values say it (a fault's name, a gift), not the words around them
        found = [p for p in phrases if _squash(p) and _squash(p) in squashed]
        if found or not _crosses(phrases, reply.plain):
            return bool(found), "" if found else truncate(phrases[-1], 30)
        # Chinese key phrases and an English reply: they are never found verbatim, so the record is
        # stated when the reply carries the engine's own English sentence for it (else it went in twice)
        english_words = terms(english.CJK.sub(" ", bare))  # a quoted clause is not what goes in
        if english_words and overlap(english_words, reply.plain) >= PHRASE_OVERLAP:
            return True, ""
        return False, truncate(phrases[-1], 30)
    wanted = terms(bare) or terms(fact.text)
    if wanted and overlap(wanted, reply.plain) >= PHRASE_OVERLAP:
        return True, ""
    return False, truncate(phrases[0] if phrases else " ".join(fact.text.split()), 30)


def _crosses(phrases: Sequence[str], reply: str) -> bool:
    """Key phrases in Chinese looked for in a reply in English (another language: compared by meaning)."""
    return any(english.CJK.search(p) for p in phrases) and english.cjk_share(reply) < english.CJK_BUDGET


def missing_clauses(fact: Fact, reply: _Reply, part_terms: list[str]) -> list[str] | None:
    """For a plain Chinese fact whose asked clauses the reply states in part: the clauses it lacks (so only
    they are added, not the whole fact again); None when the whole fact should be added."""
    if fact.pairs:
        return None
    lacking = [
        c for c in asked_clauses(fact, part_terms) if _missing_values(c, fact.kind == "price", reply)[0]
    ]
    everything = _figure_clauses(fact.text)
    if not lacking or all(_missing_values(c, fact.kind == "price", reply)[0] for c in everything):
        return None  # the reply states nothing of the fact: all of it goes in
    return lacking


def unstated_clauses(fact: Fact, reply: _Reply) -> list[str]:
    """The clauses of a plain Chinese fact without figures that the reply leaves out, when it states the
    rest ("优惠金额按比例分摊" of "优惠券不退回，优惠金额按比例分摊，只退实付金额"): a clause is carried by
    half of its own words, those the fact's other clauses lack (the shared ones prove nothing). Only a
    minority of clauses is ever added: a reply lacking most of them words the rule its own way."""
    if fact.pairs or fact.english:
        return []
    clauses = [c.strip() for c in _CLAUSE.findall(fact.text) if terms(c)]
    if len(clauses) < 2:
        return []
    words = [terms(c) for c in clauses]
    lacking = []
    for i, clause in enumerate(clauses):
        others = {t for j, w in enumerate(words) if j != i for t in w}
        own = [t for t in words[i] if len(t) >= 2 and t not in others]
        if own and overlap(own, reply.plain) < PHRASE_OVERLAP:
            lacking.append(clause)
    # most of the rule left out while its words are there: a paraphrase, not a clause left out
    return lacking if 2 * len(lacking) <= len(clauses) else []


def _answers_part(answer: PartAnswer, reply: _Reply, followup_hours: int, sheet: bool) -> bool:
    """A part without facts is answered when the reply speaks of its kind or promises the follow-up; a
    part that asks no kind of fact is given the benefit of the doubt when the sheet had facts (the reply
    may answer it from them), not when nothing answers the message ("我无法回答这个问题" is no answer)."""
    if _promises(reply, followup_hours):
        return True
    kinds = set(answer.part.kinds) or set(claim_kinds(answer.part.text))
    if not kinds:  # a vague part ("有什么好处") cannot be told unanswered: the reply may well answer it
        return sheet or not answer.part.question
    return any(kinds & claim_kinds(s) for s in split_sentences(reply.plain) if s.strip())


def _part_terms(answer: PartAnswer, glossary: Any) -> list[str]:
    """A part's words, and their other-language terms (an English question about a Chinese sheet)."""
    crossed = glossary.translate(answer.part.text) if glossary is not None else ""
    return list(
        dict.fromkeys([*answer.part.terms, *answer.part.crossed, *terms(answer.part.text), *terms(crossed)])
    )


# What may be quoted back to the customer: words, numbers and ordinary punctuation, no tags or links.
def _promises(reply: _Reply, followup_hours: int) -> bool:
    """The reply already promises the store's follow-up ("within 24 hours")."""
    return ("hour", float(followup_hours)) in reply.quantities


def _promise(answer: PartAnswer, language: Language, followup_hours: int) -> str:
    """The follow-up promise for a part, naming it in the customer's words when they are plain text."""
    topic = quoted_topic(answer.part.text, language)
    if topic:
        return UNKNOWN[language].format(topic=topic, hours=followup_hours)
    return UNKNOWN_PLAIN[language].format(hours=followup_hours)


def _sentence(body: str, marker: int | None, language: Language) -> str:
    body = body.strip().rstrip("。.;；，, ")
    cite = f"[{marker}]" if marker is not None else ""
    if language == "zh":
        return f"{body}{cite}。"
    return f"{body[:1].upper()}{body[1:]}{' ' + cite if cite else ''}."


def _insert(text: str, added: list[str], language: Language) -> str:
    """The added sentences after the reply's last cited sentence, else after its greeting (the answer
    first, then the rest of what the model wrote)."""
    parts = split_sentences(text)
    content = [i for i, s in enumerate(parts) if _CONTENT.search(_MARKER.sub("", s))]
    cited = [i for i in content if _MARKER.search(parts[i])]
    if cited:
        at = cited[-1] + 1
    elif content and _GREETING.search(parts[content[0]]) and len(parts[content[0]].strip()) <= GREETING_CHARS:
        at = content[0] + 1  # after "亲，您好！", before whatever the model said
    else:
        at = content[0] if content else len(parts)
    joiner = "" if language == "zh" else " "
    block = joiner.join(added)
    before = "".join(parts[:at])
    after = "".join(parts[at:])
    if language != "zh":
        if before and not before[-1].isspace():
            block = " " + block
        if after and not after[0].isspace():
            block += " "
    return f"{before}{block}{after}".strip()


def complete(
    text: str,
    plan: AnswerPlan,
    *,
    language: Language,
    followup_hours: int,
    markers: Callable[[Fact], int | None],
    glossary: Any = None,
) -> Completed:
    """``text`` with the engine's sentence for every asked fact it leaves out, and the repairs."""
    reply = _Reply(text)
    refs: dict[str, ProductRef] = {p.product_id: p for p in plan.products}
    many = len(plan.products) > 1
    added: list[str] = []
    repairs: list[Repair] = []

    def add(line: str, reason: str, claim: str, fact: Fact | None = None) -> None:
        """A sentence added to the reply, listed for the reviewer as a repair; a sentence already added or
        already in the reply (two facts worded alike in English) goes in once."""
        said = _MARKER.sub("", line).strip(" .。")
        if any(_MARKER.sub("", a).strip(" .。") == said for a in added) or (said and said in reply.plain):
            return
        added.append(line)
        repairs.append(
            Repair(
                action="added",
                reason=reason,
                sentence="",
                claim=claim,
                replacement=line,
                product_id=fact.product_id if fact else None,
                expected=fact.text if fact else None,
            )
        )

    done: set[str] = set()
    deferred = False  # the follow-up promise stood in for a fact an English reply cannot say
    for answer in plan.parts:
        if answer.needs_product:
            continue
        if not answer.facts:
            if _answers_part(answer, reply, followup_hours, bool(plan.facts)):
                continue
            add(
                _promise(answer, language, followup_hours),
                UNANSWERED_PART,
                question_topic(answer.part.text, language),
            )
            continue
        part_terms = _part_terms(answer, glossary)
        promised = False  # one promise per part, however many of its facts it stands in for
        for fact in answer.facts:
            if fact.digest in done or is_identifier(fact.text):
                continue
            done.add(fact.digest)
            ref = refs.get(fact.product_id or "")
            body = render(fact, ref, language, many=many, glossary=glossary)
            if not body.strip():
                continue  # the engine cannot word it in this language either
            sentence = _sentence(body, markers(fact), language)
            ok, claim = stated(fact, sentence, reply, part_terms)
            unsaid = (
                unstated_clauses(fact, reply) if ok and language == "zh" and not _numbers(fact.text) else []
            )
            if unsaid:  # the reply states the rule but leaves a clause of it out: that clause goes in
                ok, claim = False, truncate("，".join(unsaid), 30)
            if ok:
                continue
            if language == "en":  # no Chinese quote goes into an English reply: English, else the promise
                body = render(fact, ref, language, many=many, glossary=glossary, quote=english.omit_quote)
                if not body.strip() or english.CJK.search(body):
                    deferred = True
                    if not promised and not _promises(reply, followup_hours):
                        promised = True
                        line = _promise(answer, language, followup_hours)
                        add(line, UNTRANSLATED_FACT, claim or truncate(fact.text, 30), fact)
                    continue
                sentence = _sentence(body, markers(fact), language)
            lacking = unsaid or (missing_clauses(fact, reply, part_terms) if language == "zh" else None)
            if lacking:
                sentence = _sentence("，".join(lacking), markers(fact), language)
            add(sentence, MISSING_FACT, claim or truncate(body, 30), fact)
    if not added:
        return Completed(text)
    if any(r.reason == MISSING_FACT for r in repairs) and all(a.facts for a in plan.parts) and not deferred:
        text = _drop_check_promises(text, followup_hours, repairs)
    return Completed(_insert(text, added, language), repairs)


_CHECK = re.compile(r"核实|核查|查询|确认|查一下|check|confirm|verify|look into", re.IGNORECASE)
_REPLY_LATER = re.compile(r"回复|答复|告知|通知|联系您|get back|reply|let you know|update you", re.IGNORECASE)


def _drop_check_promises(text: str, followup_hours: int, repairs: list[Repair]) -> str:
    """The model's "we will check and reply within N hours" when the facts answer every part (it did not
    see that they do): the promise goes, listed as a repair, so the reply does not both answer and defer."""
    kept: list[str] = []
    for sentence in split_sentences(text):
        plain = _MARKER.sub("", sentence)
        figures = _quantities(plain)[0]
        later = _REPLY_LATER.search(plain) or ("hour", float(followup_hours)) in figures
        if (
            _CHECK.search(plain)
            and later
            and not _MARKER.search(sentence)
            and figures <= {("hour", float(followup_hours))}
            and not _numbers(plain) - {str(followup_hours)}
        ):
            repairs.append(
                Repair(
                    action="removed",
                    reason=ANSWERED_BY_FACTS,
                    sentence=sentence.strip(),
                    claim=truncate(plain.strip(), 30),
                )
            )
            continue
        kept.append(sentence)
    return re.sub(r"\n{3,}", "\n\n", "".join(kept)).strip()
