"""Which product(s) a message is about, with a confidence, and when to ask instead of guessing.

Signals, strongest first: a product id in the message (decisive: the customer copied it from the listing),
model codes (compared without punctuation or case, so F6033UD3HE finds F6033-UD3(HE), and a code's leading
part finds the codes that start with it), the Latin-letter tokens of product names (UDproS is not UDpro),
the catalogue's names and aliases, a capacity or size the customer names (6.6升, 60L, 20W) among the
products whose names share the customer's other words, and the rarer words of product names ("小厨宝",
"羽绒服"). Whatever finds several products, the attributes the message names narrow them: a capacity or
size, and the name words that some of them hold and others do not (天然气 / 液化气). A message that names no
product takes the product of the conversation's most recent turn that names one; so does a message whose
only clue is a word of another product's name that the earlier product's own sheet also uses ("橱柜" about a
dishwasher). When several products fit equally and nothing separates them, the resolution is *ambiguous*:
the draft asks which one is meant.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from service.answering.facts import ProductRef, Quantity, quantities
from service.answering.kinds import VOCABULARY
from service.answering.questions import POLICY_KINDS
from service.drafting.text import EN_STOP, terms

CODE_MIN = 4  # a squashed code (letters+digits) shorter than this is too ambiguous to match alone
PREFIX_MIN = 4
SHEET_CODE_MIN = 6  # a squashed code this long that only a sheet's text states names that product
PART_MIN = 3  # a code segment this long (UD3, RW7) names a series
MAX_ASKED = 3  # products one message may be about
MAX_NEAR = 6  # near-duplicates a token may leave to ask about; more and the name words decide
NAME_FLOOR = 0.34  # share of the message's catalogue words a product name must hold to count
TIE = 0.9  # candidates within this share of the best score are equally good
_SQUASH = re.compile(r"[^0-9a-z]")
_CODE_WORD = re.compile(r"[0-9A-Za-z][0-9A-Za-z()\-./_]*[0-9A-Za-z)]")  # one word, no spaces
_ALNUM = re.compile(r"[0-9A-Za-z][0-9A-Za-z()\-./_ ]*[0-9A-Za-z)]|[0-9A-Za-z]")
_CODE_PART = re.compile(
    r"(?<![A-Za-z0-9])[A-Za-z0-9]*(?:[A-Za-z]\d|\d[A-Za-z])[A-Za-z0-9]*(?:\s?(?:pro|max|ultra|plus)\b)?",
    re.IGNORECASE,
)
_MODEL_TOKEN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2,}[ -]?\d{1,4}[A-Za-z]?(?![A-Za-z0-9])")
# a single-letter model token with a suffix (Q5S, X6S): a model, unlike a fault code (E1, F003)
_LETTER_MODEL = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]\d{1,3}[A-Za-z]{1,2}(?![A-Za-z0-9])")
# a series after a code's size digits (LN5 of JSLQ27-16LN5, UD9 of F6033UD9)
_INNER_SERIES = re.compile(r"(?<=\d)[A-Za-z]{2,}\d{1,4}[A-Za-z]?(?![A-Za-z0-9])")
# a model part with an edition word after it ("M10 Ultra", "X6 Pro", "M9S Plus")
_EDITIONED = re.compile(
    r"(?<![A-Za-z0-9])([A-Za-z]*\d[A-Za-z0-9]*)[\s-]?(pro|max|ultra|plus|mini|lite)(?![A-Za-z0-9])", re.I
)
_SIZE_UNITS = frozenset({"L", "ml", "kg", "g", "W", "inch"})
# Units in which one model is sold in several variants (6.6升/7.6升, 60L/80L, 55英寸): a variant the customer
# names that the model is not sold in is a product we do not sell. Weight and power are specs, not variants.
_VARIANT_UNITS = frozenset({"L", "ml", "inch"})
# a capacity names a variant when it qualifies the product ("13升的", "80L版", "Q5S 80升", "20升GH22") or is
# asked for ("有80升的吗", "in 80 litres"); not an amount used or heated ("每次用50升", "加热两升水得几分钟")
_VARIANT_AFTER = re.compile(
    r"^\s*(?:的|款|型|版|规格|装|(?i:version|model|one\b|size\b)|[A-Za-z]+\d|[A-Z]{2})"
)
_VARIANT_BEFORE = re.compile(r"(?:\b[A-Za-z]*(?:\d|[A-Z]{2})[A-Za-z0-9]*[)）]?|有|\b(?i:in|a))\s*$")
_USE_AMOUNT = re.compile(r"(?:用|出水|每次|每分钟|够|per|use[sd]?)\s*$", re.IGNORECASE)
# a garment or nappy size as shops write it (M码, XL码): an attribute that tells near-duplicates apart
_LETTER_SIZE = re.compile(r"(?<![A-Za-z])([2-5]?X{0,3}[SML])\s*码", re.IGNORECASE)
# a comparison with another product: "比X贵/好/大…", "跟/和/与X比", "对比", "相比", "than", "compared to",
# "vs" (a follow-up comparing the product the conversation is about with another one)
_COMPARED = re.compile(
    r"(?<!性价)(?<!无)比(?!较|如|例|方|赛)|对比|相比"
    r"|(?:跟|和|与|同).{1,16}?(?:比|相比|对比|一样|相同|区别|差别|差多少)"
    r"|\bthan\b|\bcompared?\s+(?:to|with)\b|\bvs\.?\b|\bversus\b|\bsame as\b|\bdifference\b",
    re.IGNORECASE,
)
# a feature ruled out: "不带温控的", "没有烘干功能的", "无水箱那款"
_NEGATED = re.compile(r"(?:不带|没带|没有|不含|不要|无)([\u4e00-\u9fff]{2,4}?)(?:的|功能|那|款|版|型|$)")
# General words a customer says for any of several specific ones a name may hold instead ("12升燃气热水器"
# fits a "液化气煤气热水器" as much as a "燃气热水器 天然气"): the specific word tells them apart, the general
# one does not.
_HYPERNYMS: dict[str, frozenset[str]] = {"燃气": frozenset({"天然气", "液化气", "煤气", "液化石油气"})}
# the model a part or accessory fits, as its name says it ("适配TB-3", "适用于X6", "for KT-170")
_FITS = re.compile(
    r"(?:适配|适用于?|兼容|专用于|(?i:\bfor\b|\bfits\b))\s*([A-Za-z][A-Za-z0-9\-]*\d[A-Za-z0-9\-]*)"
)
# "the plain one" of a model sold also as Pro/Max/Ultra
_PLAIN = re.compile(
    r"普通款|普通版|标准款|标准版|基础款|基础版|\b(?:standard|basic|regular) (?:model|version|edition)\b",
    re.I,
)
_EDITIONS = frozenset({"pro", "max", "ultra", "plus", "mini", "lite", "se"})
ID_MIN = 6  # a digit run this long that equals a product id is that product's id
_DIGITS = re.compile(rf"(?<!\d)\d{{{ID_MIN},}}(?!\d)")
_LATIN = re.compile(r"[0-9a-z]+")
# Nouns any product's name may hold that name no product ("换货有什么要求？什么商品都能换吗"); 同款 ("the same
# item", "别的平台同款更便宜") points at a product without naming it, though a name may hold it ("男女同款").
_GENERIC = frozenset({"商品", "产品", "宝贝", "东西", "货品", "型号", "款式", "同款"})
# The words of the store's rules (会员, 发票, 退货 ...): a product whose name holds one ("电子书会员年卡")
# is not what "金卡会员需要消费多少" or "when do my points show up" is about unless another word of its
# name is said.
_RULE_WORDS = frozenset(w for k in POLICY_KINDS if k in VOCABULARY for w in VOCABULARY[k][0] if len(w) >= 2)
# The words of a product question's topic (安装, 保修, 价格): a name holding one ("…免安装", "【8年质保】")
# is not what "do you charge for installation?" is about unless another word of its name is said.
_TOPIC_WORDS = frozenset(
    {"安装", "保修", "质保", "价格"}
    | {w for k in ("install_fee", "warranty", "price", "stock") for w in VOCABULARY[k][0] if len(w) >= 2}
)
# How a resolution found its products; "words" alone is the weakest (an earlier turn's product may win).
STRONG = frozenset({"request", "id", "code", "token", "code_prefix", "size", "name", "sheet_code"})


def squash(text: str) -> str:
    return _SQUASH.sub("", unicodedata.normalize("NFKC", text).lower())


# A short code standing alone (E2, F003, C4, E-04): how devices report faults and states.
_SHORT_CODE = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{1,2}-?\d{1,4}(?![A-Za-z0-9])")


def short_codes(text: str) -> set[str]:
    """The fault or state codes a text names, squashed (E-04 and e04 are one code)."""
    return {squash(m.group(0)) for m in _SHORT_CODE.finditer(unicodedata.normalize("NFKC", text))}


@dataclass(frozen=True)
class Candidate:
    ref: ProductRef
    score: float
    how: str  # request | id | code | token | code_prefix | name | size | words | history


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
    matched: tuple[str, ...] = ()  # the name words a "words" resolution rests on

    @property
    def product_ids(self) -> list[str]:
        return [p.product_id for p in self.products]


class ProductResolver:
    """Built once per fact store (index version): code keys, name words and their rarity."""

    def __init__(
        self,
        refs: Sequence[ProductRef],
        translate: Callable[[str], str] | None = None,
        sheets: Mapping[str, str] | None = None,
        alternatives: Callable[[str], list[tuple[str, ...]]] | None = None,
    ) -> None:
        self.refs = list(refs)
        self.translate = translate  # English words -> the catalogue's Chinese ones (the glossary)
        # per English phrase its Chinese alternatives ("charger" -> 充电器 / 快充): one word of the
        # customer's, held by a name through any one of them (else the glossary's translate alone)
        self.alternatives = alternatives
        self.sheets = sheets or {}  # product id -> the text of its own facts (for follow-ups)
        self._squashed_sheets: dict[str, str] | None = None
        self.by_id = {r.product_id: r for r in self.refs}
        self.codes: dict[str, set[str]] = {}
        for r in self.refs:
            for code in (*r.codes, r.product_id, *_spaced_codes(r)):
                key = squash(code)
                if len(key) >= CODE_MIN and re.search(r"\d", key):
                    self.codes.setdefault(key, set()).add(r.product_id)
        # the segments of each code (F6033-UD3(HE) -> f6033, ud3, he), for a customer naming only its series
        self.segments: dict[str, set[str]] = {}
        for r in self.refs:
            for code in r.codes:
                parts = {squash(p) for p in re.split(r"[-()\s/_]+", code) if p}
                # a series named after a size prefix inside one segment (16LN7 -> LN7, 20CB5 -> CB5)
                parts |= {m.group(0) for p in list(parts) for m in re.finditer(r"(?<=\d)[a-z]+\d+[a-z]*", p)}
                self.segments[squash(code)] = {p for p in parts if len(p) >= PART_MIN}
        self.name_terms: dict[str, set[str]] = {}
        df: dict[str, int] = {}
        for r in self.refs:
            words = {t for t in _words(f"{r.name} {' '.join(r.codes)}") if _useful(t)}
            # a name saying the specific kind (液化气) holds the general word a customer says (燃气)
            words |= {general for general, kinds in _HYPERNYMS.items() if words & kinds}
            self.name_terms[r.product_id] = words
            for t in words:
                df[t] = df.get(t, 0) + 1
        n = max(1, len(self.refs))
        self.idf = {t: math.log(1 + n / d) for t, d in df.items()}
        # the Latin-letter tokens of each name and code, compared whole (udpros is not udpro)
        self.tokens: dict[str, set[str]] = {
            r.product_id: {
                *latin_tokens(r.name),
                *_spaced(r.name),
                *(t for c in r.codes for t in latin_tokens(c)),
                *(squash(c) for c in r.codes),
            }
            for r in self.refs
        }
        # each product's name and codes squashed: whether a model with an edition ("M10 Ultra") is ours
        self._held = [squash(f"{r.name} {' '.join(r.codes)}") for r in self.refs]

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
        # a part of a code (F6033 or UD3 or 6032RW7 for F6033-UD3(HE) / F6032-RW7(HE)): every product whose
        # code holds it, narrowed by a capacity the message names (RW7 60升)
        sizes = [q for q in quantities(text) if q.unit in _SIZE_UNITS]
        for token in _CODE_PART.findall(unicodedata.normalize("NFKC", text)):
            key = squash(token)
            if len(key) < PART_MIN or not re.search(r"\d", key) or not re.search(r"[a-z]", key):
                continue
            for code, ids in self.codes.items():
                if (
                    code.startswith(key)
                    or (len(key) >= PREFIX_MIN and key in code)
                    or key in self.segments.get(code, ())
                ):
                    for pid in ids:
                        ref = self.by_id[pid]
                        fits = not sizes or any(
                            math.isclose(q.value, s.value) and q.unit == s.unit
                            for q in sizes
                            for s in ref.sizes
                        )
                        if fits:
                            out[pid] = Candidate(ref, 0.8, "code_prefix")
        return list(out.values())

    def _asked(self, text: str) -> tuple[list[str], list[list[frozenset[str]]]]:
        """The catalogue words a message names: its own and the translated ones, and the groups of
        alternatives one English word translates to (one word, however many Chinese terms it has)."""
        groups = [
            [frozenset(t for t in _words(alt) if _useful(t)) for alt in alts]
            for alts in (self.alternatives(text) if self.alternatives is not None else [])
        ]
        grouped = {t for group in groups for alt in group for t in alt}
        extra = self.translate(text) if self.translate is not None else ""
        plain = [t for t in dict.fromkeys([*_words(text), *_words(extra)]) if t not in grouped]
        return plain, [[alt for alt in group if alt] for group in groups if any(group)]

    def _by_words(self, text: str) -> list[Candidate]:
        negated = _negated(text)
        plain, groups = self._asked(text)
        keep = {t for t in self.idf if t not in _GENERIC and t not in negated}
        asked = [t for t in plain if t in keep]
        alts = [g for g in ([alt & keep for alt in group] for group in groups) if any(g)]
        sizes = [q for q in quantities(text) if q.unit in _SIZE_UNITS]
        if not asked and not alts and not sizes:
            return []
        total = sum(self.idf[t] for t in asked) + sum(
            max(sum(self.idf[t] for t in alt) for alt in group) for group in alts
        )
        said = [*asked, *(t for group in alts for alt in group for t in alt)]
        out: list[Candidate] = []
        for r in self.refs:
            words = self.name_terms[r.product_id]
            got = sum(self.idf[t] for t in asked if t in words) + sum(
                max(sum(self.idf[t] for t in alt if t in words) for alt in group) for group in alts
            )
            share = got / total if total else 0.0
            size_ok = bool(sizes) and any(
                any(math.isclose(q.value, s.value) and q.unit == s.unit for s in r.sizes) for q in sizes
            )
            if sizes and not size_ok and r.sizes and any(s.unit in {q.unit for q in sizes} for s in r.sizes):
                continue  # the customer named a capacity this product does not have
            if share < NAME_FLOOR and not (size_ok and (share > 0 or not said)):
                continue
            if not size_ok and all(t in _RULE_WORDS or t in _TOPIC_WORDS for t in said if t in words):
                continue  # only a word of the store's rules (or of the asked topic) names it
            score = 0.3 + 0.4 * share + (0.25 if size_ok else 0.0) - (0.2 if words & negated else 0.0)
            out.append(Candidate(r, score, "size" if size_ok else "words"))
        return out

    def candidates(self, text: str) -> list[Candidate]:
        found = {c.ref.product_id: c for c in self._by_words(text)}
        for c in self._by_code(text):
            found[c.ref.product_id] = c
        return sorted(found.values(), key=lambda c: (-c.score, c.ref.product_id))

    def _stated_code(self, text: str) -> list[ProductRef]:
        """The products whose own sheet (not only their name) states a code-shaped token of the message
        that no name or code holds: one to MAX_ASKED of them, else none."""
        if not self.sheets:
            return []
        if self._squashed_sheets is None:
            self._squashed_sheets = {pid: squash(t) for pid, t in self.sheets.items()}
        for m in _CODE_WORD.finditer(unicodedata.normalize("NFKC", text)):
            key = squash(m.group(0))
            if len(key) < SHEET_CODE_MIN or not re.search(r"\d", key) or not re.search(r"[a-z]{2}", key):
                continue
            if any(key in code for code in self.codes):
                continue  # a code of a name (or a part of one): the code signals decide
            found = [pid for pid, sheet in self._squashed_sheets.items() if key in sheet]
            if 0 < len(found) <= MAX_ASKED:
                return [self.by_id[p] for p in found if p in self.by_id]
        return []

    def _unknown_model(self, text: str) -> tuple[str, list[ProductRef]] | None:
        """A code-shaped token whose letters match a product's code, a series inside one (QD5xx of
        JZT-QD529, UD9 beside F6033-UD3) or a model token of a name (Q7S beside Q5S), but whose digits
        match none: the token and the sold models of that series (to offer instead)."""
        normal = unicodedata.normalize("NFKC", text)
        found = [
            *_MODEL_TOKEN.finditer(normal),
            *_LETTER_MODEL.finditer(normal),
            *_INNER_SERIES.finditer(normal),
        ]
        for m in found:
            key = squash(m.group(0))
            letters = re.match(r"[a-z]+", key)
            if not letters or not re.search(r"\d", key) or len(key) < 3:
                continue
            if any(code.startswith(key) or key.startswith(code) for code in self.codes):
                continue
            if any(key in parts for parts in self.segments.values()):
                continue  # a series of ours named alone (LN7 of JSLQ27-16LN7)
            if any(key in toks for toks in self.tokens.values()):
                continue  # a model token of a name (Q5S)
            stem = letters.group(0)
            tail = key[len(stem) :].lstrip("0123456789")  # the suffix after the digits (Q7S -> s)
            if len(stem) < 2 and not tail:
                continue  # E1, F3: a fault or state code, not a model
            shape = re.compile(rf"{re.escape(stem)}\d+{re.escape(tail)}" + ("" if tail else r"[a-z]*"))
            siblings = [r for r in self.refs if any(shape.fullmatch(t) for t in self._model_parts(r))]
            offer = siblings if len(siblings) <= MAX_ASKED else []
            if siblings or (
                len(stem) >= 2
                and any(code.startswith(stem) and re.match(r"[a-z]+\d", code) for code in self.codes)
            ):
                return m.group(0), offer
        return None

    def _model_parts(self, ref: ProductRef) -> set[str]:
        """A product's code segments and name tokens (the parts a customer names a series by)."""
        parts = {p for code in ref.codes for p in self.segments.get(squash(code), ())}
        return parts | self.tokens[ref.product_id]

    def _unsold_edition(self, text: str, res: Resolution) -> Resolution | None:
        """A model named with an edition no product of ours has ("M10 Ultra" beside M10 Pro and M10 Max,
        "X6 Pro" beside X6Max): a model we do not sell, never a sibling edition's facts; the products
        the model part found are offered instead."""
        if res.how in ("id", "request", "unknown_model", "sheet_code"):
            return None  # (a code the product's own sheet states is that product, edition and all)
        held = self._held
        normal = unicodedata.normalize("NFKC", text)
        unheld = [
            m
            for m in _EDITIONED.finditer(normal)
            if not any(squash(m.group(1) + m.group(2)) in h for h in held)
        ]
        rest = squash(_cut(normal, unheld))
        for m in unheld:
            model = squash(m.group(1))
            if len(model) < 2 or not any(re.search(re.escape(model) + r"(?!\d)", h) for h in held):
                continue  # a model we do not know at all: the other signals decide
            if model in rest:
                continue  # also named alone ("my MK6 … swap it for an MK6 Pro"): that one is asked about
            # the editions we do sell of that model, to offer instead
            part = re.compile(re.escape(model) + r"(?!\d)")
            found = [r for r, h in zip(self.refs, held, strict=True) if part.search(h)]
            offer = found if len(found) <= MAX_ASKED else []
            return Resolution([], 0.9, "unknown_model", ambiguous=offer, unknown=m.group(0).strip())
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
        compared = self._compared_with_earlier(message, history, res)
        if compared is not None:
            return compared
        if res.how in ("unknown_model", "unsold_size") or (res.products and res.how in STRONG):
            return res
        if context:
            ordered = self._resolve_text(context)
            if ordered.products and (
                self._sheet_says(ordered.product_ids, res.matched)
                if res.products
                else not res.ambiguous or set(ordered.product_ids) & {r.product_id for r in res.ambiguous}
            ):
                ordered.how = f"context_{ordered.how}"
                return ordered
        earlier = self._earlier(history)
        if res.products:
            # only name words: a follow-up stays with the earlier product when its own sheet uses them
            if (
                earlier is not None
                and earlier.products
                and self._sheet_says(earlier.product_ids, res.matched)
            ):
                return earlier
            return res
        if res.ambiguous:
            # near-duplicates, one of which an earlier turn named: that one
            if earlier is not None and earlier.products:
                asked = {r.product_id for r in res.ambiguous}
                if set(earlier.product_ids) <= asked:
                    return earlier
            return res
        return earlier if earlier is not None else res

    def _compared_with_earlier(
        self, message: str, history: Sequence[str], res: Resolution
    ) -> Resolution | None:
        """A follow-up that holds the earlier turn's product up against another ("比KT-150贵多少？这个保修
        多久", "跟60升那款比，这个…", "how does it compare with the 65W one"): the product the conversation is
        about stays the one asked about, first; the other one joins when the message names it clearly, and
        is dropped when it only names a family (the comparison is no question about that family)."""
        if not history or not _COMPARED.search(message):
            return None
        if res.how in ("id", "request"):
            return None
        earlier = self._earlier(history)
        if earlier is None or not earlier.products:
            return None
        mine = earlier.product_ids
        named = [r for r in res.products if r.product_id not in mine]
        if not named and not res.ambiguous and res.products:
            return None  # the message names the earlier product itself
        out = [*earlier.products, *named][:MAX_ASKED]
        return Resolution(out, earlier.confidence, "history", from_history=True)

    def _earlier(self, history: Sequence[str]) -> Resolution | None:
        """The products of the most recent earlier turn that names one (or asks between some)."""
        for turn in reversed(list(history)[-6:]):
            earlier = self._resolve_text(turn)
            if earlier.products or earlier.ambiguous:
                earlier.from_history = True
                earlier.confidence *= 0.9
                return earlier
        return None

    def _resolve_text(self, text: str) -> Resolution:
        res = self._resolve_named(text)
        return self._unsold_size(text, res) or self._unsold_edition(text, res) or self._with_host(text, res)

    def _with_host(self, text: str, res: Resolution) -> Resolution:
        """A part or accessory whose name says the model it fits ("替换刷头（适配TB-3）"), found beside that
        model's own code in the message (a question about the TB-3 and the price of its heads): the model
        is asked about too, so each figure is said with the name of the product it belongs to (the part's
        price is not "this one's" price)."""
        if len(res.products) != 1 or res.how in ("id", "request"):
            return res
        part = res.products[0]
        said = squash(text)
        hosts: list[ProductRef] = []
        for m in _FITS.finditer(unicodedata.normalize("NFKC", part.name)):
            key = squash(m.group(1))
            if len(key) < 2 or key not in said:
                continue
            hosts += [
                r
                for r in self.refs
                if r.product_id != part.product_id and any(squash(c) == key for c in r.codes)
            ]
        if not hosts or len(hosts) >= MAX_ASKED:
            return res
        found = sorted([*dict.fromkeys(hosts), part], key=lambda r: _first_at(text, r))
        return Resolution(found, res.confidence, res.how, matched=res.matched)

    def _unsold_size(self, text: str, res: Resolution) -> Resolution | None:
        """A capacity the named model is not sold in ("13升的M9S Max", "小厨宝有10升的吗"): the products
        the message names without that capacity, to say the size is not sold and ask which one, never
        another size's facts. Only when every such product states its capacity in that unit and none
        matches (a name stating no capacity may still be the one)."""
        if res.how in ("id", "request", "unknown_model"):
            return None
        sizes = [q for q in quantities(text) if q.unit in _VARIANT_UNITS and _names_variant(text, q)]
        if not sizes:
            return None
        found = res.products or res.ambiguous
        if not found:
            plain = text
            for q in sizes:
                plain = plain.replace(q.text, " ")
            rest = self._resolve_named(plain)
            found = rest.products or rest.ambiguous
        units = {q.unit for q in sizes}
        if not found or len(found) > MAX_ASKED:
            return None
        if not all(any(s.unit in units for s in r.sizes) for r in found):
            return None
        if any(_same_size(q, s) for r in found for q in sizes for s in r.sizes):
            return None
        return Resolution([], res.confidence or 0.5, "unsold_size", ambiguous=found, unknown=sizes[0].text)

    def _resolve_named(self, text: str) -> Resolution:
        ids = self._by_id(text)
        if ids:
            return Resolution(ids[:MAX_ASKED], 1.0, "id")
        cands = self.candidates(text)
        exact = sorted((c for c in cands if c.how == "code"), key=lambda c: _first_at(text, c.ref))
        if exact:
            found = [c.ref for c in exact]
            return self._settle(text, found + self._spelled_apart(text, found), "code", 1.0)
        stated = self._stated_code(text)
        if stated:
            # a model code the name does not carry but the product's own sheet states (a listing titled
            # by its series, "…UDpro…", whose description says F8033-UDpro)
            return self._settle(text, stated, "sheet_code", 0.9)
        unknown = self._unknown_model(text)
        if unknown:
            # a sibling code we do not sell (Air 3 beside Air 2): no product's facts are its facts
            return Resolution([], 0.9, "unknown_model", ambiguous=unknown[1], unknown=unknown[0])
        by_tokens = self._by_tokens(text)
        if by_tokens:
            return by_tokens
        if not cands:
            return Resolution()
        best = cands[0].score
        top = [c for c in cands if c.score >= TIE * best]
        if len(top) == 1:
            how = top[0].how
            matched = self._matched(text, top[0].ref) if how == "words" else ()
            return Resolution([top[0].ref], min(0.95, best), how, matched=matched)
        if cands[0].how == "code_prefix" and len(top) <= MAX_ASKED:
            return Resolution([], best, "code_prefix", ambiguous=[c.ref for c in top])
        if len(top) <= MAX_NEAR:
            # near-duplicates the name words fit equally: the attributes named may tell them apart
            narrowed = self._narrow(text, [c.ref for c in top])
            if len(narrowed) == 1:
                how = next(c.how for c in top if c.ref is narrowed[0])
                return Resolution(narrowed, min(0.95, best), how, matched=self._matched(text, narrowed[0]))
            if self._named_apart(text, narrowed):
                return Resolution(narrowed, best, "size")
        # several products fit equally: a customer naming two (20W vs 65W) gets both, one naming a
        # family (小厨宝) is asked which one
        # (a size several of them share names none of them: "1.7升的电水壶" beside two 1.7 L kettles is
        # a question about one of them, asked which, not about both)
        named = [c for c in top if c.how == "size"]
        if 2 <= len(named) <= MAX_ASKED and self._sizes_apart(text, [c.ref for c in named]):
            return Resolution([c.ref for c in named], best, "size")
        if top[0].how == "words" and len(top) > max(MAX_NEAR, len(self.refs) // 2):
            # words most of the catalogue shares (the brand: "你们有美的空调吗") name no family to ask about
            return Resolution()
        return Resolution([], best, top[0].how, ambiguous=[c.ref for c in top])

    def _by_id(self, text: str) -> list[ProductRef]:
        """Products whose id the message quotes: decisive over every model code beside it."""
        found = [m.group(0) for m in _DIGITS.finditer(unicodedata.normalize("NFKC", text))]
        return [self.by_id[i] for i in dict.fromkeys(found) if i in self.by_id]

    def _by_tokens(self, text: str) -> Resolution | None:
        """The products holding every Latin-letter token of the message that some name or code holds
        (the most specific token first; one that would leave none is skipped), then narrowed by the
        attributes named. None when no token names a product or too many products stay."""
        sets: list[set[str]] = []
        for tok in latin_tokens(text):
            ids = {pid for pid, toks in self.tokens.items() if tok in toks}
            if not ids and re.search(r"\d", tok) and re.search(r"[a-z]", tok):
                # a code's part (UD5, LN3, 6032RW7): the codes that hold it, as the code signal does
                ids = {pid for c in self._code_parts(tok) for pid in self.codes[c]}
            if ids:
                sets.append(ids)
        if not sets:
            return None
        sets.sort(key=len)
        chosen = set(sets[0])
        for ids in sets[1:]:
            if chosen & ids:
                chosen &= ids
        refs = [r for r in self.refs if r.product_id in chosen]
        narrowed = self._narrow(text, refs)
        if len(narrowed) > MAX_NEAR:
            return None
        return self._settle(text, narrowed, "token", 0.9, narrowed_already=True)

    def _code_parts(self, key: str) -> list[str]:
        """The codes a code part names: those starting with it, holding it (when long enough) or having it
        as a segment."""
        if len(key) < PART_MIN:
            return []
        return [
            code
            for code in self.codes
            if code.startswith(key)
            or (len(key) >= PREFIX_MIN and key in code)
            or key in self.segments.get(code, ())
        ]

    def _narrow(self, text: str, refs: list[ProductRef], exact: bool = False) -> list[ProductRef]:
        """Of several products, those fitting the attributes the message names: a capacity or size first,
        then the name words and tokens that some of them hold and the others do not (天然气, 液化气). A
        product found by its whole code stays even with another capacity named (the code is surer than a
        size); one found by a part of its name does not (F8033-UD5 100升 is no product of ours)."""
        if not refs or (exact and len(refs) < 2):
            return refs
        sizes = [q for q in quantities(text) if q.unit in _SIZE_UNITS]
        if sizes:
            fit = [r for r in refs if any(_same_size(q, s) for q in sizes for s in r.sizes)]
            units = {q.unit for q in sizes}
            # none has the named capacity: only those whose names state none of that unit may still be it
            refs = fit or [r for r in refs if not any(s.unit in units for s in r.sizes)]
        if len(refs) < 2:
            return refs
        if _PLAIN.search(text):  # 普通款: the one without an edition suffix (Pro, Max, Ultra) beside it
            refs = [r for r in refs if not self.tokens[r.product_id] & _EDITIONS] or refs
        letters = _letter_sizes(text)
        if letters:
            refs = [r for r in refs if _letter_sizes(r.name) & letters] or refs
        if len(refs) < 2:
            return refs
        plain, groups = self._asked(text)
        # an English word one of whose alternatives every one of them holds tells none apart ("charger":
        # 充电器 in both names, 快充 in one)
        told = [
            t
            for group in groups
            if not any(alt and all(alt <= self.name_terms[r.product_id] for r in refs) for alt in group)
            for alt in group
            for t in alt
        ]
        asked = {t for t in [*plain, *told] if _useful(t) and t not in _GENERIC} | set(latin_tokens(text))
        # a feature the customer rules out ("不带温控的那个"): the products whose names hold it are not meant
        negated = _negated(text)
        if negated:
            asked -= negated
            without = [r for r in refs if not (self.name_terms[r.product_id] & negated)]
            if without:
                refs = without
            if len(refs) < 2:
                return refs
        held = {
            r.product_id: (self.name_terms[r.product_id] | self.tokens[r.product_id]) & asked for r in refs
        }
        common = set.intersection(*held.values())
        gain = {pid: sum(self.idf.get(t, 1.0) for t in words - common) for pid, words in held.items()}
        best = max(gain.values())
        if best <= 0:
            return refs
        return [r for r in refs if gain[r.product_id] == best]

    def _settle(
        self, text: str, refs: list[ProductRef], how: str, confidence: float, narrowed_already: bool = False
    ) -> Resolution:
        """One product, or several the customer named apart (two codes, two sizes), or near-duplicates that
        one name fits equally: then the draft asks which one."""
        if how == "code" and not narrowed_already:
            # each code named narrows its own products (GH22-KA 12升 beside another model's code)
            groups: dict[str, list[ProductRef]] = {}
            for ref in refs:
                groups.setdefault(self._code_named(text, ref), []).append(ref)
            if len(groups) > 1:
                picked = [r for group in groups.values() for r in self._narrow(text, group, exact=True)]
                return Resolution(picked[:MAX_ASKED], confidence, how)
        if not narrowed_already:
            refs = self._narrow(text, refs, exact=how == "code")
        if len(refs) == 1:
            return Resolution(refs, confidence, how)
        if not refs:
            return Resolution()
        if self._named_apart(text, refs):
            return Resolution(refs, confidence, "size")  # 12升和20升的, M码还是L码: each one named
        priced = _by_price(text, refs)
        if len(priced) == 1:
            return Resolution(priced, confidence, how)  # "M9 Pro 1869元那个": the listing at that price
        return Resolution([], confidence, how, ambiguous=refs)

    @staticmethod
    def _sizes_apart(text: str, refs: list[ProductRef]) -> bool:
        """The message names two or more of the sizes ``refs`` hold ("1.5L和1.7L的"): a question about
        each, not one size several of them share."""
        sizes = {(q.value, q.unit) for q in quantities(text) if q.unit in _SIZE_UNITS}
        held = {(s.value, s.unit) for r in refs for s in r.sizes} & sizes
        return len(held) >= 2

    def _named_apart(self, text: str, refs: list[ProductRef]) -> bool:
        """The message names a different capacity or letter size of each of ``refs``."""
        if len(refs) > MAX_ASKED:
            return False
        sizes = {(q.value, q.unit) for q in quantities(text) if q.unit in _SIZE_UNITS}
        letters = _letter_sizes(text)
        per = [
            frozenset(({(s.value, s.unit) for s in r.sizes} & sizes) | (_letter_sizes(r.name) & letters))
            for r in refs
        ]
        return len(sizes | letters) >= 2 and all(per) and len(set(per)) == len(refs)

    def _code_named(self, text: str, ref: ProductRef) -> str:
        """The longest of a product's codes the text names (its group among the products found)."""
        squashed = squash(text)
        spelled = _spaced(ref.name)
        keys = [
            k for k, ids in self.codes.items() if (ref.product_id in ids or k in spelled) and k in squashed
        ]
        return max(keys, key=len) if keys else ref.product_id

    def _spelled_apart(self, text: str, found: list[ProductRef]) -> list[ProductRef]:
        """Other products whose name spells a code the text names with a space (MATE 20 for MATE20): the
        customer's code fits them as well."""
        squashed = squash(text)
        have = {r.product_id for r in found}
        keys = {k for k, ids in self.codes.items() if k in squashed and ids & have}
        keys = {k for k in keys if not any(k in longer and k != longer for longer in keys)}
        return [r for r in self.refs if r.product_id not in have and keys & _spaced(r.name)]

    def _matched(self, text: str, ref: ProductRef) -> tuple[str, ...]:
        extra = self.translate(text) if self.translate is not None else ""
        words = self.name_terms[ref.product_id]
        return tuple(t for t in dict.fromkeys(terms(f"{text} {extra}")) if t in words and t not in _GENERIC)

    def _sheet_says(self, product_ids: Sequence[str], words: Sequence[str]) -> bool:
        """Every word is in the sheet of one of the products (a word of its own, not a new product's name)."""
        sheets = [self.sheets.get(p, "").lower() for p in product_ids]
        return bool(words) and all(any(w in sheet for sheet in sheets) for w in words)


def _spaced_codes(ref: ProductRef) -> list[str]:
    """A code the name continues with a space and a number (JSQ30-MATE 20): the code with that number, so
    it is told apart from a sibling whose code holds the number unspaced (JSQ30-MATE20 Ultra)."""
    out = []
    for code in ref.codes:
        m = re.search(re.escape(code) + r" (\d{1,4}[A-Za-z]?)(?![A-Za-z0-9])", ref.name)
        if m:
            out.append(f"{code}{m.group(1)}")
    return out


def latin_tokens(text: str) -> list[str]:
    """The Latin-letter tokens of a text (udpros, jsq22, ln3), lower case, at least PART_MIN long; numbers
    with a unit (60l, 3300w) are sizes, matched as quantities, not tokens."""
    runs = _LATIN.findall(unicodedata.normalize("NFKC", text).lower())
    return [
        t
        for t in dict.fromkeys(runs)
        if len(t) >= PART_MIN and _useful(t) and re.search(r"[a-z]", t) and t not in EN_STOP
    ]


def _cut(text: str, spans: Sequence[re.Match[str]]) -> str:
    """The text without the matched spans."""
    out, at = [], 0
    for m in spans:
        out.append(text[at : m.start()])
        at = m.end()
    return " ".join([*out, text[at:]])


def _spaced(name: str) -> set[str]:
    """A name's Latin runs joined across one space ("MATE 20" -> mate20), as customers type them."""
    lowered = unicodedata.normalize("NFKC", name).lower()
    return {
        a + b for a, b in re.findall(r"(?<![0-9a-z])([a-z][0-9a-z]*) (\d+[0-9a-z]*)(?![0-9a-z])", lowered)
    }


# a Latin letter joined to a Chinese word (T恤, U盘): one word, which the term splitter cuts apart
_MIXED = re.compile(r"(?<![A-Za-z0-9])[A-Za-z][\u4e00-\u9fff]")


def _words(text: str) -> list[str]:
    """A text's terms, with its letter-and-character words (t恤) whole."""
    return [*terms(text), *(m.group(0).lower() for m in _MIXED.finditer(unicodedata.normalize("NFKC", text)))]


def _letter_sizes(text: str) -> set[str]:
    return {m.upper() for m in _LETTER_SIZE.findall(unicodedata.normalize("NFKC", text))}


def _names_variant(text: str, q: Quantity) -> bool:
    at = text.find(q.text)
    if at < 0:
        return False
    before, after = text[:at], text[at + len(q.text) :]
    if _USE_AMOUNT.search(before):
        return False
    return bool(_VARIANT_AFTER.search(after) or _VARIANT_BEFORE.search(before))


def _same_size(q: Quantity, s: Quantity) -> bool:
    return math.isclose(q.value, s.value) and q.unit == s.unit


def _first_at(text: str, ref: ProductRef) -> int:
    """Where a product's code or id is first named in the text (squashed), for mention order."""
    squashed = squash(text)
    spots = [squashed.find(squash(c)) for c in (*ref.codes, ref.product_id) if len(squash(c)) >= CODE_MIN]
    found = [s for s in spots if s >= 0]
    return min(found) if found else len(squashed)


_PRICE_NAMED = re.compile(r"(?<![\d.])(\d{2,6}(?:\.\d{1,2})?)\s*(?:元|块|rmb|yuan)", re.IGNORECASE)


def _by_price(text: str, refs: Sequence[ProductRef]) -> list[ProductRef]:
    """Of near-duplicate listings, those whose price the message names ("1869元那个")."""
    named = {float(m.group(1)) for m in _PRICE_NAMED.finditer(unicodedata.normalize("NFKC", text))}
    if not named:
        return []
    return [r for r in refs if r.price is not None and any(math.isclose(r.price, v) for v in named)]


def _negated(text: str) -> set[str]:
    """The name words of a feature the message rules out ("不带温控的" -> 温控)."""
    return {t for m in _NEGATED.finditer(text) for t in terms(m.group(1)) if _useful(t)}


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


_RUN = re.compile(r"[0-9A-Za-z][0-9A-Za-z.\-]*[0-9A-Za-z]|[0-9A-Za-z]")
_LABEL_UNITS = ("L", "ml", "kg", "g", "inch")


def model_token(ref: ProductRef) -> str | None:
    """How a product is told apart when it names no model code: its model code if it has one, else the
    name's model-like token (Q5S, UDproS: with a digit, or mixed case), else None."""
    code = next((c for c in ref.codes if re.search(r"\d", c) and re.search(r"[A-Za-z]", c)), None)
    if code:
        return code
    runs = [r for r in _RUN.findall(unicodedata.normalize("NFKC", ref.name)) if _useful(r.lower())]
    with_digit = [r for r in runs if re.search(r"\d", r) and re.search(r"[A-Za-z]", r)]
    mixed = [r for r in runs if re.search(r"[a-z]", r) and re.search(r"[A-Z]", r[1:])]
    found = with_digit or mixed
    return found[-1] if found else None


def short_label(ref: ProductRef, language: str = "zh") -> str:
    """A product as a reply names it: model token and capacity ("JSQ22-HWA（12升）"), not a marketing title
    whose prefixes ("国补立减15%") read like claims; the name, shortened, when it has no model token."""
    token = model_token(ref)
    size = next((q for q in ref.sizes if q.unit in _LABEL_UNITS), None)
    if token is None:
        name = re.sub(r"^[^【\[]*[【\[]|[】\]]", " ", ref.name).strip() if "【" in ref.name else ref.name
        return name[:24].rstrip() + ("…" if len(name) > 24 else "")
    if size is None or size.text in token:
        return token
    shown = size.text if language == "zh" else f"{size.value:g}{size.unit}"
    return f"{token}（{shown}）" if language == "zh" else f"{token} ({shown})"
