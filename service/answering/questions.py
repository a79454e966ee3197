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
from service.drafting.text import terms

MAX_PARTS = 4
KIND_SHARE = 0.6  # a kind scoring at least this share of the part's best kind is asked too
_SPLIT = re.compile(
    r"(?<=[？?！!。；;\n])|(?:[，,]\s*)(?=还有|另外|顺便|再问|以及)"
    r"|(?:[，,]\s*)(?=(?:and also|also|and (?:what|how|when|where|is|are|can|do|does|will))\b)",
    re.IGNORECASE,
)
_ASKS_TIME = re.compile(
    r"多久|几天|几点|多长时间|什么时候|何时|时效|多快|当天|几个?小时|几个?工作日|几年|多少年|"
    r"how long|when\b|how soon|how many (?:days|hours|years|months)|what time",
    re.IGNORECASE,
)
_ASKS_MONEY = re.compile(
    r"多少钱|价格|价钱|运费|费用|邮费|退多少|金额|收费|要钱|收钱|免费|how much|price|cost|fee|charge|free\b",
    re.IGNORECASE,
)
_QUESTION = re.compile(
    r"[？?]|吗|呢|么|多少|几|怎么|怎样|如何|能否|可否|是否|有没有|能不能|可不可以|行不行|什么|哪|"
    r"\b(?:how|what|when|where|which|who|why|can|could|do|does|is|are|will|would)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class QuestionPart:
    text: str
    kinds: tuple[str, ...]  # best first; empty when nothing specific is asked
    terms: tuple[str, ...] = field(default=())
    asks_time: bool = False
    asks_money: bool = False
    question: bool = True  # phrased as a question (a statement part only qualifies)
    crossed: tuple[str, ...] = ()  # the part's terms in the other language (through the glossary)

    @property
    def kind(self) -> str | None:
        return self.kinds[0] if self.kinds else None


def kind_scores(text: str) -> dict[str, float]:
    """The kinds a question part asks for: the shared vocabulary plus the English question patterns
    (service/answering/english_questions.py), which only questions use (facts keep their own kinds)."""
    scores = _kind_scores(text)
    for kind, score in english_kind_scores(text).items():
        scores[kind] = scores.get(kind, 0.0) + score
    return scores


def kinds_of(text: str) -> tuple[str, ...]:
    scores = kind_scores(text)
    if not scores:
        return ()
    best = max(scores.values())
    ranked = sorted(scores, key=lambda k: -scores[k])
    return tuple(k for k in ranked if scores[k] >= KIND_SHARE * best)


def split_parts(message: str) -> list[QuestionPart]:
    """The question parts of a message (at most MAX_PARTS; a longer message keeps its first ones)."""
    pieces = [
        clause
        for p in _SPLIT.split(message)
        if p and p.strip(" ，,。.!！")
        for clause in _by_kind(p.strip(" ，,"))
    ]
    raw: list[str] = []
    pending = ""
    for piece in pieces:
        has_kind = bool(kind_scores(piece))
        asks = bool(_QUESTION.search(piece))
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
    stay). Chinese follow-ups ("热交换器呢？") name a new aspect more often and keep their own reading."""
    out: list[QuestionPart] = []
    for part in parts:
        english = not re.search(r"[\u4e00-\u9fff]", part.text)
        if out and english and not part.kinds and part.question and out[-1].kinds:
            part = replace(part, kinds=out[-1].kinds)
        out.append(part)
    return out


_CLAUSE = re.compile(r"(?<=[，,])\s*|\s+(?=[\u4e00-\u9fff])(?<=[\u4e00-\u9fff]\s)")


def _by_kind(sentence: str) -> list[str]:
    """A sentence whose comma-separated clauses ask about different kinds ("内胆保多久，安装要收费吗")
    as one piece per kind; clauses without a kind stay with their neighbours."""
    clauses = [c for c in _CLAUSE.split(sentence) if c and c.strip(" ，,")]
    if len(clauses) < 2:
        return [sentence]
    groups: list[tuple[str, set[str]]] = []
    for clause in clauses:
        kinds = set(kinds_of(clause))
        if groups and kinds and groups[-1][1] and not (kinds & groups[-1][1]) and _QUESTION.search(clause):
            groups.append((clause, kinds))
        elif groups:
            groups[-1] = (groups[-1][0] + clause, groups[-1][1] | kinds)
        else:
            groups.append((clause, kinds))
    return [g.strip(" ，,") for g, _ in groups]


def _part(text: str) -> QuestionPart:
    return QuestionPart(
        text=text,
        kinds=kinds_of(text),
        terms=tuple(dict.fromkeys([*terms(text), *vocabulary_terms(text)])),
        asks_time=bool(_ASKS_TIME.search(text)),
        asks_money=bool(_ASKS_MONEY.search(text)),
        question=bool(_QUESTION.search(text)),
    )


def _merge_statements(parts: list[QuestionPart]) -> list[QuestionPart]:
    """A statement part followed by a question joins it ("I'm in Xinjiang. How much is shipping?")."""
    out: list[QuestionPart] = []
    carry = ""
    for i, part in enumerate(parts):
        if not part.question and i + 1 < len(parts):
            carry = f"{carry}{part.text} "
            continue
        out.append(_part(f"{carry}{part.text}".strip()) if carry else part)
        carry = ""
    return out
