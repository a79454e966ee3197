"""Does a message ask what a kept question asked? The checks after similarity and scope.

Two short questions about one product read alike to an embedding when they differ in one attribute: the
60-litre or the 80-litre model, error E2 or E4, the price or the warranty. A verified answer to one is
wrong for the other, so a match must also agree on:

- quantities: a number with a unit named on both sides (60升 / 80升, 2500W, 3 年) must be the same;
- display and error codes: a short code on each side (E2, F003) that the other side does not contain;
- the kinds of fact asked (price, warranty, gift ..., service.answering.kinds): when both sides ask for a
  kind, they must share one.

One side naming something the other leaves out is no conflict: a paraphrase often drops words the product
scope already pins down (its capacity, its code).
"""

from __future__ import annotations

import re
import unicodedata

from service.answering.facts import quantities
from service.answering.questions import kinds_of

# A short code standing alone (E2, F003, C4, E-04): how devices report faults and states.
_SHORT_CODE = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{1,2}-?\d{1,4}(?![A-Za-z0-9])")
# A model-like token (letters and digits mixed): removed before classifying what is asked, so a product
# code such as M10 or UD3 is not read as a fault code.
_MODEL_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-()./]*")
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


def _codes(text: str) -> set[str]:
    return {_squash(m.group(0)) for m in _SHORT_CODE.finditer(_norm(text))}


def _asked_kinds(text: str) -> set[str]:
    plain = _MODEL_TOKEN.sub(
        lambda m: " " if re.search(r"\d", m.group(0)) and re.search(r"[A-Za-z]", m.group(0)) else m.group(0),
        _norm(text),
    )
    return set(kinds_of(plain))


def disagreement(question: str, message: str) -> str | None:
    """Why ``message`` asks something other than ``question`` ("quantity", "code", "kind"), or None."""
    a, b = _measures(question), _measures(message)
    if any(a[unit] != b[unit] for unit in a.keys() & b.keys()):
        return "quantity"
    sq, sm = _squash(question), _squash(message)
    only_q = {c for c in _codes(question) if c not in sm}
    only_m = {c for c in _codes(message) if c not in sq}
    if only_q and only_m:
        return "code"
    kq, km = _asked_kinds(question), _asked_kinds(message)
    if kq and km and not kq & km:
        return "kind"
    return None
