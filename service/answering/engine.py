"""The answer engine: the asked product, the asked facts, from the right place, for both generators.

``AnswerEngine.plan`` resolves the product(s), splits the message into question parts, and picks for each
part the facts that answer it: the resolved product's own structured facts of the asked kind first, then
policy sentences chosen by meaning (their embeddings are made at index time) and by kind, above a
relevance floor. A part nothing answers is marked unanswered (the draft promises a check instead of
quoting something near). The offline drafter renders the plan (service/answering/compose.py); a model
prompt can carry its compact fact sheet instead of whole retrieved chunks.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

import numpy as np

from service.answering.english import CJK, chinese_terms, fact_en, omit_quote
from service.answering.facts import Embedding, Fact, FactStore, ProductRef, quantities
from service.answering.fit import amount_fit, elapsed_days, fits, stated, stated_amount, window_days
from service.answering.kinds import TERMS, VOCABULARY, is_descriptive, kind_scores, vocabulary_terms
from service.answering.questions import (
    ATTRIBUTES,
    POLICY_KINDS,
    QuestionPart,
    counted,
    kinds_of,
    split_parts,
)
from service.answering.resolve import ID_MIN, ProductResolver, Resolution, short_codes, squash
from service.answering.topics import TOPICS, asked_aspects, aspect_match, has_aspect
from service.drafting.extractive import ABOUT_THE_PAGE
from service.drafting.text import Language, Matcher, terms, weight
from service.knowledge.products import role_of

# Kinds whose answer lives in a product's sheet; the others are store policy (a product's sheet may still
# state them, and then it wins).
PRODUCT_KINDS = frozenset(
    {"price", "warranty", "install_fee", "materials", "gift", "size", "spec", "stock", "fault", "usage"}
)
# Kinds a sheet gives a field of their own (a price, a warranty, a gift list): the marketing text restating
# one is second to that field.
_FIELD_KINDS = frozenset({"price", "warranty", "install_fee", "materials", "gift", "stock", "fault"})
_MEASURE_KINDS = frozenset({"size", "spec"})
_SHEET_KINDS = frozenset({"price", "gift", "size", "spec", "materials", "usage"})
_NOUN_KINDS = frozenset({"spec", "size", "usage"})  # kinds a product noun's own words carry (充电器, 加热)
_MODEL_KINDS = frozenset({"price", "gift", "size", "spec"})  # only the very model's sheet answers these
# kinds a question asks of a model (its price, warranty, installation): with no product named and no store
# rule that answers, the draft asks which model
_MODEL_ASKED = frozenset({"price", "warranty", "install_fee", "materials", "gift"})
# Kinds close enough that a fact of one may answer a question of the other.
NEAR: dict[str, frozenset[str]] = {
    "spec": frozenset({"size", "usage"}),
    "size": frozenset({"spec"}),
    "usage": frozenset({"spec", "fault"}),
    "fault": frozenset({"warranty", "usage"}),
    "warranty": frozenset({"fault"}),
    "install_fee": frozenset({"materials", "remote_fee"}),
    "materials": frozenset({"install_fee"}),
    "return": frozenset({"refund", "exchange"}),
    "refund": frozenset({"return"}),
    "exchange": frozenset({"return"}),
    "remote_fee": frozenset({"shipping", "install_fee"}),
    "shipping": frozenset({"remote_fee", "stock"}),  # a pre-order's dispatch date is in its status
    "stock": frozenset({"shipping"}),
    "gift": frozenset(),
    # "拆旧机多少钱", "换加热管多少钱": the price of a service or a part is a fee, not the product's price
    "price": frozenset({"install_fee", "materials", "warranty"}),
    "order": frozenset({"exchange", "refund"}),
    "invoice": frozenset({"warranty"}),  # the proof a warranty claim needs is in the warranty terms
}
PER_PART = 2  # facts quoted per part and product
MAX_RECORDS = 3  # records of one list (gifts) quoted for one part
UNIT_BONUS = 0.6  # a fact stating a figure in the unit a spec question asks for
DESCRIPTIVE_PENALTY = 0.25
TITLE_PENALTY = 0.4
INSTALL_BONUS = 0.4  # a fact of an installation field, for a question about fitting the product
POLICY_PER_PART = 2
MIN_PRODUCT_SCORE = 0.3
FIT_BONUS = 1.0  # a table row or range holding the figure the customer states (腰围82, 四口人)
WINDOW_BONUS = 0.5  # the shortest rule window still open for "买了10天"
ASPECT_BONUS = 0.5  # a rule of the shape the question asks within its topic (escalation, who pays)
AMOUNT_BONUS = 0.5  # a rule whose amount condition ("不满99元") the stated order amount meets
PLACE_BONUS = 0.3  # a sentence giving an address, for a question asking where
TOPIC_BONUS = 0.3  # a policy sentence of the asked topic (its own section), in either language
LEAD_BONUS = 0.4  # a rule led by the very case the customer is in ("已发货：…" for "已经发货了…")
OPENED_BONUS = 0.3  # a sheet clause for an opened item, for a customer who opened it (less: an unopened one)
GENERIC_WEIGHT = 0.25  # weight of a kind word (保修) among the asked words of a product question
LEXICAL_ONLY = 0.3  # share of the asked words a fact of another kind must hold to answer
LEXICAL_WEIGHT = 1.5
RETRIEVAL_PRIOR = 0.4  # bonus for a sentence of the best retrieved chunk (hybrid BM25 + dense retrieval)
MIN_POLICY_SCORE = 0.4
CROSS_CLOSENESS = 2.0  # weight of meaning for an English question over a Chinese policy sentence
ASPECT_RELATIVE = 0.6  # share of the best score a rule of a second asked shape ("运费谁出") must reach
MAX_ASPECT_FACTS = 3  # policy sentences quoted for a part asking several shapes (one each, at most)
QUALITY_PENALTY = 0.15  # a rule for a quality problem, for a question telling of none
NON_QUALITY_PENALTY = 1.0  # a rule for returns without a quality problem, for a question telling of one
RELATIVE = 0.75  # a second fact must score this share of the best one
SIM_MARGIN = 0.02  # policy sentences within this cosine of the best one are "as close in meaning"
MIN_SPREAD = 0.038  # best minus median cosine: below this no policy sentence stands out in meaning
PRODUCT_SPREAD = 0.03  # a product field closer in meaning than the sheet's median field by this much
ACROSS_SPREAD = 0.03  # an English question's closest field of a Chinese sheet stands out by this much
ACROSS_MARGIN = 0.01  # and is this much closer than the field its kind chose
MAX_SHARED = 6  # near-duplicates compared for a shared answer before asking which one


@dataclass
class PartAnswer:
    part: QuestionPart
    facts: list[Fact] = field(default_factory=list)
    alternates: list[Fact] = field(default_factory=list)  # next best, for a regenerated alternative
    needs_product: bool = False  # product-specific, but which product is not known
    covered: bool = False  # its answer is a fact an earlier part already quotes ("多重？尺寸多大")
    # every fact the part's scoring kept as a candidate, by digest, with its score (product and policy):
    # what the diagnostic (service/evaluation/diagnose.py) reads to say how near a missed fact came
    scores: dict[str, float] = field(default_factory=dict)

    @property
    def answered(self) -> bool:
        return bool(self.facts) or self.covered


@dataclass
class AnswerPlan:
    language: Language
    resolution: Resolution
    parts: list[PartAnswer]
    products: list[ProductRef]

    @property
    def facts(self) -> list[Fact]:
        seen: dict[str, Fact] = {}
        for part in self.parts:
            for fact in part.facts:
                seen.setdefault(fact.digest, fact)
        return list(seen.values())

    @property
    def ask_which(self) -> list[ProductRef]:
        return self.resolution.ambiguous if any(p.needs_product for p in self.parts) else []

    @property
    def unanswered(self) -> list[PartAnswer]:
        return [p for p in self.parts if not p.answered and not p.needs_product]

    def fact_sheet(self, language: Language | None = None) -> str:
        """A compact sheet of the chosen facts (for a model prompt): one line per fact, by product."""
        lines: list[str] = []
        names = {p.product_id: p.name for p in self.products}
        for fact in self.facts:
            who = names.get(fact.product_id or "", "") if fact.product_id else ""
            head = f"{who} / {fact.label}" if who else fact.label
            lines.append(f"- {head}: {fact.text}")
        return "\n".join(lines)


class AnswerEngine:
    """Plans answers over one fact store (one index version)."""

    def __init__(
        self,
        store: FactStore,
        embedder: Embedding | None = None,
        translate: Callable[[str], str] | None = None,
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.translate = translate
        sheets = {
            r.product_id: " ".join(f"{f.label} {f.text}" for f in store.product_facts(r.product_id))
            for r in store.products()
        }
        # the glossary's alternatives per English word, when the translation is a glossary's
        alternatives = getattr(getattr(translate, "__self__", None), "alternatives", None)
        self.resolver = ProductResolver(store.products(), translate, sheets, alternatives)
        # word matchers of every fact, made once per store: scoring a message only looks words up
        self._policy_matchers = [Matcher(f"{f.label} {f.text}") for f in store.policy_facts()]
        # the languages the store writes its rules in: a rule in the other language is second only when
        # one in the reply's language exists (a Chinese-only policy still answers an English question)
        self._policy_languages = {f.english for f in store.policy_facts()}
        self._policy_pos = {f.digest: i for i, f in enumerate(store.policy_facts())}
        self._matchers: dict[str, list[Matcher]] = {}
        self._foreign: dict[tuple[str, str], bool] = {}
        self._english: dict[str, bool] = {}

    def plan(
        self,
        message: str,
        *,
        language: Language,
        history: Sequence[str] = (),
        product_ids: Sequence[str] = (),
        context: str | None = None,
        variant: int = 0,
        resolution: Resolution | None = None,
        retrieved: Sequence[str] = (),
    ) -> AnswerPlan:
        """``retrieved``: chunk ids the hybrid retrieval ranked for the message, best first; a policy
        sentence of a highly ranked chunk is more likely the one that answers."""
        if resolution is None:
            resolution = self.resolve(message, history=history, product_ids=product_ids, context=context)
        ranks = {cid: i for i, cid in enumerate(dict.fromkeys(retrieved))}
        parts = split_parts(message)
        products = resolution.products
        # an English question names the product in English ("the 60L water heater"): those words name it
        # too, they ask nothing of the store's rules
        # (of a resolved product only: "can I return opened diapers" names a category the rules list)
        named = _name_terms(
            products or resolution.ambiguous, self.translate if language == "en" and products else None
        )
        answers: list[PartAnswer] = []
        used: set[str] = set()  # facts already answering an earlier part
        vectors = self._part_vectors(parts)
        cross = self._cross_vectors(parts, language) if vectors else None
        for i, asked in enumerate(parts):
            part = _without_names(asked, products)
            answer = PartAnswer(part)
            # the name's words stay: a name often holds a feature asked about (主动降噪 in an earbud's name)
            aspect = [t for t in part.terms if not _is_code_word(t, named) and not _how_word(t)]
            crossed: list[str] = []
            if self.translate is not None:  # the other language's words too: sheets are often Chinese
                extra = self.translate(part.text)
                if language == "en":  # and the sheet terms of the parts and fees it names
                    extra = f"{extra} {chinese_terms(part.text)}".strip()
                crossed = [t for t in terms(extra) if t not in aspect and not named.has(t)] if extra else []
            part = _with_crossed(part, crossed)
            product_kind = bool(set(part.kinds) & PRODUCT_KINDS)
            worded_ids: set[str] = set()
            if products:
                for ref in products:
                    worded: set[str] = set()
                    chosen, rest = self._product_facts(ref, part, aspect, language, answer.scores, worded)
                    worded_ids |= worded
                    if (
                        chosen
                        and not worded
                        and vectors
                        and not (set(part.kinds) & POLICY_KINDS)
                        and not _field_answer(chosen, part)
                    ):
                        # chosen by the asked kind alone (none of the asked words in any field): a field
                        # clearly closer in meaning answers instead (a question about flying classed as a spec
                        # question is answered by the flight field, not by the first spec field)
                        chosen, rest = self._closer_in_meaning(ref, part, vectors[i], chosen, rest)
                    answer.facts.extend(chosen)
                    answer.alternates.extend(rest)
            elif resolution.how in ("unknown_model", "unsold_size"):
                # nothing about a model (or a size of it) we do not hold: no neighbour's facts
                answers.append(answer)
                continue
            elif resolution.ambiguous and product_kind and not (set(part.kinds) & POLICY_KINDS):
                shared = self._shared_answer(resolution.ambiguous, part, aspect, language)
                if shared is None:
                    answer.needs_product = True
                else:
                    answer.facts.extend(shared)
            # no field of the asked kind or words ("能上飞机？", "化冻了还能再冻吗"): the field closest in
            # meaning, when it stands out from the sheet's other fields and no store rule is closer
            closest = (
                [c for ref in products if (c := self._closest_product_fact(ref, part, vectors[i]))]
                if products and vectors and not answer.facts and not (set(part.kinds) & POLICY_KINDS)
                else []
            )
            if products and vectors and language == "en" and not (set(part.kinds) & POLICY_KINDS):
                # an English question about a sheet in another language shares no word with it: the
                # kind alone chose its facts, so the field closest in meaning, when it clearly stands out
                # and is closer than every chosen one, answers first
                asked_things = [t for t in aspect if weight(t) >= 2 and not _generic(t)]
                for ref in products if asked_things else []:  # "what is the warranty?": the kind answers
                    if ref.product_id in worded_ids:
                        continue  # a chosen field holds an asked word (motor -> 电机): it answers
                    across = self._closest_across(ref, part, answer.facts)
                    # a field already answering an earlier part is that part's answer, not this one's
                    if across is not None and across.digest not in used:
                        answer.alternates = [f for f in answer.facts if f is not across]
                        answer.facts = [across]
            # "过保了，上门修要收哪些钱": what a repair costs after the warranty is a store rule; the
            # product's warranty term only says it has run out
            past_warranty = bool(_PAST_WARRANTY.search(part.text)) and part.asks_money
            policy_needed = not answer.facts or bool(set(part.kinds) & POLICY_KINDS) or past_warranty
            # a question about the product's own spec, price or gift that its sheet does not answer is not
            # answered by whatever store rule shares a word with it: only a sentence close in both ways
            sheet_only = bool(products) and bool(part.kinds) and set(part.kinds) <= _SHEET_KINDS
            # also when the product is unclear (the store's rules hold for every one), and after product
            # facts when a policy sentence clearly answers too (a coupon rule for a pre-order)
            # for store policy the product's own name is no question word (热水器 in "热水器坏了，投诉")
            general = [t for t in aspect if not named.has(t)]
            chosen, rest = self._policy_facts(
                part,
                general,
                vectors[i] if vectors else None,
                language,
                ranks,
                strict=not policy_needed or sheet_only,
                trace=answer.scores,
                cross=cross[i] if cross else None,
            )
            if (
                chosen
                and language == "en"
                and products
                and part.kinds
                and not (set(part.kinds) & POLICY_KINDS)
            ):
                # a question about the named product's own use or specs: an English store page shares
                # its nouns ("water" in "water heaters", "still") without answering it; a rule of a kind
                # not asked is no answer here (the part gets the follow-up promise instead). With no kind
                # read at all ("can you send frozen food to me?") nothing says the page is unasked.
                chosen, off = _asked_kind_pages(chosen, part)
                rest = [*off, *rest]
            if chosen and answer.facts and (not policy_needed or sheet_only):
                # the product's own facts answer: a store rule beside them must answer something they
                # do not (an asked word none of them holds), not restate the topic ("赠品不单独开发票"
                # beside the gift, a consumables rule beside the warranty field)
                chosen, beside = _rules_beside_fields(
                    answer.facts, chosen, [*general, *part.crossed], part.kinds
                )
                rest = [*beside, *rest]
            if past_warranty and chosen:
                answer.alternates = [*answer.facts, *answer.alternates]
                answer.facts = []
            answer.facts.extend(chosen)
            answer.alternates.extend(rest)
            if closest and vectors:
                rule = max(self._policy_closeness(chosen, vectors[i]), default=-1.0)
                fields = [fact for sim, fact in closest if sim >= rule]
                if fields:  # the product's own field is closer than any rule found
                    answer.facts = fields
                    answer.alternates = [*chosen, *answer.alternates]
            if answer.needs_product and chosen and not (set(part.kinds) & _MODEL_KINDS):
                # which of several models is unclear, but a store rule answers for every one of them
                # ("预约的安装能改时间吗", "过保维修怎么收费"): the rule is the answer, not a question back
                answer.needs_product = False
            if (
                not answer.facts
                and not products
                and not resolution.ambiguous
                and resolution.how == "none"
                and set(part.kinds) & _MODEL_ASKED
                and not (set(part.kinds) & POLICY_KINDS)
            ):
                # a question only a product's sheet answers (its warranty, its installation fee) that names
                # no product and that no store rule answers: ask which model, not promise a check
                answer.needs_product = True
            if not answer.facts and not part.kinds and resolution.ambiguous and not products:
                # a question of no known kind that no store rule answers, about one of several named
                # products ("多厚？"): about that product too, so ask which (or state what they share)
                shared = self._shared_answer(resolution.ambiguous, part, aspect, language)
                answer.needs_product = shared is None
                answer.facts.extend(shared or [])
            _not_again(answer, used)
            answers.append(answer)
        if variant:
            answers = [_vary(a, variant) for a in answers]
        return AnswerPlan(language, resolution, answers, list(products))

    def resolve(
        self,
        message: str,
        *,
        history: Sequence[str] = (),
        product_ids: Sequence[str] = (),
        context: str | None = None,
    ) -> Resolution:
        return self.resolver.resolve(message, history, product_ids, context)

    # --- product facts ---------------------------------------------------------------------------
    def _product_facts(
        self,
        ref: ProductRef,
        part: QuestionPart,
        aspect: list[str],
        language: Language,
        trace: dict[str, float] | None = None,
        worded: set[str] | None = None,
    ) -> tuple[list[Fact], list[Fact]]:
        """``worded`` gets the product's id when a chosen field holds an asked word other than the product's
        own name words (not only the asked kind)."""
        facts = self.store.product_facts(ref.product_id)
        if not facts:
            return [], []
        crossed = list(part.crossed)
        matchers = self._product_matchers(ref.product_id, facts)
        weights = _idf([*aspect, *crossed], matchers)
        aspect_words = [t for t in aspect if weight(t) >= 2 and not _generic(t)]
        # the kind's own words (保修, 几年) are already counted by the kind: the thing asked about (面板,
        # 主控板, 拆旧) decides which of the sheet's facts of that kind answers
        weights = {t: w * (GENERIC_WEIGHT if _generic(t) else 1.0) for t, w in weights.items()}
        asked, asked_x = _Query(aspect, weights), _Query(crossed, weights)
        own_name = _name_terms([ref])
        own_free = [t for t in [*aspect, *crossed] if weight(t) >= 2 and not own_name.has(t)]
        scored: list[tuple[float, int, Fact]] = []
        matched_words = False
        placing = bool(_PLACEMENT.search(part.text))
        installing = placing or bool(_INSTALLING.search(part.text))
        # a measure of the product itself (多重, how thick): the product's own description states it in the
        # asked unit under whatever heading its list put it ("⑥外观…，17.5 kg")
        measuring = bool(part.kinds) and set(part.kinds) <= _MEASURE_KINDS
        measures = stated(part.text)  # "腰围82厘米", "四口人": the row or range holding it answers
        ago = elapsed_days(part.text)  # "买了10天": the shortest window still open applies
        fitted: dict[int, bool] = {}
        # a store-rule question ("换货有什么要求") is not answered by a sheet field of another kind that
        # shares a word with it (安装说明/基本要求)
        rule_only = bool(part.kinds) and set(part.kinds) <= POLICY_KINDS
        # a part asking first about a store rule ("…充电器和耳机，发的是顺丰吗"): a product noun's kind word
        # (充电 in 充电器) asks nothing of the sheet, so the spec-like kinds are not matched
        rules = [k for k in part.kinds if k not in _NOUN_KINDS] if part.kind in POLICY_KINDS else []
        for pos, fact in enumerate(facts):
            score = _kind_match(fact.kind, rules or part.kinds)
            m = matchers[pos]
            lexical = max(asked.share(m), asked_x.share(m))
            in_unit = bool(part.units) and (
                any(q.unit in part.units for q in fact.quantities) or bool(counted(fact.text) & part.units)
            )
            if role_of(fact.label) == "name" and not (in_unit or _names_attribute(part.text, fact.text)):
                continue  # the title matches the words that name the product; it answers only a spec in it
            if role_of(fact.label) == "name":
                score -= TITLE_PENALTY  # a field stating the same figure says it better
            if score == 0 and _names_record(part.text, fact):
                score = 0.6  # the question names this record (a gift, a fitting) and asks about it
            if score == 0 and measuring and in_unit and _describes_itself(fact):
                score = 0.6  # its own description states the asked measure under another heading
            if (
                score == 0
                and not fact.pairs
                and part.kinds
                and (set(rules or part.kinds) & _text_kinds(fact.text))
            ):
                score = 0.6  # a fact classed by its main topic that speaks of the asked kind too
            if (rule_only or rules) and score == 0:
                continue
            fitting = installing and bool(_INSTALL_FIELD.search(fact.field))
            named_code = any(_CODE_LIKE.search(t) and m.has(t) for t in aspect)  # names another model
            matched_words = matched_words or lexical > 0 or (fitting and in_unit)
            placed = in_unit and (lexical > 0 or fitting)
            if fitting and language == "en" and asked_x.share(m) > 0:
                # an English question about fitting it ("can it go in my bathroom") shares few words with a
                # Chinese installation note: one of its words there (浴室) makes the note a candidate
                placed = True
            fit = fits(fact.pairs, fact.text, measures) if measures else None
            if fit is not None:
                fitted[pos] = fit
                placed = placed or fit
            if score == 0 and lexical < LEXICAL_ONLY and not placed:
                continue  # neither of the asked kind nor holding the asked words (or the asked unit)
            if score <= 0 and not placed and aspect_words and not any(m.has(t) for t in own_free):
                continue  # it shares only the product's own name words ("65W充电器是哪个工厂代工的")
            if (
                score == 0
                and not fit
                and self._names_another(ref, fact)
                and not any(m.has(t) for t in own_free)
            ):
                # a record of another product (an exchangeable model's title and status) shares only the
                # asked product's own name words ("燃气热水器"): it answers no question about this one
                continue
            if part.units:
                # a spec question is answered by a figure in the asked unit (多重 -> kg), wherever stated
                score += UNIT_BONUS if in_unit else (-0.3 if fact.kind in ("spec", "size") else 0.0)
            if fitting:
                score += INSTALL_BONUS  # "嵌入柜子要留多少" is answered by the installation requirements
            # (a hole or gap asked without a unit, "排烟孔要开多大": a length answers)
            if placing and (in_unit or (not part.units and any(q.unit in _LENGTHS for q in fact.quantities))):
                if (
                    fitting
                    and (lexical > 0 or _DISTANCE.search(fact.text))
                    and not any(q.unit.startswith("yuan") for q in fact.quantities)
                ):
                    score += PLACEMENT_BONUS  # "灶台面到机身底部65–75厘米", not a fee's "1.5米以内"
                elif not fitting and fact.kind in _MEASURE_KINDS and lexical == 0:
                    score -= PLACEMENT_BONUS  # the product's own size says nothing of where it goes
            if fact.kind == "exchange" and fact.pairs and not _SWAP_TO.search(part.text) and not named_code:
                score -= 0.8  # the list of exchangeable products answers "换成哪款", not "能换货吗"
            if is_descriptive(fact.field.split("/")[0]) and fact.kind in _FIELD_KINDS:
                score -= DESCRIPTIVE_PENALTY  # marketing text restating a fact a field of its own holds
            score += LEXICAL_WEIGHT * lexical
            if lexical == 0 and aspect_words and not fitting:
                if fact.kind == "fault" and fact.pairs and not short_codes(f"{fact.label} {fact.text}"):
                    continue  # a row of one symptom that shares no asked word is another fault's answer
                score -= 0.3  # of the asked kind, but none of the asked words: a sibling field
            if part.asks_time and any(q.unit in _TIME_UNITS for q in fact.quantities):
                score += 0.2
            score += OPENED_BONUS * _opened_fit(part.text, fact.text)
            if part.asks_money:
                # "多少钱" is answered by an amount (or by "免费"), not by a description of the thing
                free = bool(_FREE.search(fact.text))
                if any(q.unit.startswith("yuan") for q in fact.quantities) or _is_price_field(fact):
                    score += 0.2
                elif not free:
                    score -= 0.2
                elif _ASKS_FREE.search(part.text):
                    score += 0.3  # "安装收费吗" is answered first by whether it is free
            scored.append((score, pos, fact))
        scored = _only_asked_codes(part.text, scored)
        if any(fitted.values()):  # the rows (ranges) holding the stated figure, not their neighbours
            scored = [
                (sc + FIT_BONUS if fitted.get(p) else sc, p, f)
                for sc, p, f in scored
                if fitted.get(p) is not False
            ]
        scored = _by_window(scored, ago)
        if trace is not None:
            trace.update({f.digest: round(sc, 3) for sc, _, f in scored})
        # only the kind matched (no asked word in any field): one fact of that kind, not its siblings; but
        # every record of a gift list answers "送什么"
        limit = PER_PART if matched_words else 1
        if part.kind == "gift":
            limit = max(limit, sum(1 for _, _, f in scored if f.kind == "gift" and f.pairs))
        chosen, rest = _top(scored, MIN_PRODUCT_SCORE, min(limit, MAX_RECORDS))
        if len(chosen) > 1 and part.kinds:
            chosen, off = _second_adds_nothing(
                chosen, {f.digest: sc for sc, _, f in scored}, part, [*own_free], matchers, facts
            )
            rest = [*off, *rest]
        things = [t for t in aspect if weight(t) >= 2 and not _generic(t)]
        ranked = [f for s, _, f in sorted(scored, key=lambda x: (-x[0], x[1])) if s >= MIN_PRODUCT_SCORE]
        added, _ = _add_uncovered(chosen, [f for f in ranked if f not in chosen], things, facts, matchers)
        at = {f.digest: p for p, f in enumerate(facts)}
        holding = [f for f in added if any(matchers[at[f.digest]].has(t) for t in own_free)]
        thing = [
            f for f in holding if any(matchers[at[f.digest]].has(t) for t in own_free if not _price_word(t))
        ]
        fees = [
            f
            for f in thing
            if f.kind in _FEE_KINDS
            and (any(q.unit.startswith("yuan") for q in f.quantities) or _FREE.search(f.text))
        ]
        if "price" in part.kinds and fees:
            # "what does an extra angle valve cost", "拆旧机多少钱": the price of the part or service asked
            # about (a fitting, a fee) answers, not the listing's own price beside it
            # (nor is it, or a fee of another part, a next-best answer: said alone, it would read as the
            # asked part's price)
            added = [f for f in added if not (_is_price_field(f) and f not in thing)]
            rest = [
                f for f in rest if any(matchers[at[f.digest]].has(t) for t in own_free if not _price_word(t))
            ]
        if worded is not None and holding:
            worded.add(ref.product_id)  # a chosen field holds an asked word beyond the product's name
        return added, [f for f in rest if f not in added]

    def _policy_closeness(self, facts: Sequence[Fact], vector: Any) -> list[float]:
        """Cosine similarity of these policy facts to a question vector."""
        if not facts:
            return []
        sims = self.store.policy_similarity(vector)
        return [float(sims[self._policy_pos[f.digest]]) for f in facts if f.digest in self._policy_pos]

    def _closest_product_fact(
        self, ref: ProductRef, part: QuestionPart, vector: Any
    ) -> tuple[float, Fact] | None:
        """The product's field closest in meaning to a question part that no field matched by kind or by
        word: taken only when it stands out from the sheet's other fields (an unanswerable question, "电源线
        多长", is about equally close to all of them) and its value shares a character of the asked words
        outside the product's name (so "哪个工厂代工" is not answered by the charger's compatibility)."""
        if not part.question or self.embedder is None or not self.store.has_vectors(self.embedder):
            return None
        facts = self.store.product_facts(ref.product_id)
        sims = self.store.product_similarity(ref.product_id, vector)
        if len(sims) != len(facts) or len(facts) < 3:
            return None
        median = float(np.median(sims))
        fields = [i for i, f in enumerate(facts) if role_of(f.label) is None and role_of(f.field) is None]
        if not fields:
            return None
        best = max(fields, key=lambda i: float(sims[i]))
        if float(sims[best]) - median < PRODUCT_SPREAD:
            return None
        name = _marks(" ".join([ref.name, ref.product_id, *ref.codes]))
        asked = _marks(" ".join([*part.terms, *part.crossed])) - name
        if not asked & _marks(facts[best].text):  # the value itself, not only its field name
            return None
        return float(sims[best]), facts[best]

    def _closest_across(self, ref: ProductRef, part: QuestionPart, chosen: Sequence[Fact]) -> Fact | None:
        """For a question in English about a sheet that is not (no shared words: only the kind chose
        ``chosen``): the product's field closest in meaning to the part with the product's name taken
        out, when it stands out from the sheet's fields (``ACROSS_SPREAD`` over their median) and is closer
        than every chosen fact by ``ACROSS_MARGIN``; else None (the kind's choice stands)."""
        if not part.question or self.embedder is None or not self.store.has_vectors(self.embedder):
            return None
        if CJK.search(part.text) or _ENGLISH_WORD.search(part.text) is None:
            return None
        facts = self.store.product_facts(ref.product_id)
        if len(facts) < 3 or any(f.english for f in facts if role_of(f.label) is None):
            return None  # an English sheet: its words match the question's
        sims = self.store.product_similarity(ref.product_id, self._query_vector(part.text))
        if len(sims) != len(facts):
            return None
        if any(_is_price_field(f) for f in chosen):
            return None  # the sheet's own price field: the kind chose right
        # (the marketing description is close in meaning to almost any question about the product)
        fields = [
            i
            for i, f in enumerate(facts)
            if role_of(f.label) is None
            and role_of(f.field) is None
            and not is_descriptive(f.field.split("/")[0])
            and (not f.pairs or f.kind == "gift")
        ]
        if not fields:
            return None
        best = max(fields, key=lambda i: float(sims[i]))
        top = float(sims[best])
        if top - float(np.median(sims)) < ACROSS_SPREAD:
            return None
        if any(_in_units(f, part) for f in chosen) and not _in_units(facts[best], part):
            return None  # a figure in the asked unit (多重 -> kg) beats a closer field stating none
        pos = {f.digest: i for i, f in enumerate(facts)}
        rivals = [float(sims[pos[f.digest]]) for f in chosen if f.digest in pos and f is not facts[best]]
        if facts[best] in chosen or (rivals and top - max(rivals) < ACROSS_MARGIN):
            return None
        return facts[best]

    def _query_vector(self, text: str) -> Any:
        assert self.embedder is not None
        return self.embedder.embed_query(text)

    def _closer_in_meaning(
        self, ref: ProductRef, part: QuestionPart, vector: Any, chosen: list[Fact], rest: list[Fact]
    ) -> tuple[list[Fact], list[Fact]]:
        """The field closest in meaning (by the index-time vectors, under the same floor as
        ``_closest_product_fact``) instead of facts chosen by kind alone, when it is closer than every one
        of them by PRODUCT_SPREAD; the facts it replaces become alternates."""
        closest = self._closest_product_fact(ref, part, vector)
        if closest is None:
            return chosen, rest
        sim, fact = closest
        if fact in chosen:
            return chosen, rest
        facts = self.store.product_facts(ref.product_id)
        sims = self.store.product_similarity(ref.product_id, vector)
        at = {f.digest: i for i, f in enumerate(facts)}
        near = max((float(sims[at[f.digest]]) for f in chosen if f.digest in at), default=-1.0)
        if sim - near < PRODUCT_SPREAD:
            return chosen, rest
        return [fact], [*chosen, *(f for f in rest if f != fact)]

    def _names_another(self, ref: ProductRef, fact: Fact) -> bool:
        """The fact names another product: an id other than its own, or another catalogue product's code."""
        key = (ref.product_id, fact.digest)
        found = self._foreign.get(key)
        if found is None:
            own = {squash(c) for c in (*ref.codes, ref.product_id)}
            ids = {m for m in _LONG_ID.findall(fact.text) if m != ref.product_id}
            text = squash(fact.text)
            codes = {k for k in self.resolver.codes if k in text and not any(k in o for o in own)}
            found = bool(ids or codes)
            self._foreign[key] = found
        return found

    def _shared_answer(
        self, refs: Sequence[ProductRef], part: QuestionPart, aspect: list[str], language: Language
    ) -> list[Fact] | None:
        """When every near-duplicate gives the same answer (the same fault code table, the same
        warranty), that answer is safe to state without knowing which one; else None (ask which)."""
        if len(refs) > MAX_SHARED:
            return None
        answers = [self._product_facts(ref, part, aspect, language)[0] for ref in refs]
        if not all(answers):
            return None
        # the same fields with the same numbers: the wording may differ a little ("…请报修" / "…请报修，
        # 师傅上门检测"), so the shortest version (claiming least) is stated
        shapes = {
            tuple(sorted((f.field, tuple(sorted((q.value, q.unit) for q in f.quantities))) for f in facts))
            for facts in answers
        }
        if len(shapes) != 1:
            return None
        return min(answers, key=lambda facts: sum(len(f.text) for f in facts))

    def _product_matchers(self, product_id: str, facts: Sequence[Fact]) -> list[Matcher]:
        found = self._matchers.get(product_id)
        if found is None or len(found) != len(facts):
            found = [Matcher(f"{f.field} {f.label} {f.text}") for f in facts]
            self._matchers[product_id] = found  # a race only builds the same list twice
        return found

    # --- policy facts ----------------------------------------------------------------------------
    def _part_vectors(self, parts: Sequence[QuestionPart]) -> list[Any] | None:
        if self.embedder is None or not self.store.policy_facts():
            return None
        return [self.embedder.embed_query(p.text) for p in parts]

    def _cross_vectors(self, parts: Sequence[QuestionPart], language: Language) -> list[Any] | None:
        """For an English question, each part embedded with its glossary terms in the catalogue's words,
        to compare with the store's Chinese policy sentences: the small multilingual model ranks Chinese
        sentences poorly for English text alone (the answering rule of 15 English questions over the
        demo's Chinese policies: median rank 16 alone, 1 with the terms). English sentences keep the
        plain vector: the Chinese terms would pull the question away from them."""
        if language != "en" or self.translate is None or self.embedder is None:
            return None
        if False not in self._policy_languages:
            return None  # every policy sentence is English: the plain vector measures them all
        return [self.embedder.embed_query(f"{p.text} {self.translate(p.text)}".strip()) for p in parts]

    def _policy_facts(
        self,
        part: QuestionPart,
        aspect: list[str],
        vector: Any,
        language: Language,
        ranks: dict[str, int],
        strict: bool = False,
        trace: dict[str, float] | None = None,
        cross: Any = None,
    ) -> tuple[list[Fact], list[Fact]]:
        """``cross``: the part embedded with its terms in the catalogue's language (English questions),
        the vector its distance to a sentence in the other language is measured with."""
        policy = self.store.policy_facts()
        if not policy:
            return [], []
        embedded = vector is not None and self.embedder is not None and self.store.has_vectors(self.embedder)
        plain = _Closeness(
            self.store.policy_similarity(vector) if embedded else np.zeros(len(policy), dtype=np.float32)
        )
        # each sentence is measured with the vector of its own language, against that vector's distances to
        # every sentence (the two vectors' cosines are not on one scale)
        other = _Closeness(self.store.policy_similarity(cross)) if embedded and cross is not None else plain
        crossed = list(part.crossed)
        matchers = self._policy_matchers
        weights = _idf([*aspect, *crossed], matchers)
        asked, asked_x = _Query(aspect, weights), _Query(crossed, weights)
        own_words = _own_words(part)
        # the customer's case: the part, and for a follow-up ("寄回运费谁付") the question it follows
        case = f"{part.context} {part.text}".strip()
        place = bool(_ASKS_PLACE.search(part.text))  # "寄到哪里", "where do I send it": an address answers
        states = _state_words(part.text)  # "还没发货" is the "未发货" a rule names
        amount = stated_amount(part.text)  # "买了50块钱的": the rule for that amount applies
        if states:
            weights = {**weights, **{t: weight(t) * 2 for t in states}}
            asked = _Query([*aspect, *states], weights)
        own_kind_said = (language == "en") in self._policy_languages and (
            not part.kinds
            or any(f.english == (language == "en") and _kind_match(f.kind, part.kinds) >= 0.8 for f in policy)
        )
        scored: list[tuple[float, int, Fact]] = []
        boosts: dict[int, float] = {}  # the closeness a Chinese sentence gains for an English question
        for pos, fact in enumerate(policy):
            if ABOUT_THE_PAGE.search(fact.text):
                continue  # "本页说明…退款多久到账": what the page covers, never the rule asked
            kind = _kind_match(fact.kind, part.kinds)
            if kind and " › " not in fact.field and not (_text_kinds(fact.text) & set(part.kinds)):
                # a document's opening sentence takes the document's kind, but answers only when it speaks
                # of the asked kind itself ("The Chinese pages apply if they differ" is no shipping rule)
                kind = 0.0
            m = matchers[pos]
            lexical = max(asked.share(m), asked_x.share(m))
            view = plain if fact.english else other
            sim = float(view.sims[pos])
            near = view.semantic and sim >= view.best - SIM_MARGIN and (lexical > 0 or kind > 0)
            # a sentence of the asked kind holding the asked kind's own word ("能取消吗" and "取消：仅在…"):
            # the question's other words ("昨天下的单") only tell the circumstances
            own = kind >= 1.0 and any(m.has(t) for t in own_words)
            # a sentence of the asked policy topic (price protection, a damaged parcel, a complaint): its
            # section is where the answer is, whatever words it shares with the question
            # (a rule of one of its sections: a document's opening words only introduce the topic)
            topic = _of_topic(fact, part)
            own = own or topic
            if not near and not own and not (lexical >= LEXICAL_ONLY and (kind > 0 or lexical >= 0.4)):
                continue  # the floor: not among the closest in meaning (and of the asked kind or words),
                # nor clearly sharing the asked words
            if strict and not (near and lexical >= LEXICAL_ONLY):
                continue  # the product's own facts answer already: only a sentence close in both ways
            closeness = (sim - view.median) / view.spread if view.semantic else 0.0
            rank = ranks.get(fact.chunk_id or "")
            prior = RETRIEVAL_PRIOR * (1 - rank / max(1, len(ranks))) if rank is not None else 0.0
            said = topic and fact.english != (language == "en") and self._said_in_english(fact, language)
            if said:
                # a rule of the asked topic the English renderer says whole is no second choice, and an
                # English question's distance to a Chinese sentence says little about its meaning
                closeness = max(closeness, 0.0)
            boost = 0.0
            if language == "en" and not fact.english:
                # an English question shares only glossary words with a Chinese sentence (a word of a
                # concept finds its every sentence): its meaning, embedded with those words, decides more
                boost = (CROSS_CLOSENESS - 1) * closeness
            score = closeness + boost + lexical + 0.3 * kind + prior + (TOPIC_BONUS if topic else 0.0)
            if fact.english != (language == "en") and not said and own_kind_said:
                # the store states rules of the asked kind in the question's language: those come first
                # (a store with English pages for some topics only still answers the others in Chinese)
                score *= 0.6
                boost *= 0.6
            if part.asks_time and any(q.unit in _TIME_UNITS for q in fact.quantities):
                score += 0.15
            if part.asks_money and any(q.unit.startswith("yuan") for q in fact.quantities):
                score += 0.15
            if place and _ADDRESS.search(fact.text):
                score += PLACE_BONUS
            score += LEAD_BONUS * _lead_match(fact.text, part.text)
            if aspect_match(part.text, fact.text):
                score += ASPECT_BONUS
            if amount is not None:
                score += AMOUNT_BONUS * amount_fit(fact.text, amount)
            if _QUALITY_LEAD.match(fact.text) and not _TELLS_FAULT.search(case):
                score -= QUALITY_PENALTY  # "尺码不合适": the rule for a quality problem is not the customer's
            elif (
                _NON_QUALITY_LEAD.match(fact.text)
                and _TELLS_FAULT.search(case)
                and not _SAYS_NO_FAULT.search(case)
            ):
                # "it arrived defective": the rule scoped to returns without one contradicts the customer
                score -= NON_QUALITY_PENALTY
            scored.append((score, pos, fact))
            if boost > 0:
                boosts[pos] = boost
        scored = _by_window(scored, elapsed_days(part.text))
        if language == "en" and any(_of_topic(f, part) for sc, _, f in scored if sc >= MIN_POLICY_SCORE):
            # the asked topic has a rule that answers (said in English, or else the draft promises a
            # check): an English sentence of a kind not asked (a return rule for a lost parcel, a refund
            # time for "can I pay in instalments") only shares words with the question
            # (when the topic is what is asked first, only its own rules: "can I get the difference back"
            # asks price protection, not a refund time)
            wanted = {part.kind} if part.kind in TOPICS else set(part.kinds)
            # (a rule of the very shape asked, "who pays", answers whatever section states it)
            scored = [x for x in scored if x[2].kind in wanted or aspect_match(part.text, x[2].text)]
        if trace is not None:
            trace.update({f.digest: round(sc, 3) for sc, _, f in scored})
        # the closeness an English question's Chinese candidates gain ranks them, but a second rule must
        # come as near the best one as in a Chinese question: meaning across languages barely tells close
        # sentences apart (their cosines nearly tie), so the gain would let every near one stand beside it
        chosen, rest = _top(scored, MIN_POLICY_SCORE, POLICY_PER_PART, boosts)
        if len(chosen) > 1:
            # a rule for a case the customer did not name ("冷链食品单独计算：…") beside the rule that answers
            # the case asked ("不满99元的订单收取运费8元") is an unasked line
            chosen, off = _unasked_cases(chosen, {f.digest: sc for sc, _, f in scored}, part)
            rest = [*off, *rest]
        aspects = asked_aspects(part.text)
        if len(aspects) >= 2 and chosen:
            chosen, rest = _cover_aspects(scored, aspects, chosen, rest)
        elif len(chosen) > 1 and language == "en":
            # an English question shares its every noun with the store's English pages ("water heaters"
            # in a return rule) and only glossary words with its Chinese rules: a rule of an unasked kind
            # ranked by those nouns does not stand beside a rule of the asked kind
            chosen, off = _rules_of_asked_kind(chosen, part, {f.digest: sc for sc, _, f in scored})
            rest = [*off, *rest]
        return chosen, rest

    def _said_in_english(self, fact: Fact, language: Language) -> bool:
        """A Chinese rule the English renderer says whole, without quoting Chinese."""
        if language != "en" or fact.english:
            return language == "en"
        said = self._english.get(fact.digest)
        if said is None:
            text = fact_en(fact.kind, fact.text, fact.label, fact.pairs, "", product=False, quote=omit_quote)
            said = bool(text) and not CJK.search(text or "")
            self._english[fact.digest] = said
        return said


# A rule led by the case of a quality problem (a fault, a wrong or missing item); a question telling of one.
_QUALITY_LEAD = re.compile(
    r"(?:因|由于|若|如)?(?:质量问题|性能故障|发错货|错发|少发|漏发)"
    r"|(?:for )?(?:quality (?:problems?|issues?)|defective|faulty|wrong (?:items?|goods))\b",
    re.IGNORECASE,
)
# A rule led by the case of no quality problem ("非质量问题退货", "for non-quality returns").
_NON_QUALITY_LEAD = re.compile(
    r"(?:因|由于|若|如)?(?:非|无|不是|没有)质量问题"
    r"|(?:for )?non-quality\b|(?:without|no) (?:a )?quality (?:problem|issue)",
    re.IGNORECASE,
)
_SAYS_NO_FAULT = re.compile(
    r"(?:非|无|不是|没有|没)(?:什么)?质量问题|没坏|没有?问题|non-quality"
    r"|\bnot (?:defective|faulty|broken|damaged)|\bnothing wrong|\bno (?:quality )?(?:problem|issue|defect)",
    re.IGNORECASE,
)
_TELLS_FAULT = re.compile(
    r"质量|坏|故障|破|碎|裂|错|少发|漏发|少了|缺|瑕疵|问题|毛病|不能用|不工作|不好用|开线|脱胶|漏水|异味|变质|霉"
    r"|\b(?:quality|defect\w*|faulty|broken|damaged|wrong|missing|not working|doesn't work)\b",
    re.IGNORECASE,
)


_ASKS_PLACE = re.compile(
    r"寄到哪|寄去哪|寄哪|退到哪|发到哪|寄回哪|什么地址|啥地址|地址是|"
    r"\bwhere\b.{0,24}\b(?:send|post|ship|return|mail)|\baddress\b",
    re.IGNORECASE,
)
_ADDRESS = re.compile(
    r"地址|[省市区县路街]\S{0,8}\d+号|\baddress\b|\b\d+ [A-Z][a-z]+ (?:Road|Street|Avenue)\b"
)


class _Closeness:
    """One question vector's cosines to every policy sentence, with the best and the median: meaning counts
    only when some sentences stand out from the rest (an unanswerable question is about equally far from
    every sentence)."""

    def __init__(self, sims: np.ndarray) -> None:
        self.sims = sims
        self.best = float(sims.max()) if len(sims) else 0.0
        self.median = float(np.median(sims)) if len(sims) else 0.0
        self.spread = self.best - self.median
        self.semantic = self.spread >= MIN_SPREAD


def _field_answer(facts: Sequence[Fact], part: QuestionPart) -> bool:
    """A fact answering by its very field: a field of the asked kind that has one (the price, the
    warranty) or a figure in the asked unit (多重 -> kg). A bare value carries little meaning of its own,
    so a field closer in meaning does not replace it."""
    return any(
        (f.kind in _FIELD_KINDS and f.kind in part.kinds)
        or (bool(part.units) and any(q.unit in part.units for q in f.quantities))
        for f in facts
    )


def _of_topic(fact: Fact, part: QuestionPart) -> bool:
    """A rule of the asked policy topic's own section (price protection, a lost parcel, payment)."""
    return fact.kind in TOPICS and fact.kind in part.kinds and " › " in fact.field


_ENGLISH_WORD = re.compile(r"[A-Za-z]{3,}")


def _in_units(fact: Fact, part: QuestionPart) -> bool:
    return bool(part.units) and any(q.unit in part.units for q in fact.quantities)


_LONG_ID = re.compile(rf"(?<![0-9.])\d{{{ID_MIN + 2},}}(?![0-9.])")  # an item id, not a quantity
_ASKED_AFTER = re.compile(r"多|几|吗|呢|啥|什么|怎|[？?]")  # "风量多大": the attribute itself is asked
_INSTALLING = re.compile(
    r"装|嵌入|预留|留多|开孔|打孔|离墙|橱柜|柜子|\binstall|\bfit\b|\bfitted\b|\bmount|\bbuilt-?in\b|\bcabinet|"
    r"\bcupboard|\bworktop|\bcounter-?top|\brecess|\bniche\b|\bcut-?out|\bclearance|\bgo in\b",
    re.IGNORECASE,
)
_INSTALL_FIELD = re.compile(r"安装|install", re.IGNORECASE)
# a distance between the product and something else ("离灶台要装多高", "how far above the hob", "顶部要留多少
# 空隙", "space around the fridge"): where it goes, which its installation requirements state, not its own
# dimensions
_PLACEMENT = re.compile(
    r"离.{0,8}?(?:多高|多远|多少|几)|间隙|空隙|间距|留多|预留|要留|留出|开孔|孔.{0,3}多大|开多大|"
    r"\bholes?\b|\bcut-?out\b|"
    r"\bhow (?:far|high|low)\b.{0,12}\b(?:above|below|from|off)\b|\bclearance|\bgap\b|\bdistance\b|"
    r"\bspace\b.{0,6}\b(?:around|above|below|between|behind|beside)\b|\bleave\b.{0,24}\b(?:space|room|gap)\b",
    re.IGNORECASE,
)
# a requirement stating a distance between two things (到/离/距, a gap to leave), not a length of a part
_DISTANCE = re.compile(
    r"到|离|距|间隙|空隙|间距|预留|留出|\babove\b|\bbelow\b|\bfrom\b|\bgap\b|\bclearance", re.I
)
_LENGTHS = frozenset({"mm", "cm", "m"})
_FEE_KINDS = frozenset({"install_fee", "materials", "remote_fee"})  # where a part's or a service's price is
PLACEMENT_BONUS = 0.5  # an installation requirement stating a length, for a question where the product goes
_CODE_LIKE = re.compile(r"[a-z][0-9]|[0-9][a-z]", re.IGNORECASE)
_SWAP_TO = re.compile(
    r"换成|换哪|换什么|换啥|换个|换一?款|换大|换小|换别的|有哪些|哪些|换.{0,3}(?:色|码|款|版|型号)|同系列|同款|"
    r"\bswap\b|\bfor (?:the|a|another)\b|"
    r"\binstead\b|\bwhich\b|\bother\b",
    re.IGNORECASE,
)
_FREE = re.compile(
    r"免费|不收费|无需付费|包含在内|含(?:基础|免费)?(?:上门)?安装|free of charge|\bfree\b", re.IGNORECASE
)
_FIGURE = re.compile(r"[\d.]+[a-z%]{0,3}", re.IGNORECASE)
_ASKS_FREE = re.compile(
    r"免费|收费吗|要钱吗|收钱吗|要收费|付费吗|要不要钱|收不收费|收不收钱|另外收|额外收|另外(?:给|掏|付)钱|给钱吗"
    r"|\bfree\b|\bcharge for\b",
    re.IGNORECASE,
)


# The customer opened or used the item ("开袋了", "拆开用过了"); a rule for an unopened item ("未拆封可退")
# or for an opened one ("拆封后不退")
_SAYS_OPENED = re.compile(
    r"(?<!没)(?<!未)(?:拆了|拆开|拆封|开封|开袋|开箱|打开了|开过|用过|试用了|用了|吃了)"
)
_UNOPENED_RULE = re.compile(r"(?:^|[，,；;。])\s*(?:整[箱包盒袋])?(?:未|没有?)(?:拆封|开封|拆开|拆)")
_OPENED_RULE = re.compile(r"(?:已)?(?:拆封|开封|拆开|开袋)(?:后|的)")


def _opened_fit(question: str, rule: str) -> int:
    """+1 for a rule about an opened item when the customer opened it, -1 for one about an unopened item."""
    if not _SAYS_OPENED.search(question):
        return 0
    if _UNOPENED_RULE.search(rule):
        return -1
    return 1 if _OPENED_RULE.search(rule) else 0


# "过保了", "过了保修期", "保修期已经过了", "out of warranty": the warranty has run out
_PAST_WARRANTY = re.compile(
    r"过保|过了保修|超过保修|超出保修|保修期(?:已经?)?过"
    r"|\b(?:out of|expired|past|after|beyond|no longer under) (?:the |its |my )?warranty"
    r"|\bwarranty (?:period )?(?:has |is |had )?(?:expired|ended|over|run out|finished)",
    re.IGNORECASE,
)
_LEAD = re.compile(r"^([^：:，,。；;]{2,10})[：:]")
_STATE = (("已经", "已"), ("还没有", "未"), ("还没", "未"), ("没有", "未"), ("尚未", "未"), ("没", "未"),
          ("already ", "已"), ("not yet ", "未"), ("hasn't ", "未"), ("has not ", "未"))  # fmt: skip


def _state_words(question: str) -> list[str]:
    """The states a question puts itself in, as rules write them ("还没发货" -> 未发货)."""
    asked = question.lower()
    for word, state in _STATE:
        asked = asked.replace(word, state)
    return list(dict.fromkeys(m.group(0) for m in re.finditer(r"[已未][\u4e00-\u9fff]{2}", asked)))


def _lead_match(text: str, question: str) -> int:
    """A rule led by the case it covers ("已发货：…", "未发货：…"): +1 when the question is in that case,
    -1 when it is in the opposite state (已 <-> 未), 0 otherwise."""
    m = _LEAD.match(text)
    if not m:
        return 0
    lead = m.group(1)
    if len(lead) < 3:
        return 0  # a step's name ("方案：", "受理：") is no case the customer is in ("对处理方案不满意")
    asked = question.lower()
    for word, state in _STATE:
        asked = asked.replace(word, state)
    if lead in asked:
        return 1
    swapped = lead.translate(str.maketrans("已未", "未已"))
    return -1 if swapped != lead and swapped in asked else 0


_LATIN_WORD = re.compile(r"[a-z]{3,}")
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")


def _case_marks(text: str) -> set[str]:
    """The marks two texts share when they name the same case: Chinese character pairs, English words."""
    lowered = text.lower()
    pairs = {run[i : i + 2] for run in _CJK_RUN.findall(lowered) for i in range(len(run) - 1)}
    return pairs | set(_LATIN_WORD.findall(lowered))


def _case_lead(text: str) -> str | None:
    """The case a rule is led by ("冷链食品单独计算：…", "大件：…"), when it names one (3+ characters; a
    step's name such as "方案：" is no case)."""
    m = _LEAD.match(text)
    return m.group(1) if m and len(m.group(1)) >= 3 else None


def _unasked_cases(
    chosen: list[Fact], score: dict[str, float], part: QuestionPart
) -> tuple[list[Fact], list[Fact]]:
    """The rules quoted for one part, less a second rule led by a case the question does not name, when
    the best rule is general (no lead) or led by the case asked: "冷链食品单独计算：…不满99元收取运费15元"
    does not stand beside "不满99元的订单收取运费8元" for "不满99的订单运费多少". When the best rule is
    itself led by a case the customer did not name, the question is split by cases ("非质量问题退货：…",
    "质量问题：…") and every case stays."""
    asked = _case_marks(" ".join([part.context, part.text, *part.terms, *part.crossed]))
    best = max(chosen, key=lambda f: score.get(f.digest, 0.0))
    lead = _case_lead(best.text)
    if lead is not None and not (_case_marks(lead) & asked):
        return chosen, []
    # a rule holding an asked word the best one lacks answers something more ("部分退货：…只退该商品的实付
    # 金额" for "只退其中1件"), whatever its lead says
    words = [t for t in dict.fromkeys([*part.terms, *part.crossed]) if weight(t) >= 2 and not _generic(t)]
    said = Matcher(f"{best.label} {best.text}")
    more = {t for t in words if not said.has(t)}

    def other_case(fact: Fact) -> bool:
        lead = _case_lead(fact.text)
        if lead is None or _case_marks(lead) & asked:
            return False
        m = Matcher(fact.text)
        return not any(m.has(t) for t in more)

    off = [f for f in chosen if f is not best and other_case(f)]
    return [f for f in chosen if f not in off], off


def _by_window(scored: list[tuple[float, int, Fact]], ago: float | None) -> list[tuple[float, int, Fact]]:
    """ "买了10天就坏了": of the rules with a window ("7天内…", "15天内…"), the shortest one still open
    applies (a bonus) and the ones already closed do not (a penalty); rules without a window keep their
    score."""
    if ago is None:
        return scored
    windows = {p: window_days(f.text) for _, p, f in scored}
    open_ = [w for w in windows.values() if w is not None and w >= ago]
    best = min(open_) if open_ else None
    out = []
    for sc, p, f in scored:
        w = windows[p]
        if w is not None:
            # a closed window is passed over only for an open one (with none open, it says why not)
            sc += WINDOW_BONUS if w == best else (-WINDOW_BONUS if w < ago and best is not None else 0.0)
        out.append((sc, p, f))
    return out


def _only_asked_codes(question: str, scored: list[tuple[float, int, Fact]]) -> list[tuple[float, int, Fact]]:
    """ "显示E2怎么办" is answered by the E2 row of the fault table, not by its neighbours (E1) that share
    the table's words; a question naming no code the table holds keeps every row."""
    asked = short_codes(question)
    if not asked:
        return scored
    rows = {pos: short_codes(f"{f.label} {f.text}") for _, pos, f in scored if f.kind == "fault"}
    if not any(codes & asked for codes in rows.values()):
        return scored
    return [x for x in scored if not rows.get(x[1]) or rows[x[1]] & asked]


_TIME_UNITS = frozenset({"day", "workday", "hour", "minute", "week", "month", "year"})


_QUESTION_WORDS = frozenset(
    {"几年", "多久", "多少", "多少钱", "几天", "怎么", "什么", "怎么办", "如何", "可以", "能否", "是否",
     "有没有", "how", "what", "much", "long", "many", "when", "does", "can"}
)  # fmt: skip


@lru_cache(maxsize=1)
def _kind_words() -> frozenset[str]:
    words = {t.lower() for zh, en in TERMS.values() for t in (*zh, *en)}
    return frozenset(words | _QUESTION_WORDS)


def _generic(term: str) -> bool:
    """A word of the kind vocabulary or a question word: it says what kind is asked, not about what."""
    return term.lower() in _kind_words()


def _own_words(part: QuestionPart) -> list[str]:
    """The words of the part's first kind it uses (退货, 取消), two characters or more."""
    if not part.kind or part.kind not in VOCABULARY:
        return []
    lowered = part.text.lower()
    # an English question says them through the glossary ("invoice" is 发票): its crossed terms hold them
    crossed = set(part.crossed)
    return [t for t in VOCABULARY[part.kind][0] if len(t) >= 2 and (t.lower() in lowered or t in crossed)]


def _describes_itself(fact: Fact) -> bool:
    """A sentence of the product's own description (not a fitting's, a fee's or another product's)."""
    return is_descriptive(fact.field.split("/")[0]) and fact.kind in ("spec", "size", "other")


def _is_price_field(fact: Fact) -> bool:
    """The sheet's own price field (its number carries no unit: "1416")."""
    return fact.kind == "price" and role_of(fact.label) == "price"


@lru_cache(maxsize=1)
def _price_words() -> frozenset[str]:
    zh, en = TERMS["price"]
    return frozenset({t.lower() for t in (*zh, *en)} | _QUESTION_WORDS)


def _price_word(term: str) -> bool:
    """A word asking the price ("价格", "cost") or a question word: it names no thing whose price is asked."""
    return term.lower() in _price_words()


def _how_word(term: str) -> bool:
    """A "how much/how many" question word of a spec (多重, 几斤, 多高): it asks for the figure (the part's
    units say which) and is no content word; a sheet saying 多重安全防护 does not answer 多重？"""
    return len(term) == 2 and term[0] in "多几" and any(p.fullmatch(term) for p, _, _ in ATTRIBUTES)


def _names_record(question: str, fact: Fact) -> bool:
    """A record of a sheet list (赠品名称: 空气炸锅; its description) whose own name the question says:
    whatever the question asks of it (when it ships, what it costs) this record answers."""
    if not fact.pairs:
        return False
    name = str(fact.pairs[0][1]).strip()
    return len(name) >= 2 and not name.isdigit() and name.lower() in question.lower()


def _names_attribute(question: str, title: str) -> bool:
    """The question asks for an attribute the title states ("风量多大" and "…28风量…")."""
    return any(p.search(question) and p.search(title) for p, _, _ in ATTRIBUTES)


@lru_cache(maxsize=8192)
def _text_kinds(text: str) -> frozenset[str]:
    return frozenset(kind_scores(text))


_MARK = re.compile(r"[\u4e00-\u9fff]|[a-z]{3,}")


def _marks(text: str) -> set[str]:
    """The Chinese characters and the Latin words of three letters or more of a text, lowercased."""
    return set(_MARK.findall(text.lower()))


def _kind_match(kind: str, asked: Sequence[str]) -> float:
    if not asked:
        return 0.0
    if kind == asked[0]:
        return 1.0
    if kind in asked:
        return 0.8
    if any(kind in NEAR.get(a, ()) for a in asked):
        return 0.4
    return 0.0


def _idf(query_terms: Sequence[str], matchers: Sequence[Matcher]) -> dict[str, float]:
    n = len(matchers)
    out = {}
    for t in query_terms:
        df = sum(1 for m in matchers if m.has(t))
        out[t] = weight(t) * math.log(1 + (n + 1) / (df + 1))
    return out


class _Query:
    """The weighted content words of a question part, set up once and tested against many facts."""

    def __init__(self, query_terms: Sequence[str], weights: dict[str, float]) -> None:
        self.items = [(t, weights.get(t, weight(t))) for t in query_terms if weight(t) >= 2]
        self.total = sum(w for _, w in self.items)

    def share(self, m: Matcher) -> float:
        if not self.total:
            return 0.0
        return sum(w for t, w in self.items if m.has(t)) / self.total


def _top(
    scored: list[tuple[float, int, Fact]],
    floor: float,
    limit: int,
    boosts: dict[int, float] | None = None,
) -> tuple[list[Fact], list[Fact]]:
    """``boosts``: a part of a candidate's score (by position) that ranks it but does not count when a
    second boosted fact is measured against a boosted best one."""
    ranked = sorted(scored, key=lambda s: (-s[0], s[1]))
    if not ranked or ranked[0][0] < floor:
        return [], [f for s, _, f in ranked[:limit] if s >= floor * 0.8]
    boosts = boosts or {}
    best = ranked[0][0]
    # a boosted candidate is measured without its boost only against a boosted best (both on one scale)
    plain_best = best - boosts[ranked[0][1]] if ranked[0][1] in boosts else None
    chosen: list[tuple[int, Fact]] = []
    rest: list[Fact] = []
    seen: set[str] = set()
    for score, pos, fact in ranked:
        key = fact.text
        if key in seen:
            continue
        seen.add(key)
        if not fact.pairs and any(_similar(key, c.text) for _, c in chosen):
            # a near-repeat (the same rule stated in two documents) says nothing new; two records of one
            # list (two gifts worded alike) are two answers. It says the chosen one's figures, though: the
            # first stand-in when the chosen text cannot be said (a sheet's 售价约为579元… in English)
            if score >= floor and len(rest) < limit:
                rest.append(fact)
            continue
        if plain_best is not None and pos in boosts:
            near = score - boosts[pos] >= RELATIVE * plain_best
        else:
            near = score >= RELATIVE * best
        if len(chosen) < limit and score >= floor and near:
            chosen.append((pos, fact))
        elif score >= floor and len(rest) < limit:
            rest.append(fact)
    return [f for _, f in sorted(chosen, key=lambda c: c[0])], rest


def _rules_of_asked_kind(
    chosen: list[Fact], part: QuestionPart, score: dict[str, float]
) -> tuple[list[Fact], list[Fact]]:
    """The rules quoted for one part, less a rule of a kind not asked that scores below one of an asked
    kind (a return rule that only names the same appliances, for a warranty question); and those left out.
    A rule of another kind that scores best stays: a section's kind is not always its sentences' topic."""
    asked = [score.get(f.digest, 0.0) for f in chosen if _kind_match(f.kind, part.kinds) > 0]
    if not part.kinds or not asked:
        return chosen, []
    off = [
        f for f in chosen if _kind_match(f.kind, part.kinds) == 0 and score.get(f.digest, 0.0) < max(asked)
    ]
    return [f for f in chosen if f not in off], off


def _rules_beside_fields(
    fields: Sequence[Fact], rules: list[Fact], words: Sequence[str], kinds: Sequence[str] = ()
) -> tuple[list[Fact], list[Fact]]:
    """The store rules that hold an asked word (not a kind or question word) that none of the product's
    chosen fields holds, judged on the rule's own text; and the others. With the asked ``kinds``, only the
    fields of an asked (or near) kind say the words: a field chosen for sharing them (a gift "installed
    free" for "is installation free") does not answer the rule's question for it."""
    asked = [t for t in dict.fromkeys(words) if weight(t) >= 2 and not _generic(t)]
    own = [f for f in fields if _kind_match(f.kind, kinds) > 0] if kinds else list(fields)
    said = [Matcher(f"{f.label} {f.text}") for f in own or fields]
    held = {t for t in asked if any(m.has(t) for m in said)}
    kept: list[Fact] = []
    beside: list[Fact] = []
    for rule in rules:
        m = Matcher(rule.text)
        (kept if any(m.has(t) for t in asked if t not in held) else beside).append(rule)
    return kept, beside


def _cover_aspects(
    scored: list[tuple[float, int, Fact]], aspects: list[int], chosen: list[Fact], rest: list[Fact]
) -> tuple[list[Fact], list[Fact]]:
    """A part asking several shapes of rule at once ("退货期限几天，邮费谁付": a window AND who pays) is
    answered for each: for every asked shape, the best-scoring sentence of that shape (at least
    ASPECT_RELATIVE of the best score, not a near-repeat of one already taken) is quoted; the usual choice
    then fills up to POLICY_PER_PART. A sentence of no asked shape that the ranking alone put first (a
    document's opening words) gives way when the shapes take the places; at most MAX_ASPECT_FACTS."""
    ranked = sorted(scored, key=lambda s: (-s[0], s[1]))
    floor = max(MIN_POLICY_SCORE, ASPECT_RELATIVE * ranked[0][0])
    picks: list[tuple[int, Fact]] = []
    for aspect in aspects:
        if any(has_aspect(f.text, aspect) for _, f in picks):
            continue  # one sentence may answer two shapes ("请在…内联系…，运费由店铺承担")
        for score, pos, fact in ranked:
            if score < floor:
                break
            if has_aspect(fact.text, aspect) and not any(_similar(fact.text, f.text) for _, f in picks):
                picks.append((pos, fact))
                break
    if not picks:
        return chosen, rest
    at = {f.digest: pos for _, pos, f in scored}
    for fact in chosen:  # the usual choice fills the places the shapes left
        if len(picks) >= POLICY_PER_PART:
            break
        if all(fact is not f and not _similar(fact.text, f.text) for _, f in picks):
            picks.append((at[fact.digest], fact))
    picks = picks[:MAX_ASPECT_FACTS]
    out = [f for _, f in sorted(picks, key=lambda c: c[0])]
    dropped = [f for f in chosen if f not in out]
    return out, [*dropped, *(f for f in rest if f not in out)]


def _second_adds_nothing(
    chosen: list[Fact],
    score: dict[str, float],
    part: QuestionPart,
    words: Sequence[str],
    matchers: Sequence[Matcher],
    facts: Sequence[Fact],
) -> tuple[list[Fact], list[Fact]]:
    """The product facts quoted for one part, less a runner-up that is of no asked kind (nor speaks of it),
    states no figure in an asked unit and holds no asked word the best fact lacks, when the best fact is of
    the asked kind: it only shares the best one's words (a fitting's fee beside the fitting's size
    requirement, "橱柜安装位要多深"), an unasked line."""
    at = {f.digest: i for i, f in enumerate(facts)}
    best = max(chosen, key=lambda f: score.get(f.digest, 0.0))
    if _kind_match(best.kind, part.kinds) == 0:
        return chosen, []  # the best is no answer of the asked kind either: the runner-up may be the answer
    asked = [t for t in dict.fromkeys(words) if weight(t) >= 2 and not _generic(t) and not _price_word(t)]
    held = {t for t in asked if matchers[at[best.digest]].has(t)}

    def adds(fact: Fact) -> bool:
        if _kind_match(fact.kind, part.kinds) > 0 or _text_kinds(fact.text) & set(part.kinds):
            return True  # of the asked kind, or speaking of it ("已停产，已购用户的保修不受影响")
        if part.units and (
            any(q.unit in part.units for q in fact.quantities) or bool(counted(fact.text) & part.units)
        ):
            return True
        m = matchers[at[fact.digest]]
        return any(m.has(t) for t in asked if t not in held)

    off = [f for f in chosen if f is not best and not adds(f)]
    return [f for f in chosen if f not in off], off


def _add_uncovered(
    chosen: list[Fact], rest: list[Fact], words: list[str], facts: Sequence[Fact], matchers: Sequence[Matcher]
) -> tuple[list[Fact], list[Fact]]:
    """A part naming several things ("面板保修几年，主控板几年") is answered for each: a runner-up holding an
    asked word that no chosen fact holds joins the answer (one per such word, at most PER_PART more)."""
    if not chosen or not words:
        return chosen, rest
    by_digest = {f.digest: matchers[i] for i, f in enumerate(facts)}
    covered = {t for f in chosen for t in words if by_digest[f.digest].has(t)}
    added: list[Fact] = []
    for fact in rest:
        if len(added) >= PER_PART:
            break
        # the customer's own figures (腰围82, 身高158) find a row of a table, not a sentence ("100%锦纶")
        usable = words if fact.pairs else [t for t in words if not _FIGURE.fullmatch(t)]
        new = {t for t in usable if t not in covered and by_digest[fact.digest].has(t)}
        if new:
            added.append(fact)
            covered |= new
    if not added:
        return chosen, rest
    return [*chosen, *added], [f for f in rest if f not in added]


def _is_code_word(term: str, named: Matcher) -> bool:
    """A model-code word of the resolved products (kt-170t, 170): it names, it does not ask."""
    return named.has(term) and bool(re.search(r"\d", term))


def _not_again(answer: PartAnswer, used: set[str]) -> None:
    """A fact that answered an earlier part is not quoted again for this one."""
    fresh = [f for f in answer.facts if f.digest not in used]
    if len(fresh) < len(answer.facts) and answer.facts:
        # its best fact is quoted already ("多重？尺寸多大" in one sentence): the part is answered by it,
        # not by a next-best fact that would only be near the question
        answer.covered = not fresh
        answer.facts = fresh
    used.update(f.digest for f in answer.facts)


def _bigrams(text: str) -> set[str]:
    squashed = re.sub(r"\W", "", text.lower())
    return {squashed[i : i + 2] for i in range(len(squashed) - 1)}


def _similar(a: str, b: str) -> bool:
    if a in b or b in a:
        return True
    x, y = _bigrams(a), _bigrams(b)
    return bool(x and y) and len(x & y) / len(x | y) >= 0.5


def _name_terms(products: Sequence[ProductRef], translate: Callable[[str], str] | None = None) -> Matcher:
    names = " ".join(f"{p.name} {p.product_id} {' '.join(p.codes)}" for p in products)
    english = " ".join(translate(p.name) or "" for p in products) if translate is not None else ""
    return Matcher(f"{names} {english}")


def _vary(answer: PartAnswer, variant: int) -> PartAnswer:
    """Regenerate: bring in the next-best fact (or turn the order) so the alternative differs."""
    if answer.alternates and variant % 2 == 1:
        swapped = [*answer.facts[:1], answer.alternates[0]] if answer.facts else [answer.alternates[0]]
        rest = [f for f in answer.facts[1:] if f not in swapped] + answer.alternates[1:]
        return replace(answer, facts=swapped, alternates=rest)
    return replace(answer, facts=list(reversed(answer.facts)))


def _with_crossed(part: QuestionPart, crossed: list[str]) -> QuestionPart:
    return replace(part, crossed=tuple(crossed))


def _code_pattern(code: str) -> re.Pattern[str] | None:
    """A model code as customers type it: any case, with or without its punctuation and spaces."""
    chars = re.sub(r"[^0-9a-z]", "", code.lower())
    if len(chars) < 2 or not re.search(r"\d", chars):
        return None
    body = r"[\s\-_()./]*".join(re.escape(c) for c in chars)
    return re.compile(rf"(?<![0-9a-z]){body}(?![0-9a-z])", re.I)


def _code_segments(code: str) -> list[str]:
    """The parts of a code a customer may name alone (F6033-UD3(HE) -> F6033, UD3): a series."""
    return [s for s in re.split(r"[\s\-_()./]+", code) if len(s) >= 2 and re.search(r"\d", s)]


def _without_names(part: QuestionPart, products: Sequence[ProductRef]) -> QuestionPart:
    """The part with the product's name and codes taken out before its kinds are read: "充绒150g的那款
    羽绒服多少钱" asks a price; 充绒 belongs to the name. When what is left still asks a kind, the name's
    words only name the product and are no asked words ("AB-7 80升活水款的价格" asks the price,
    not a clause holding 80升 and 活水); else they stay (a feature in the name may be what is asked)."""
    text = part.text
    coded = text
    for ref in products:
        codes = sorted({*ref.codes, ref.product_id}, key=len, reverse=True)
        for code in codes:
            pattern = _code_pattern(code)
            if pattern is not None:
                text = pattern.sub(" ", text)
        for code in codes:
            for seg in _code_segments(code):
                pattern = _code_pattern(seg)
                if pattern is not None:
                    text = pattern.sub(" ", text)
        for q in quantities(text):  # "60升", "60L": a size of the named product (as written by either)
            if any(q.value == size.value and q.unit == size.unit for size in ref.sizes):
                text = text.replace(q.text, " ")
        coded = text  # only the codes and sizes taken out
        asked = [
            m.span()
            for pattern, _, _ in ATTRIBUTES
            for m in pattern.finditer(text)
            if _ASKED_AFTER.search(text[m.end() : m.end() + 3])
        ]
        for word in sorted(terms(ref.name), key=len, reverse=True):
            found = re.compile(re.escape(word), re.IGNORECASE)
            spans = [m.span() for m in found.finditer(text)]
            # a word of the name that the question asks about (风量 in "28风量…" and in "风量多大") stays
            if len(word) < 2 or not spans or any(a < e and s < b for s, e in spans for a, b in asked):
                continue
            text = found.sub(" ", text)
    if text == part.text:
        return part
    # the kinds of what is left; when the name held every kind word ("20W充电器能给笔记本充电吗"), the
    # kinds of the text without its codes (a code such as "MK6" is no fault code)
    left = kinds_of(text)
    kinds = left or kinds_of(coded)
    return replace(
        part,
        kinds=(*kinds, *(k for k in part.carried if k not in kinds)),
        terms=tuple(dict.fromkeys([*terms(text), *vocabulary_terms(text)])) if left else part.terms,
    )


def _asked_kind_pages(chosen: list[Fact], part: QuestionPart) -> tuple[list[Fact], list[Fact]]:
    """Of the rules chosen for an English question about a named product, those of the store's English
    pages of no asked kind (nor of the asked topic) left out: they matched the question's nouns only."""
    keep: list[Fact] = []
    off: list[Fact] = []
    for fact in chosen:
        unasked = fact.english and not _kind_match(fact.kind, part.kinds) and not _of_topic(fact, part)
        (off if unasked else keep).append(fact)
    return keep, off
