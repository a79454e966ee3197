"""Answer-quality metrics per generator: wrong-product facts, irrelevant sentences, answered parts,
review marks in customer text, and the time to the first streamed text.

Wrong-product facts use the same claim judge as compliance and the post-generation repair
(:mod:`service.answering.verify`), but scoped to the products the golden case is about
(``expect.products``), not the products the engine resolved: a draft about the wrong product is counted
even when the engine agreed with itself. A wrong fact is *flagged* when the draft's compliance result has
an ``unsupported_claim`` finding over it; *unflagged* ones reach a reviewer unmarked.
"""

from __future__ import annotations

import re
import time
from typing import Any

from service.answering.kinds import _PATTERNS
from service.answering.verify import claim_kinds, split_sentences
from service.compliance.normalize import normalize
from service.compliance.numbers import ClaimScope, extract
from service.drafting.customer_text import customer_text, has_review_marks, strip_labels
from service.drafting.models import GeneratedDraft
from service.drafting.pipeline import Delta, DraftPipeline, Final, Prepared
from service.drafting.text import overlap, terms

WRONG = ("wrong_product", "wrong_field")
RELEVANT_OVERLAP = 0.25  # share of the question's terms a quoted sentence without a kind must carry
_MARKER = re.compile(r"\[\d{1,3}\]")
_QUOTED = re.compile(r"“([^”]*)”")
_PART_SPLIT = re.compile(r"[？?]+|(?:另外|还有|以及|顺便问一?下|and also|also,)")


def generate(pipeline: DraftPipeline, prep: Prepared) -> tuple[GeneratedDraft, float | None]:
    """The draft, streamed when a model drafts (as the API's ``stream: true`` does), with the time from
    the start of the request to its first text in ms (None offline: the whole draft arrives at once)."""
    if pipeline.llm is None:
        return pipeline.complete(prep), None
    first: float | None = None
    draft: GeneratedDraft | None = None
    for event in pipeline._stream(prep):
        if isinstance(event, Delta) and first is None and event.text.strip():
            first = (time.perf_counter() - prep.started) * 1000
        elif isinstance(event, Final):
            draft = event.draft
    assert draft is not None
    return draft, first


def question_parts(message: str) -> list[str]:
    """The questions of one message (split at question marks and "另外/还有/also")."""
    parts = [p.strip(" ，,。.!！;；\n") for p in _PART_SPLIT.split(message)]
    return [p for p in parts if len(p) >= 2]


def _unquoted(sentence: str, message: str) -> str:
    """The sentence without the customer's own words quoted back ("关于“…”，我们需要进一步核实"): they
    answer nothing (a quoted source text stays). A Chinese yes/no question is quoted in its embedded
    form ("是今年的新米吗" as "是不是今年的新米"): its words all the same."""
    return _QUOTED.sub(lambda m: "" if _customers(m.group(1).strip(), message) else m.group(0), sentence)


_A_NOT_A = re.compile(r"(可|能|会|是|有|要)[不没]\1")


def _customers(quote: str, message: str) -> bool:
    return quote in message or _A_NOT_A.sub(r"\1", quote) in message


def _answers(part: str, sentences: list[str]) -> bool:
    kinds = claim_kinds(part)
    if kinds:
        return any(kinds & claim_kinds(s) for s in sentences)
    wanted = terms(part)
    return any(overlap(wanted, s) >= RELEVANT_OVERLAP for s in sentences)


# "how much"/"how many" asks for money only when no other noun follows ("how much is it", "how much do I
# pay", "how much per metre"); "how much space/water/notice" asks for an amount of that noun.
_HOW_MUCH_NOUN = re.compile(
    r"\bhow (?:much|many) (?!(?:money|cash|extra|more|is|are|was|were|does|do|did|will|would|should|can|"
    r"could|for|to|per|if|of|on|in|at|it|they|you|i|we|this|that|these|those|the|a|an|altogether|in total)\b)"
    r"(?=[a-z])"
)
# An English word's inflection the kind vocabulary does not list ("cancelling", "cancelled"): its stem.
_INFLECTED = re.compile(r"\b([a-z]{3,}?)(?:([b-df-hj-np-tv-z])\2)?(?:ing|ed)\b")
_MEASURE = re.compile(r"\d\s*(?:mm|cm|m|kg|g|l|公斤|千克|克|厘米|毫米|米)(?![a-z²³])", re.I)
FEE_KINDS = frozenset({"install_fee", "remote_fee", "materials"})  # kinds whose amounts are charges
PHYSICAL_KINDS = frozenset({"size", "spec"})  # a measurement answers either


# "how much is X": the thing priced (up to four words, to the end of the clause).
_PRICED = re.compile(r"\bhow much (?:is|are|for|does|do|would|will) ((?:[^\s?.,!;]+ ?){1,4})")


# "how much does it cost to have <the product> installed": the installation's price, the product named between
_COST_TO_INSTALL = re.compile(
    r"\bhow much (?:does|do|will|would) (?:it|they) cost to (?:have|get)\b[^.?!]{0,50}"
    r"\b(?:install|fitt?|mount)\w*"
)


def _fee_kinds(phrase: str) -> frozenset[str]:
    """The fee kinds a priced phrase names: installing, or a material (pipe, hose, bracket)."""
    kinds = claim_kinds(phrase) & FEE_KINDS
    return kinds | {"install_fee"} if re.match(r"(?:the )?install", phrase) else kinds


def question_kinds(text: str) -> frozenset[str]:
    """The kinds a question asks about, by the engine's vocabulary, with its two-word patterns
    ("how much does installation cost" is an installation-fee question), less price for "how much <noun>"
    ("how much space") and for the price of a fee ("how much is installation": not the product's price)."""
    lowered = _HOW_MUCH_NOUN.sub("how ", text.lower())
    fee_asks: set[str] = set()
    for m in _PRICED.finditer(lowered):
        fees = _fee_kinds(m.group(1))
        if fees:  # "how much is installation / the extra flue pipe": the price of a fee, not the product's
            fee_asks |= fees
            lowered = lowered[: m.start()] + "how" + lowered[m.start() + len("how much") :]
    if _COST_TO_INSTALL.search(lowered):  # "how much does it cost to have the hood installed"
        fee_asks.add("install_fee")
        lowered = _COST_TO_INSTALL.sub("how to install", lowered)
    kinds = set(claim_kinds(lowered)) | fee_asks
    kinds |= {kind for kind, pattern in _PATTERNS if pattern.search(lowered)}
    return frozenset(kinds)


def sentence_kinds(sentence: str) -> frozenset[str]:
    """The kinds a quoted sentence speaks of, English inflections included ("Cancelling the order")."""
    lowered = sentence.lower()
    stemmed = _INFLECTED.sub(lambda m: m.group(1) + (m.group(2) or ""), lowered)
    return claim_kinds(lowered) | claim_kinds(stemmed)


def _relevant(sentence: str, asked_kinds: frozenset[str], parts: list[str]) -> bool:
    """A quoted sentence of an asked kind, or carrying the words of one of the questions (judged per
    question: a message's other questions do not dilute the words of the one it answers). A measurement
    (kg, cm, mm) answers a size or spec question ("how heavy" has no kind word: "Weight: 6.8 kg")."""
    kinds = sentence_kinds(sentence)
    if asked_kinds & kinds:
        return True
    if asked_kinds & PHYSICAL_KINDS and kinds & PHYSICAL_KINDS and _MEASURE.search(sentence):
        return True
    return any(overlap(terms(p), sentence) >= RELEVANT_OVERLAP for p in parts)


def wrong_facts(draft: GeneratedDraft, prep: Prepared, products: list[str]) -> list[dict[str, Any]]:
    """Numbers of the draft that are another product's (or another field's) facts, judged in the scope of
    the case's own products, each with whether compliance flagged it."""
    scope = prep.claims
    if scope is None:
        return []
    judge = ClaimScope(
        scope.index,
        products=products,
        mentions=scope.mentions,
        kinds=scope.kinds,
        free=scope.free,
        names=scope.names,
        named_sizes=scope.named_sizes,
    )
    flagged = [(f.start, f.end) for f in draft.compliance.findings if f.category == "unsupported_claim"]
    norm = normalize(draft.text)
    out: list[dict[str, Any]] = []
    for q in extract(norm.text):
        clause = norm.text[slice(*norm.clause(q.start))]
        sentence = norm.text[slice(*norm.sentence(q.start))]
        verdict = judge.judge(q, clause, sentence)
        if verdict.supported or verdict.reason not in WRONG:
            continue
        start, end = norm.to_original(q.start, q.end)
        out.append(
            {
                "claim": draft.text[start:end],
                "reason": verdict.reason,
                "owner": verdict.other_owner,
                "flagged": any(a < end and start < b for a, b in flagged),
            }
        )
    return out


def score(case: Any, prep: Prepared, draft: GeneratedDraft, first_text_ms: float | None) -> dict[str, Any]:
    """Per-case answer metrics, merged into the runner's case result."""
    wrong = wrong_facts(draft, prep, list(case.expect.products))
    sentences = [s for s in split_sentences(draft.text) if s.strip()]
    quoted = [s for s in sentences if _MARKER.search(s)]
    question = case.message
    asked_kinds = question_kinds(question)
    parts = question_parts(question)
    irrelevant = [
        _MARKER.sub("", s).strip()
        for s in quoted
        if asked_kinds and not _relevant(_MARKER.sub("", s), asked_kinds, [question, *parts])
    ]
    plain = [_unquoted(_MARKER.sub("", s), question) for s in sentences]
    answered = [p for p in parts if _answers(p, plain)] if len(parts) > 1 else []
    return {
        "customer_text": customer_text(draft.text),
        "wrong_facts": wrong,
        "quoted_sentences": len(quoted),
        "irrelevant_sentences": irrelevant,
        "parts": len(parts),
        "answered_parts": len(answered) if len(parts) > 1 else None,
        "customer_text_marks": has_review_marks(customer_text(draft.text)),
        "review_text_labels": strip_labels(draft.text) != draft.text.strip(),
        "repairs": [r.model_dump(exclude_none=True) for r in draft.generator.repairs],
        "first_text_ms": round(first_text_ms, 1) if first_text_ms is not None else None,
    }


def _median(values: list[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    mid = len(ordered) // 2
    return round(ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2, 1)


def summarise(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Headline answer metrics over scored cases (names registered for thresholds and baselines)."""
    ok = [r for r in results if "error" not in r and "wrong_facts" in r]
    quoted = sum(r["quoted_sentences"] for r in ok)
    irrelevant = sum(len(r["irrelevant_sentences"]) for r in ok)
    multi = [r for r in ok if r.get("answered_parts") is not None]
    firsts = [r["first_text_ms"] for r in ok if r.get("first_text_ms") is not None]
    wrong = [w for r in ok for w in r["wrong_facts"]]
    return {
        "wrong_product_facts": len(wrong),
        "wrong_product_unflagged": sum(not w["flagged"] for w in wrong),
        "quoted_sentences": quoted,
        "irrelevant_sentence_rate": round(irrelevant / quoted, 4) if quoted else 0.0,
        "multi_part_cases": len(multi),
        "answered_parts_rate": (
            round(sum(r["answered_parts"] for r in multi) / sum(r["parts"] for r in multi), 4)
            if multi
            else None
        ),
        "customer_text_marks": sum(bool(r["customer_text_marks"]) for r in ok),
        "review_text_labels": sum(bool(r["review_text_labels"]) for r in ok),
        "repairs_total": sum(len(r["repairs"]) for r in ok),
        "first_text_p50_ms": _median(firsts),
    }
