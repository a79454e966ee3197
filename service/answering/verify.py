"""Claims of a reply, verified against the facts of the product each sentence is about.

A model sees a fact sheet of the asked product(s), yet small models still carry a sibling's warranty, a
gas heater's parts warranty into a kettle's answer, or sum fees into a total no sheet states. After
generation every sentence's numbers (durations, prices, fees, specs) are judged by the compliance claim
scope (:class:`service.compliance.numbers.ClaimScope`): supported only by a fact of the product the sentence
names (else the products the answer is about) or of the store's policy, of the same kind of field. A
sentence that fails is replaced by the engine's own sentence for the right fact, or removed, and each
repair is listed for the reviewer. The same scope checks reviewer edits, so an edit that adds a correct
fact retrieval did not cite passes and a wrong one is flagged with the right value.
"""

from __future__ import annotations

import re
import threading
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Protocol

from service.answering import english
from service.answering.compose import render
from service.answering.facts import Fact, FactStore
from service.answering.kinds import TERMS
from service.answering.resolve import short_label
from service.compliance.normalize import fold, normalize
from service.compliance.numbers import (
    POLICY,
    UNKNOWN,
    ClaimScope,
    Judgement,
    Stated,
    StatedIndex,
    extract,
    stated_values,
    supported_set,
)
from service.drafting.models import Repair
from service.drafting.text import Language

_CODE_MIN = 4  # shorter codes ("X2") name too many things to attribute a sentence by
_NAME_MIN = 6
_IGNORED_KINDS = frozenset({"other", "usage"})

_cache_lock = threading.Lock()
_indexes: weakref.WeakKeyDictionary[FactStore, tuple[StatedIndex, _Mentions, dict[str, Fact]]] = (
    weakref.WeakKeyDictionary()
)


class HasFacts(Protocol):
    def facts(self) -> FactStore: ...


class _KindWords:
    """The engine's kind vocabulary (service/answering/kinds.py) as one pass per clause: Chinese terms by
    substring, English terms by one compiled alternation (claims are judged per number, so this is hot)."""

    def __init__(self) -> None:
        self.zh: list[tuple[str, str]] = []
        en: dict[str, str] = {}
        for kind, (zh_terms, en_terms) in TERMS.items():
            if kind in _IGNORED_KINDS:
                continue
            self.zh += [(t.lower(), kind) for t in zh_terms]
            for t in en_terms:
                en.setdefault(t.lower(), kind)
        self.en_kind = en
        alts = "|".join(re.escape(w) for w in sorted(en, key=len, reverse=True))
        self.en = re.compile(rf"(?<![a-z0-9])({alts})(?:e?s)?(?![a-z0-9])")

    @lru_cache(maxsize=4096)  # noqa: B019 - one instance for the process
    def __call__(self, text: str) -> frozenset[str]:
        lowered = text.lower()
        found = {kind for term, kind in self.zh if term in lowered}
        if re.search(r"[a-z]", lowered):
            found |= {self.en_kind[m] for m in self.en.findall(lowered)}
        return frozenset(found)


claim_kinds = _KindWords()
"""The kinds of field a clause speaks of (warranty, install_fee, return ...), by the engine's words."""

# A capacity or power unit written after a number ("80升", "3300瓦") names a size, often the product's own
# (its label beside a fee): it says nothing of which field a clause's other numbers are of.
_SIZE_UNIT = re.compile(r"(?<=[0-9])\s*(?:升|瓦)")


def judged_kinds(text: str) -> frozenset[str]:
    """:data:`claim_kinds` of a clause being judged, less the kind a size unit after a number gives."""
    return claim_kinds(_SIZE_UNIT.sub(" ", text))


def _fact_kinds(fact: Fact) -> frozenset[str]:
    return frozenset({fact.kind, *claim_kinds(fact.label)}) - {"usage"}


def _squash(text: str) -> str:
    return re.sub(r"[^0-9a-z\u3400-\u9fff]", "", fold(text))


_RECORD_NAME = re.compile(r"(?:名称|品名|\bname)\s*[:：]\s*([^；;，,。\n]{2,30})", re.IGNORECASE)


# Edition words that make another model of a series (M9S -> M9S Plus): a known code followed by one that
# no catalogue name holds names a model the store does not sell.
_CODE_WORD = re.compile(r"(?<![a-z0-9])[a-z0-9]+(?:[\-.][a-z0-9]+)*(?![a-z0-9])")
_EDITION = re.compile(r"[\s\-_/]*(plus|pro|max|ultra|mini|lite|air|neo|prime|se)(?![a-z])")


class _Mentions:
    """Which catalogue products a sentence names, by model code, reply label (code and capacity) or full
    name (punctuation and case ignored); a code inside a longer matched code or label does not count on its
    own. A key names the reply's own products it is a code of or that hold it in their names; else, when
    several near-duplicates share it (GH30-KA of GH30-KA and GH30-KA Ultra), the one whose whole code it is:
    a sibling sharing a series code is not what the sentence is about. A known code followed by an edition
    word no catalogue name holds names a model the store does not sell (:data:`UNKNOWN`): no product's
    facts are its facts."""

    def __init__(self, store: FactStore) -> None:
        keyed: dict[str, list[str]] = {}
        self.full_names = {ref.product_id: _squash(ref.name) for ref in store.products()}
        # every text of the knowledge base, squashed: a model name it writes (an exchange option, a gift's
        # model) is a thing the store knows, not a model it does not sell
        self.written = "\n".join(_squash(f.text) for f in store.all_facts())
        self.whole: dict[str, set[str]] = {}  # key -> the products it is the whole code or name of

        def add(key: str, pid: str, whole: bool) -> None:
            if pid not in keyed.setdefault(key, []):
                keyed[key].append(pid)
            if whole:
                self.whole.setdefault(key, set()).add(pid)

        for ref in store.products():
            pid = _squash(ref.product_id)
            if len(pid) >= _CODE_MIN and re.search(r"\d", pid):
                add(
                    pid, ref.product_id, True
                )  # a sheet may refer to another product by its id ("见 PC-TH-4")
            codes = [_squash(code) for code in ref.codes]
            longest = max(codes, key=len, default="")
            for key in codes:
                if len(key) >= _CODE_MIN and re.search(r"\d", key):
                    add(key, ref.product_id, key == longest)
            name = _squash(ref.name)
            if len(name) >= _NAME_MIN:
                add(name, ref.product_id, True)
            for label in {_squash(short_label(ref, "zh")), _squash(short_label(ref, "en"))}:
                if len(label) >= _CODE_MIN:
                    add(label, ref.product_id, True)  # "GH22-KA（20升）" names one of two
        self.names = sorted(keyed.items(), key=lambda kv: -len(kv[0]))
        # the capacities and powers each product's name and reply labels state ("20W" of a 20W charger)
        self.sizes: dict[str, frozenset[tuple[str, float]]] = {}
        for ref in store.products():
            shown = " ".join({ref.name, short_label(ref, "zh"), short_label(ref, "en")})
            self.sizes[ref.product_id] = frozenset(
                (q.unit, v) for q in extract(fold(shown)) if q.family == "measure" for v in q.values
            )
        self._cached = lru_cache(maxsize=4096)(self._named)  # judged once per number of a sentence
        # the values written inside names and reply labels (a title's "60升", "国补立减15%")
        self.valued: list[tuple[str, frozenset[tuple[str, float]]]] = []
        for ref in store.products():
            for shown in {ref.name, short_label(ref, "zh"), short_label(ref, "en")}:
                values = frozenset((q.unit, v) for q in extract(fold(shown)) for v in q.values)
                if values and len(_squash(shown)) >= _CODE_MIN:
                    self.valued.append((_squash(shown), values))
        # the names of a sheet's records (a fitting "4分90度弯头", a gift): a name, not a claim, when quoted
        for fact in store.all_facts():
            for m in _RECORD_NAME.finditer(fact.text):
                name = m.group(1).strip()
                values = frozenset((q.unit, v) for q in extract(fold(name)) for v in q.values)
                if values and len(_squash(name)) >= _CODE_MIN:
                    self.valued.append((_squash(name), values))

    def named_sizes(self, product_id: str) -> frozenset[tuple[str, float]]:
        return self.sizes.get(product_id, frozenset())

    def name_values(self, text: str) -> set[tuple[str, float]]:
        """The values inside the catalogue names and labels that ``text`` quotes whole."""
        squashed = _squash(text)
        return {v for key, values in self.valued if key in squashed for v in values}

    def __call__(self, sentence: str, prefer: Sequence[str] = ()) -> list[str]:
        return list(self._cached(sentence, tuple(prefer)))

    def _named(self, sentence: str, prefer: tuple[str, ...]) -> tuple[str, ...]:
        text = _squash(sentence)
        lowered = fold(sentence).lower()
        found: list[str] = []
        taken: list[str] = []
        other_model = False
        for key, pids in self.names:
            if key not in text or any(key in longer and key != longer for longer in taken):
                continue
            taken.append(key)
            if self._extended(key, lowered):
                other_model = True  # "M9S Plus": a model of the series the catalogue does not hold
                continue
            # the reply's own product whose name holds the key ("…JSQ30-MATE 20" beside the code
            # JSQ30-MATE20 of its Ultra sibling) is named by it too, and first
            mine = [p for p in prefer if p in pids or key in self.full_names.get(p, "")]
            if mine:
                pids = mine
            elif len(pids) > 1:
                whole = [p for p in pids if p in self.whole.get(key, ())]
                pids = whole if len(whole) == 1 else pids
            found += [p for p in pids if p not in found]
        if not found and (other_model or self._sibling_code(lowered)):
            return (UNKNOWN,)
        return tuple(found)

    def _sibling_code(self, lowered: str) -> bool:
        """A code-shaped word no catalogue code, name or label holds that shares all but its last
        characters with one of them (F6032-RW8 beside F6032-RW7, MATE30 beside MATE20): another model of
        a series the store sells, not one of its products."""
        for word in _CODE_WORD.findall(lowered):
            key = _squash(word)
            if len(key) < _CODE_MIN or not (re.search(r"\d", key) and re.search(r"[a-z]", key)):
                continue
            if key in self.written or any(key in k for k, _ in self.names):
                continue
            stem = key[: max(_CODE_MIN, len(key) - 2)]
            if any(k.startswith(stem) for k, _ in self.names):
                return True
        return False

    def _extended(self, key: str, lowered: str) -> bool:
        """Every occurrence of ``key`` in the sentence is followed by an edition word that makes a name no
        catalogue key holds (the edition of a model of ours is a longer key, matched first)."""
        pattern = re.compile(r"[\W_]*".join(re.escape(ch) for ch in key))
        hits = list(pattern.finditer(lowered))
        if not hits:
            return False
        for m in hits:
            edition = _EDITION.match(lowered, m.end())
            if edition is None or key + edition.group(1) in self.written:
                return False
            if any(k.startswith(key + edition.group(1)) for k, _ in self.names):
                return False
        return True


_FACT_CLAUSE = re.compile(r"[^，,；;。！？!?\n]+")


def _build(store: FactStore) -> tuple[StatedIndex, _Mentions, dict[str, Fact]]:
    stated: list[Stated] = []
    by_key: dict[str, Fact] = {}
    for fact in store.all_facts():
        by_key[fact.digest] = fact
        owner = fact.product_id or POLICY
        kinds = _fact_kinds(fact)
        text = fold(fact.text)
        stated += stated_values(
            text,
            owner=owner,
            kinds=kinds,
            key=fact.digest,
            price_fact=fact.kind == "price",
            display=fact.text,
        )
        # a fact's own clause may say what its number is of ("远程山区补差30-100元" inside an installation
        # fee list, "价格2元/个" of a fitting): that kind too; and so may the clause as the engine says it
        # in English ("cash on delivery: only for orders paying no more than 3000 yuan")
        said_en = "" if fact.english else render(fact, store.product(fact.product_id or ""), "en")
        if said_en:  # the engine's own English sentence for the fact, quoted by an English reply
            stated += stated_values(fold(said_en), owner=owner, kinds=kinds, key=fact.digest, display=said_en)
        for clause in [*_FACT_CLAUSE.findall(text), *_FACT_CLAUSE.findall(fold(said_en))]:
            more = claim_kinds(clause) - kinds
            if more and extract(clause):
                stated += stated_values(
                    clause, owner=owner, kinds=kinds | more, key=fact.digest, display=fact.text
                )
    return StatedIndex(stated), _Mentions(store), by_key


def _prepared(store: FactStore) -> tuple[StatedIndex, _Mentions, dict[str, Fact]]:
    """The store's value index and mention finder, built once per fact store (one per index version)."""
    with _cache_lock:
        got = _indexes.get(store)
        if got is None:
            got = _build(store)
            _indexes[store] = got
        return got


def claim_scope(
    store: FactStore,
    products: Sequence[str],
    *,
    context: str | None = None,
    extra: Sequence[str] = (),
) -> ClaimScope:
    """The scope a reply about ``products`` is checked in. ``context`` (the agent's order facts) and
    ``extra`` texts (the store's follow-up promise) support any number they state."""
    index, mentions, _ = _prepared(store)
    free = supported_set([fold(t) for t in [context or "", *extra] if t])
    return ClaimScope(
        index,
        products=products,
        mentions=mentions,
        kinds=judged_kinds,
        free=free,
        names=mentions.name_values,
        named_sizes=mentions.named_sizes,
    )


def scope_for_index(
    index: Any,
    products: Sequence[str],
    *,
    context: str | None = None,
    extra: Sequence[str] = (),
) -> ClaimScope | None:
    """:func:`claim_scope` over the index's live fact store; None when the index has no fact store (then
    compliance falls back to "stated in the sources")."""
    facts = getattr(index, "facts", None)
    if not callable(facts):
        return None
    store = facts()
    if not isinstance(store, FactStore) or (not store.products() and not store.policy_facts()):
        return None
    return claim_scope(store, products, context=context, extra=extra)


def fact_of(store: FactStore, stated: Stated | None) -> Fact | None:
    if stated is None:
        return None
    return _prepared(store)[2].get(stated.key)


# --------------------------------------------------------------------------------------------- repairing

_SENTENCE = re.compile(r"[^\n]+?(?:[。！？!?]+|\.(?=\s|$)|$)(?:\s*\[\d{1,3}\])*|\n+", re.MULTILINE)
_MARKER = re.compile(r"\[\d{1,3}\]")
_CONTENT = re.compile(r"[0-9A-Za-z\u3400-\u9fff]")


@dataclass
class Verified:
    text: str
    repairs: list[Repair] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.repairs)


def split_sentences(text: str) -> list[str]:
    """Sentences with their trailing markers and spacing; joined they give back ``text`` exactly."""
    parts = [m.group(0) for m in _SENTENCE.finditer(text)]
    return parts if "".join(parts) == text else [text]


def fact_sentence(
    fact: Fact, language: str, marker: int | None = None, store: FactStore | None = None
) -> str:
    """The engine's own sentence for one fact (the offline composer's wording), with its marker; '' for an
    English reply when the fact cannot be said in English without quoting its Chinese."""
    ref = store.product(fact.product_id) if store is not None and fact.product_id else None
    lang: Language = "en" if language == "en" else "zh"
    text = render(fact, ref, lang, quote=english.omit_quote).strip().rstrip("。.;；")
    if lang == "en" and (not text or english.CJK.search(text)):
        return ""
    cite = f"[{marker}]" if marker is not None else ""
    return f"{text}{cite}{'。' if lang == 'zh' else '.'}"


def verify_claims(
    text: str,
    scope: ClaimScope,
    store: FactStore,
    *,
    language: str,
    markers: Callable[[Fact], int | None] = lambda _f: None,
) -> Verified:
    """Judge every number of every clause; a clause that fails is dropped from its sentence and the right
    fact's sentence follows when the asked product (or the policy) has one of that kind. A sentence left
    without content goes. Returns the text and the repairs (the text unchanged when there are none)."""
    out: list[str] = []
    repairs: list[Repair] = []
    for sentence in split_sentences(text):
        bare_sentence = normalize(_MARKER.sub("", sentence)).text
        parts = _CLAUSE.findall(sentence) or [sentence]
        verdicts = [_first_failure(part, scope, bare_sentence) for part in parts]
        if not any(verdicts):
            out.append(sentence)
            continue
        kept = "".join(p for p, v in zip(parts, verdicts, strict=True) if v is None)
        added: list[str] = []
        for part, verdict in zip(parts, verdicts, strict=True):
            if verdict is None:
                continue
            claim, judgement = verdict
            right = fact_of(store, judgement.expected)
            replacement = (
                (fact_sentence(right, language, markers(right), store) or None) if right is not None else None
            )
            said = _MARKER.sub("", "".join([*out, kept, *added]))
            if replacement is not None and _MARKER.sub("", replacement).rstrip("。.") in said:
                replacement = None  # the right fact is stated already: only the wrong clause goes
            if replacement is not None:
                added.append(replacement)
            owners = [o for o in scope.owners(bare_sentence) if o != UNKNOWN]
            repairs.append(
                Repair(
                    action="replaced" if replacement else "removed",
                    reason=judgement.reason or "not_stated",
                    sentence=part.strip().rstrip("，,；;、"),
                    claim=claim,
                    replacement=replacement,
                    product_id=owners[0] if owners else None,
                    other_product_id=judgement.other_owner,
                    expected=right.text if right is not None else None,
                )
            )
        trailing = sentence[len(sentence.rstrip()) :]
        rest = _close(kept, sentence, language) if has_content(kept) else ""
        out.append("".join([rest, *added]) + (trailing if rest or added else ""))
    repaired = re.sub(r"\n{3,}", "\n\n", "".join(out)).strip()
    return Verified(repaired if repairs else text, repairs)


_CLAUSE = re.compile(r"[^，,；;]+(?:[，,；;]\s*|$)")
_END = re.compile(r"[。！？!?.]+(?:\s*\[\d{1,3}\])*\s*$")


def _close(kept: str, sentence: str, language: str) -> str:
    """The kept clauses as a sentence: no dangling comma, the original sentence's end punctuation."""
    body = kept.rstrip()
    if _END.search(body):
        return body
    body = body.rstrip("，,；;、 ")
    end = _END.search(sentence.rstrip())
    return body + (end.group(0).strip() if end else ("。" if language == "zh" else "."))


def _first_failure(clause: str, scope: ClaimScope, sentence: str) -> tuple[str, Judgement] | None:
    """The first number of ``clause`` the scope does not support, with the judgement; ``sentence`` (its
    whole sentence, normalised) decides which product it is about."""
    bare = _MARKER.sub("", clause)
    norm = normalize(bare)
    quantities = extract(norm.text)
    for q in quantities:
        if q.unit == "percent" and q.values == (100.0,):
            continue
        judgement = scope.judge(q, norm.text, sentence)
        if not judgement.supported:
            lo, hi = norm.to_original(q.start, q.end)
            return bare[lo:hi], judgement
    return None


def has_content(text: str) -> bool:
    """Something is left to send besides markers and punctuation."""
    return bool(_CONTENT.search(_MARKER.sub("", text)))
