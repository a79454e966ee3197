"""Which product(s) a message is about, with a confidence, and when to ask instead of guessing.

Signals, strongest first: ids and model codes (compared without punctuation or case, so F6033UD3HE finds
F6033-UD3(HE), and a code's leading part finds the codes that start with it), the catalogue's names and
aliases, a capacity or size the customer names (6.6升, 60L, 20W) among the products whose names share the
customer's other words, and the rarer words of product names ("小厨宝", "羽绒服"). A message that names no
product takes the product of the conversation's most recent turn that names one. When several products fit
equally and nothing separates them, the resolution is *ambiguous*: the draft asks which one is meant.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from service.answering.facts import ProductRef, quantities
from service.drafting.text import terms

CODE_MIN = 4  # a squashed code (letters+digits) shorter than this is too ambiguous to match alone
PREFIX_MIN = 4
MAX_ASKED = 3  # products one message may be about
NAME_FLOOR = 0.34  # share of the message's catalogue words a product name must hold to count
TIE = 0.9  # candidates within this share of the best score are equally good
_SQUASH = re.compile(r"[^0-9a-z]")
_ALNUM = re.compile(r"[0-9A-Za-z][0-9A-Za-z()\-./_ ]*[0-9A-Za-z)]|[0-9A-Za-z]")
_MODEL_TOKEN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2,}[ -]?\d{1,4}[A-Za-z]?(?![A-Za-z0-9])")
_SIZE_UNITS = frozenset({"L", "ml", "kg", "g", "W", "inch"})


def squash(text: str) -> str:
    return _SQUASH.sub("", unicodedata.normalize("NFKC", text).lower())


@dataclass(frozen=True)
class Candidate:
    ref: ProductRef
    score: float
    how: str  # request | code | code_prefix | name | size | words | history


@dataclass
class Resolution:
    """The products asked about (best first); ``ambiguous`` holds equally good near-duplicates to ask
    about when the message does not say which one."""

    products: list[ProductRef] = field(default_factory=list)
    confidence: float = 0.0
    how: str = "none"
    ambiguous: list[ProductRef] = field(default_factory=list)
    from_history: bool = False
    unknown: str | None = None  # a model code the customer named that the catalogue does not hold

    @property
    def product_ids(self) -> list[str]:
        return [p.product_id for p in self.products]


class ProductResolver:
    """Built once per fact store (index version): code keys, name words and their rarity."""

    def __init__(self, refs: Sequence[ProductRef], translate: Callable[[str], str] | None = None) -> None:
        self.refs = list(refs)
        self.translate = translate  # English words -> the catalogue's Chinese ones (the glossary)
        self.by_id = {r.product_id: r for r in self.refs}
        self.codes: dict[str, set[str]] = {}
        for r in self.refs:
            for code in (*r.codes, r.product_id):
                key = squash(code)
                if len(key) >= CODE_MIN and re.search(r"\d", key):
                    self.codes.setdefault(key, set()).add(r.product_id)
        self.name_terms: dict[str, set[str]] = {}
        df: dict[str, int] = {}
        for r in self.refs:
            words = {t for t in terms(f"{r.name} {' '.join(r.codes)}") if _useful(t)}
            self.name_terms[r.product_id] = words
            for t in words:
                df[t] = df.get(t, 0) + 1
        n = max(1, len(self.refs))
        self.idf = {t: math.log(1 + n / d) for t, d in df.items()}

    # --- signals ---------------------------------------------------------------------------------
    def _by_code(self, text: str) -> list[Candidate]:
        out: dict[str, Candidate] = {}
        squashed_text = squash(text)
        for key, ids in self.codes.items():
            at = squashed_text.find(key)
            if at >= 0:
                for pid in ids:
                    # in order of mention (the first named product first); a longer key wins a tie
                    score = 1.0 + 0.001 * len(key) - 0.00001 * at
                    if pid not in out or out[pid].score < score:
                        out[pid] = Candidate(self.by_id[pid], score, "code")
        if out:
            # a code inside a longer code (KT-170 in KT-170T) counts only if it also stands alone
            best_len = {pid: c.score for pid, c in out.items()}
            keep = {}
            for pid, cand in out.items():
                longer = [
                    o for o, s in best_len.items() if o != pid and s > cand.score and _contains(o, pid, self)
                ]
                if not longer or _stands_alone(text, pid, self):
                    keep[pid] = cand
            return list(keep.values())
        # a leading part of a code (F6033 for F6033-UD3(HE)): every product whose code starts with it
        for token in _ALNUM.findall(unicodedata.normalize("NFKC", text)):
            key = squash(token)
            if len(key) < PREFIX_MIN or not re.search(r"\d", key) or not re.search(r"[a-z]", key):
                continue
            for code, ids in self.codes.items():
                if code.startswith(key):
                    for pid in ids:
                        out[pid] = Candidate(self.by_id[pid], 0.8, "code_prefix")
        return list(out.values())

    def _by_words(self, text: str) -> list[Candidate]:
        extra = self.translate(text) if self.translate is not None else ""
        asked = [t for t in dict.fromkeys(terms(f"{text} {extra}")) if t in self.idf]
        sizes = [q for q in quantities(text) if q.unit in _SIZE_UNITS]
        if not asked and not sizes:
            return []
        total = sum(self.idf[t] for t in asked)
        out: list[Candidate] = []
        for r in self.refs:
            words = self.name_terms[r.product_id]
            got = sum(self.idf[t] for t in asked if t in words)
            share = got / total if total else 0.0
            size_ok = bool(sizes) and any(
                any(math.isclose(q.value, s.value) and q.unit == s.unit for s in r.sizes) for q in sizes
            )
            if sizes and not size_ok and r.sizes and any(s.unit in {q.unit for q in sizes} for s in r.sizes):
                continue  # the customer named a capacity this product does not have
            if share < NAME_FLOOR and not (size_ok and (share > 0 or not asked)):
                continue
            score = 0.3 + 0.4 * share + (0.25 if size_ok else 0.0)
            out.append(Candidate(r, score, "size" if size_ok else "words"))
        return out

    def candidates(self, text: str) -> list[Candidate]:
        found = {c.ref.product_id: c for c in self._by_words(text)}
        for c in self._by_code(text):
            found[c.ref.product_id] = c
        return sorted(found.values(), key=lambda c: (-c.score, c.ref.product_id))

    def _unknown_model(self, text: str) -> str | None:
        """A code-shaped token whose letters match a product's code but whose digits match none."""
        for m in _MODEL_TOKEN.finditer(unicodedata.normalize("NFKC", text)):
            key = squash(m.group(0))
            letters = re.match(r"[a-z]+", key)
            if not letters or not re.search(r"\d", key) or len(key) < 3:
                continue
            if any(code.startswith(key) or key.startswith(code) for code in self.codes):
                continue
            stem = letters.group(0)
            if len(stem) >= 2 and any(
                code.startswith(stem) and re.match(r"[a-z]+\d", code) for code in self.codes
            ):
                return m.group(0)
        return None

    # --- resolution --------------------------------------------------------------------------------
    def resolve(
        self,
        message: str,
        history: Sequence[str] = (),
        product_ids: Sequence[str] = (),
        context: str | None = None,
    ) -> Resolution:
        """The products of ``message``; then of the agent's ``context`` (the order it describes), then of
        ``history`` (earlier turns, most recent last)."""
        if product_ids:
            refs = [self.by_id[p] for p in dict.fromkeys(product_ids) if p in self.by_id]
            return Resolution(refs, 1.0, "request")
        res = self._resolve_text(message)
        if res.products or res.how == "unknown_model":
            return res
        if context:
            ordered = self._resolve_text(context)
            if ordered.products and (
                not res.ambiguous or set(ordered.product_ids) & {r.product_id for r in res.ambiguous}
            ):
                ordered.how = f"context_{ordered.how}"
                return ordered
        if res.ambiguous:
            return res
        for turn in reversed(list(history)[-6:]):
            earlier = self._resolve_text(turn)
            if earlier.products or earlier.ambiguous:
                earlier.from_history = True
                earlier.confidence *= 0.9
                return earlier
        return res

    def _resolve_text(self, text: str) -> Resolution:
        cands = self.candidates(text)
        exact = sorted((c for c in cands if c.how == "code"), key=lambda c: _first_at(text, c.ref))
        if exact:
            return Resolution([c.ref for c in exact[:MAX_ASKED]], 1.0, "code")
        unknown = self._unknown_model(text)
        if unknown:
            # a sibling code we do not sell (Air 3 beside Air 2): no product's facts are its facts
            return Resolution([], 0.0, "unknown_model", unknown=unknown)
        if not cands:
            return Resolution()
        best = cands[0].score
        top = [c for c in cands if c.score >= TIE * best]
        if len(top) == 1:
            return Resolution([top[0].ref], min(0.95, best), top[0].how)
        if cands[0].how == "code_prefix" and len(top) <= MAX_ASKED:
            return Resolution([], best, "code_prefix", ambiguous=[c.ref for c in top])
        # several products fit equally: a customer naming two (20W vs 65W) gets both, one naming a
        # family (小厨宝) is asked which one
        named = [c for c in top if c.how == "size"]
        if len(named) >= 2 and len(named) <= MAX_ASKED:
            return Resolution([c.ref for c in named], best, "size")
        return Resolution([], best, top[0].how, ambiguous=[c.ref for c in top])


def _first_at(text: str, ref: ProductRef) -> int:
    """Where a product's code or id is first named in the text (squashed), for mention order."""
    squashed = squash(text)
    spots = [squashed.find(squash(c)) for c in (*ref.codes, ref.product_id) if len(squash(c)) >= CODE_MIN]
    found = [s for s in spots if s >= 0]
    return min(found) if found else len(squashed)


def _useful(term: str) -> bool:
    if len(term) < 2:
        return False
    if term.isdigit():
        return False
    return not re.fullmatch(r"[\d.]+[a-z]*", term)  # 60l, 3300w: sizes are matched as quantities


def _contains(longer_pid: str, pid: str, resolver: ProductResolver) -> bool:
    long_keys = [k for k, ids in resolver.codes.items() if longer_pid in ids]
    keys = [k for k, ids in resolver.codes.items() if pid in ids]
    return any(k in lk and k != lk for k in keys for lk in long_keys)


def _stands_alone(text: str, pid: str, resolver: ProductResolver) -> bool:
    """A product's own code appears in the text not followed by more letters/digits (KT-170 vs KT-170T)."""
    squashed = squash(text)
    for key, ids in resolver.codes.items():
        if pid not in ids:
            continue
        for m in re.finditer(re.escape(key), squashed):
            longer = [
                k for k, kids in resolver.codes.items() if pid not in kids and k.startswith(key) and k != key
            ]
            if not any(squashed.startswith(k, m.start()) for k in longer):
                return True
    return False
