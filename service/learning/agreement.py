"""Does a message ask what a kept question asked? The checks after similarity and scope.

Two short questions about one product read alike to an embedding when they differ in one attribute: the
60-litre or the 80-litre model, error E2 or E4, the price or the warranty. A verified answer to one is
wrong for the other, so a match must also agree on:

- quantities: a number with a unit named on both sides (60升 / 80升, 2500W, 3 年) must be the same;
- display and error codes: a short code on each side (E2, F003) that the other side does not contain;
- the kinds of fact asked, among those whose answers differ outright (price, warranty, installation fee,
  gift, stock, invoice; service.answering.kinds): when both sides ask for one, they must share one. The
  broad kinds (spec, fault, usage, shipping ...) are left out: their words show up in any after-sales
  message ("stopped charging" reads as spec, "坏了" as fault) and would part true paraphrases;
- without a product scope (the resolver found none on either side), the model names: a code such as UD5
  or F6033 on one side that the other does not contain means another product, or a specific product
  against a general answer.

One side naming something the other leaves out is no conflict: a paraphrase often drops words the product
scope already pins down (its capacity, its code).
"""

from __future__ import annotations

import re
import unicodedata

from service.answering.facts import quantities
from service.answering.questions import kinds_of
from service.answering.resolve import short_codes
from service.drafting.intent import INTENTS, KEYWORDS

# A model-like token (letters and digits mixed): removed before classifying what is asked, so a product
# code such as M10 or UD3 is not read as a fault code.
_MODEL_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-()./]*")
# A model name: starts with a letter, or has a letter followed by a digit (UD5, F6033, 8033JE6); not a
# number with its unit (60L, 2500W).
_MODEL_NAME = re.compile(r"(?<![A-Za-z0-9])(?=[A-Za-z0-9-]*[A-Za-z]-?\d)[A-Za-z0-9][A-Za-z0-9-]*")
OTHER = "other"  # the intent detector's "no type found"
DISTINCT_KINDS = frozenset({"price", "warranty", "install_fee", "gift", "stock", "invoice"})
_SQUASH = re.compile(r"[\s\-_()./]+")


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def _squash(text: str) -> str:
    return _SQUASH.sub("", _norm(text).lower())


def _measures(text: str) -> dict[str, set[float]]:
    """Values per unit; bare numbers (no unit) say nothing about which attribute they are."""
    out: dict[str, set[float]] = {}
    for q in quantities(_norm(text)):
        if q.unit:
            out.setdefault(q.unit, set()).add(q.value)
    return out


def _asked_kinds(text: str) -> set[str]:
    plain = _MODEL_TOKEN.sub(
        lambda m: " " if re.search(r"\d", m.group(0)) and re.search(r"[A-Za-z]", m.group(0)) else m.group(0),
        _norm(text),
    )
    return set(kinds_of(plain)) & DISTINCT_KINDS


def intents_of(text: str, detected: str) -> set[str]:
    """Every question type whose words ``text`` contains, with the one detected for it (its label).

    One label per message is brittle: "还没发货，能改成L码吗" is labelled shipping by 发货 and its
    paraphrase "还没发货，可以换成L码吗" exchange by 换成. Two questions are compatible when their sets
    overlap (or either has no type), so the mention of shipping no longer parts them."""
    lowered = _norm(text).lower()
    found = {detected}
    for intent in INTENTS:
        for word in KEYWORDS.get(intent, ()):
            if (
                re.search(rf"(?<![a-z]){re.escape(word)}(?![a-z])", lowered)
                if word.isascii()
                else word in lowered
            ):
                found.add(intent)
                break
    return found


def intents_conflict(a: set[str], b: set[str]) -> bool:
    return OTHER not in a and OTHER not in b and not a & b


def _models(text: str) -> set[str]:
    return {_squash(m.group(0)) for m in _MODEL_NAME.finditer(_norm(text))}


def disagreement(question: str, message: str, *, scoped: bool = True) -> str | None:
    """Why ``message`` asks something other than ``question`` ("quantity", "code", "kind", "model"), or
    None. ``scoped``: both sides resolved to the same products (else model names are compared here)."""
    a, b = _measures(question), _measures(message)
    if any(a[unit] != b[unit] for unit in a.keys() & b.keys()):
        return "quantity"
    sq, sm = _squash(question), _squash(message)
    only_q = {c for c in short_codes(question) if c not in sm}
    only_m = {c for c in short_codes(message) if c not in sq}
    if only_q and only_m:
        return "code"
    kq, km = _asked_kinds(question), _asked_kinds(message)
    if kq and km and not kq & km:
        return "kind"
    if not scoped and (
        any(t not in sm for t in _models(question)) or any(t not in sq for t in _models(message))
    ):
        return "model"
    return None
