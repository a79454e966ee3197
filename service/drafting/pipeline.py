"""Drafting: retrieve, prompt, generate (LLM or offline), cite, check compliance.

Every entry point (API, CLI, console, evaluation) drafts through :class:`DraftPipeline`, so the rules
"answer from sources", "cite", "fall back rather than fail" and "check every draft" hold everywhere.
Storage is not done here: the review service stores what this returns.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

from pydantic import ValidationError

from service.answering import verify
from service.answering.compose import compose as compose_answer
from service.answering.engine import AnswerEngine, AnswerPlan
from service.answering.facts import FactStore
from service.compliance.numbers import ClaimScope
from service.drafting import citations, completeness, extractive
from service.drafting.customer_text import strip_labels
from service.drafting.focus import focus_query
from service.drafting.intent import Intent, detect_intent, has_problem
from service.drafting.llm import ChatModel, LLMError, TextStream, strip_reasoning
from service.drafting.models import DraftRequest, GeneratedDraft, GeneratorInfo, Repair
from service.drafting.prompts import (
    PromptLibrary,
    RenderedPrompt,
    escape_data,
    grounding_items,
    plan_items,
    trim_history,
)
from service.drafting.sources import Grounding, Source, gather, resolve_products
from service.drafting.text import Language, detect_language, estimate_tokens
from service.settings import Settings
from service.store import hook as store_hook
from service.store.desk import Consultation

log = logging.getLogger("replydraft.drafting")

NO_LLM = "no_llm_configured"
SHORT_QUERY_TOKENS = 12  # a follow-up this short ("那这个呢？") is searched together with the previous turn
LEAK_PROBE_CHARS = 24

INTENT_LABELS: dict[str, dict[str, str]] = {
    "zh": {
        "product_question": "商品咨询",
        "shipping": "物流配送",
        "return_refund": "退货退款",
        "exchange": "换货",
        "warranty": "保修维修",
        "complaint": "投诉",
        "order_change": "订单修改",
        "other": "其他",
    },
    "en": {
        "product_question": "product question",
        "shipping": "shipping",
        "return_refund": "return or refund",
        "exchange": "exchange",
        "warranty": "warranty or repair",
        "complaint": "complaint",
        "order_change": "order change",
        "other": "other",
    },
}


@dataclass(frozen=True)
class Delta:
    text: str


@dataclass(frozen=True)
class Reset:
    """The text streamed so far is void (the model failed mid-stream); a fallback draft follows."""

    reason: str


@dataclass(frozen=True)
class Final:
    draft: GeneratedDraft


StreamEvent = Delta | Reset | Final


@dataclass
class Prepared:
    request: DraftRequest
    language: Language
    intent: Intent
    problem: bool
    grounding: Grounding
    prompt: RenderedPrompt
    started: float
    store: Consultation | None = None
    verified: Any = None  # service.learning.verified.Match: a verified answer this draft starts from
    answer: AnswerPlan | None = None  # the answer engine's plan: products, question parts, chosen facts
    claims: ClaimScope | None = None  # the facts the reply may state (None: the index has no fact store)
    model_sources: list[Source] | None = None  # what the prompt's [n] numbers (default: the retrieval's)

    @property
    def cited_sources(self) -> list[Source]:
        return self.model_sources if self.model_sources is not None else self.grounding.sources


def fallback_reason(error: LLMError) -> str:
    if error.kind in ("empty_output", "non_text_output"):
        return f"llm_{error.kind}"
    return f"llm_error: {error.reason}"


_PREAMBLE = re.compile(
    r"^\s*(?:【[^】\n]{1,12}】|\*\*[^*\n]{1,24}\*\*|#{1,4}\s*[^\n]{1,24}"
    r"|(?:回复草稿|回复|草稿|reply draft|draft reply|reply|draft)\s*[:：]?)\s*\n",
    re.IGNORECASE,
)
_SALUTATION = re.compile(r"(?:dear|hi|hello|尊敬的|亲爱的|致)\s*", re.IGNORECASE)
_PLACEHOLDER = re.compile(r"\[(?!\d{1,3}\])[^\[\]\n]{1,40}\]")


def tidy(text: str) -> str:
    """Drop what small models wrap around a reply: a heading line, and salutation or signature lines
    that are only a template placeholder ("Dear [Customer's Name],", "[Your Name]")."""
    text = _PREAMBLE.sub("", text.strip() + "\n", count=1)
    lines = [line for line in text.splitlines() if not _placeholder_line(line)]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _placeholder_line(line: str) -> bool:
    if not _PLACEHOLDER.search(line):
        return False
    rest = _PLACEHOLDER.sub("", line).strip(" ,，:：.。!！-—")
    return rest == "" or bool(_SALUTATION.fullmatch(rest))


def leaks_prompt(text: str, system_prompt: str) -> bool:
    """True when the output repeats a rule line of the system prompt or one of our delimiter tags."""
    if re.search(r"<\s*/?\s*(customer_message|conversation|agent_context|source)\b", text, re.IGNORECASE):
        return True
    compact = re.sub(r"\s+", "", text)
    for line in system_prompt.splitlines():
        line = re.sub(r"^\s*(?:#+|\d+\.)\s*", "", line)
        probe = re.sub(r"\s+", "", line)[:LEAK_PROBE_CHARS]
        if len(probe) >= LEAK_PROBE_CHARS and probe in compact:
            return True
    return False


def _marker_of(fact: verify.Fact, sources: list[Source]) -> int | None:
    """The source number a repaired sentence cites: the fact itself, its chunk, else its product's facts."""
    for s in sources:
        if s.text == fact.text and s.source_id == fact.source_id:
            return s.marker
    for s in sources:
        if fact.chunk_id is not None and s.chunk_id == fact.chunk_id:
            return s.marker
    for s in sources:
        if fact.product_id is not None and s.product_id == fact.product_id and s.kind == "product_facts":
            return s.marker
    return None


class DraftPipeline:
    def __init__(
        self,
        *,
        settings: Settings,
        index: Any,
        llm: ChatModel | None,
        compliance: Any,
        prompts: PromptLibrary | None = None,
        metrics: Any = None,
        store: Any = None,
        verified: Any = None,
    ) -> None:
        self.settings = settings
        self.index = index
        self.llm = llm
        self.compliance = compliance
        self.prompts = prompts or PromptLibrary(settings.prompts_dir)
        self.metrics = metrics  # service.metrics.Metrics: counts drafts by provider and fallback kind
        self.store = store  # service.store.desk.StoreDesk: the customer's orders, when a connector is set
        self.verified = verified  # service.learning.verified.VerifiedAnswers: reviewer-kept answers
        self._engine: tuple[FactStore, AnswerEngine] | None = None

    @classmethod
    def from_container(cls, container: Any) -> DraftPipeline:
        return cls(
            settings=container.settings,
            index=container.index,
            llm=container.llm,
            compliance=container.compliance,
            metrics=container.metrics,
            store=container.store_desk,
            verified=container.verified_answers if container.settings.verified_enabled else None,
        )

    # --- public ----------------------------------------------------------------------------------
    def generate(self, req: DraftRequest) -> GeneratedDraft:
        return self.complete(self.prepare(req))

    def complete(self, prep: Prepared) -> GeneratedDraft:
        """Draft from a prepared request; callers that also need the retrieval (the eval suite) use this."""
        if prep.verified is not None:
            return self._from_verified(prep)
        if self.llm is None:
            return self._fallback(prep, NO_LLM)
        began = time.perf_counter()
        try:
            completion = self.llm.complete(prep.prompt.messages)
        except LLMError as exc:
            log.warning("llm failed, drafting offline", extra={"reason": exc.reason, "kind": exc.kind})
            return self._fallback(prep, fallback_reason(exc), f"llm_{exc.kind}")
        log.debug("llm answered in %.0f ms", (time.perf_counter() - began) * 1000)
        return self._from_model(prep, completion.text, completion.tokens)

    def stream(self, req: DraftRequest) -> Iterator[StreamEvent]:
        """Validation, retrieval and prompt building happen now (errors raise here); text streams later."""
        prep = self.prepare(req)
        return self._stream(prep)

    def prepare(self, req: DraftRequest) -> Prepared:
        started = time.perf_counter()
        language: Language = req.language if req.language != "auto" else detect_language(req.customer_message)
        intent = detect_intent(req.customer_message)
        problem = has_problem(req.customer_message)
        recent = [t.text for t in req.conversation if t.role == "customer"][-2:]
        engine = self.engine()
        products, resolution = self.scope(req, engine)
        budget = self.settings.retrieval_query_tokens  # bounds retrieval cost whatever the length
        query = focus_query(req.customer_message, budget)
        if recent and estimate_tokens(query) < SHORT_QUERY_TOKENS:
            query = f"{focus_query(recent[-1], budget - estimate_tokens(query) - 1)}\n{query}".strip()
        grounding = gather(
            self.index, query=query, products=products, k=self.settings.retrieval_k, language=language
        )
        store = store_hook.consult(self.store, req, language, self.index, grounding)
        answer = (
            engine.plan(
                req.customer_message,
                language=language,
                history=[t.text for t in req.conversation],
                product_ids=req.product_ids,
                context=req.context,
                variant=req.attempt,
                resolution=resolution,
                retrieved=[s.chunk_id for s in grounding.sources if s.chunk_id],
            )
            if engine is not None
            else None
        )
        if answer is not None:
            facts, model_sources = plan_items(answer, language)
            if store is not None and store.sources:  # the customer's order facts, numbered after the plan's
                offset = len(model_sources)
                moved = [replace(src, marker=offset + i) for i, src in enumerate(store.sources, 1)]
                facts += [{"marker": str(src.marker), "about": src.title, "text": src.text} for src in moved]
                model_sources = [*model_sources, *moved]
            scope_products = [p.product_id for p in answer.products]
        else:
            facts, model_sources = grounding_items(grounding), grounding.sources
            scope_products = [p.product_id for p in grounding.products]
        prompt = self.prompts.render(language, self._variables(req, language, intent, facts))
        # the capacity the customer named that is not sold: the reply repeats it to say so, not as a fact
        unsold = (
            answer.resolution.unknown
            if answer is not None and answer.resolution.how in ("unsold_size", "unknown_model")
            else None
        )
        claims = verify.scope_for_index(
            self.index,
            scope_products,
            context=req.context,
            extra=[extractive.commitment(self.settings.followup_hours), *([unsold] if unsold else [])],
        )
        verified = None
        if self.verified is not None:  # the one hook: a reviewer-kept answer for this question, if any
            verified = self.verified.find(
                req.customer_message,
                language=language,
                intent=intent,
                product_ids=[p.product_id for p in products],
                found_sources=[s.source_id for s in grounding.sources],
            )
        return Prepared(
            req,
            language,
            intent,
            problem,
            grounding,
            prompt,
            started,
            store=store,
            verified=verified,
            answer=answer,
            claims=claims,
            model_sources=model_sources,
        )

    def scope(self, req: DraftRequest, engine: AnswerEngine | None = None) -> tuple[list[Any], Any]:
        """The products a message is about, and the engine's resolution behind them: the request's ids,
        else the engine's resolution (codes without punctuation, capacities, earlier turns), else the
        catalogue's mentions, else those of the customer's last turns. Verified answers are kept with the
        scope this finds for their question, so a later message is compared in the same terms."""
        recent = [t.text for t in req.conversation if t.role == "customer"][-2:]
        products = resolve_products(self.index.catalogue(), req.product_ids, req.customer_message)
        resolution = (
            engine.resolve(
                req.customer_message,
                history=[t.text for t in req.conversation],
                product_ids=req.product_ids,
                context=req.context,
            )
            if engine is not None
            else None
        )
        if resolution is not None and resolution.products and not req.product_ids:
            # the engine's resolution (codes without punctuation, capacities, earlier turns) decides
            catalogue = self.index.catalogue()
            resolved = [catalogue.get(p.product_id) for p in resolution.products]
            products = [p for p in resolved if p is not None] or products
        elif not products and not req.product_ids and recent:
            products = resolve_products(self.index.catalogue(), [], "\n".join(recent))
        return list(products), resolution

    def question_products(self, request: dict[str, Any], question: str) -> list[str]:
        """The product ids ``question`` is about, asked with a stored request's other fields (its ids,
        conversation and context): the scope a draft of it has (service.learning.store.keep)."""
        try:
            req = DraftRequest.model_validate({**request, "customer_message": question})
        except ValidationError:  # a request stored by an older version: its product ids still apply
            req = DraftRequest(customer_message=question, product_ids=request.get("product_ids") or [])
        products, _ = self.scope(req, self.engine())
        return sorted(p.product_id for p in products)

    def engine(self) -> AnswerEngine | None:
        """The answer engine over the live index version's fact store (rebuilt when the version changes)."""
        facts_of = getattr(self.index, "facts", None)
        if facts_of is None:
            return None
        store = facts_of()
        cached = self._engine
        if cached is None or cached[0] is not store:
            glossary = getattr(self.index, "glossary", None)
            cached = (
                store,
                AnswerEngine(
                    store,
                    getattr(self.index, "embedder", None),
                    glossary.translate if glossary is not None else None,
                ),
            )
            self._engine = cached
        return cached[1]

    # --- internals -------------------------------------------------------------------------------
    def _variables(
        self, req: DraftRequest, language: Language, intent: Intent, facts: list[dict[str, str]]
    ) -> dict[str, Any]:
        history = trim_history(req.conversation, self.settings.llm_history_tokens)
        return {
            "facts": facts,
            "context": escape_data(req.context.strip()) if req.context and req.context.strip() else "",
            "history": [{"role": t.role, "text": escape_data(t.text)} for t in history],
            "customer_message": escape_data(req.customer_message.strip()),
            "intent": INTENT_LABELS[language][intent],
            "followup_hours": self.settings.followup_hours,
        }

    def _stream(self, prep: Prepared) -> Iterator[StreamEvent]:
        if self.llm is None or prep.verified is not None:
            draft = self._from_verified(prep) if prep.verified is not None else self._fallback(prep, NO_LLM)
            yield Delta(draft.text)
            yield Final(draft)
            return
        parts: list[str] = []
        stream: Iterator[str] | None = None
        try:
            stream = self.llm.stream(prep.prompt.messages)
            for piece in stream:
                parts.append(piece)
                yield Delta(piece)
        except LLMError as exc:
            log.warning("llm stream failed, drafting offline", extra={"reason": exc.reason, "kind": exc.kind})
            reason = fallback_reason(exc)
            if parts:
                yield Reset(reason)
            draft = self._fallback(prep, reason, f"llm_{exc.kind}")
            yield Delta(draft.text)
            yield Final(draft)
            return
        finally:
            if isinstance(stream, TextStream):
                stream.close()
        tokens = stream.tokens if isinstance(stream, TextStream) else None
        draft = self._from_model(prep, "".join(parts), tokens)
        if draft.generator.provider == extractive.PROVIDER:  # the model's text was rejected after streaming
            yield Reset(draft.generator.fallback_reason or "rejected")
            yield Delta(draft.text)
        elif draft.generator.repairs:  # claims were repaired: the checked text replaces the streamed one
            yield Reset("claims_repaired")
            yield Delta(draft.text)
        yield Final(draft)

    def _from_model(self, prep: Prepared, raw: str, tokens: dict[str, int] | None) -> GeneratedDraft:
        text = strip_labels(tidy(strip_reasoning(raw)))
        if leaks_prompt(text, prep.prompt.system):
            log.warning("llm output repeats the prompt, drafting offline")
            return self._fallback(prep, "llm_prompt_leak")
        cited = citations.resolve(text, prep.cited_sources)
        if not citations.strip_markers(cited.text).strip():
            return self._fallback(prep, "llm_empty_output")
        if not cited.citations:  # the model cited nothing: credit sentences a source clearly supports
            attributed = citations.resolve(
                citations.attribute(cited.text, prep.cited_sources), prep.cited_sources
            )
            cited = citations.CitedText(attributed.text, attributed.citations, cited.removed_markers)
        repairs: list[Repair] = []
        if prep.claims is not None:
            checked = verify.verify_claims(
                cited.text,
                prep.claims,
                self.index.facts(),
                language=prep.language,
                markers=lambda fact: _marker_of(fact, prep.cited_sources),
            )
            if checked.repairs:
                if not verify.has_content(citations.strip_markers(checked.text)):
                    log.warning("every claim of the llm draft failed verification, drafting offline")
                    return self._fallback(prep, "llm_unsupported_claims")
                repairs = checked.repairs
                cited = citations.resolve(checked.text, prep.cited_sources)
        if prep.answer is not None:  # every asked fact the engine found is in the reply
            done = completeness.complete(
                cited.text,
                prep.answer,
                language=prep.language,
                followup_hours=self.settings.followup_hours,
                markers=lambda fact: _marker_of(fact, prep.cited_sources),
                glossary=getattr(self.index, "glossary", None),
            )
            if done.repairs:
                repairs = [*repairs, *done.repairs]
                kept = cited.removed_markers
                cited = citations.resolve(done.text, prep.cited_sources)
                cited = citations.CitedText(cited.text, cited.citations, [*kept, *cited.removed_markers])
        assert self.llm is not None
        info = GeneratorInfo(
            provider=self.llm.provider,
            model=self.llm.model,
            prompt_version=prep.prompt.version,
            latency_ms=0,
            tokens=tokens,
            repairs=repairs,
        )
        return self._finish(prep, cited, info)

    def _from_verified(self, prep: Prepared) -> GeneratedDraft:
        """Start from the verified answer (adapted by the model when there is one); cited and checked."""
        match = prep.verified
        req = prep.request
        made = self.verified.compose(
            match,
            llm=self.llm,
            language=prep.language,
            customer_message=req.customer_message,
            context=req.context,
        )
        text = tidy(made.text)
        cited = citations.resolve(citations.attribute(text, prep.grounding.sources), prep.grounding.sources)
        info = GeneratorInfo(
            provider="verified",
            model=made.model,
            prompt_version=made.prompt_version,
            latency_ms=0,
            tokens=made.tokens,
            fallback_reason=made.fallback_reason,
            verified_answer_id=match.answer_id,
            verified_similarity=round(match.similarity, 4),
        )
        return self._finish(prep, cited, info)

    def _fallback(self, prep: Prepared, reason: str, kind: str | None = None) -> GeneratedDraft:
        """The offline draft; ``kind`` is a bounded label for metrics (``reason`` may carry details)."""
        req = prep.request
        if prep.answer is not None:
            composed = compose_answer(
                prep.answer,
                intent=prep.intent,
                problem=prep.problem,
                followup_hours=self.settings.followup_hours,
                variant=req.attempt,
                glossary=getattr(self.index, "glossary", None),
                known_order=bool(req.context and req.context.strip()),
            )
            info = GeneratorInfo(
                provider=extractive.PROVIDER,
                model=extractive.MODEL,
                prompt_version=extractive.VERSION,
                latency_ms=0,
                fallback_reason=reason,
            )
            text, sources = store_hook.weave_plan(composed.text, list(composed.sources), prep.store)
            cited = citations.resolve(text, sources)
            return self._finish(prep, cited, info, kind or reason, extra_sources=sources)
        text = extractive.compose(
            language=prep.language,
            intent=prep.intent,
            problem=prep.problem,
            question=req.customer_message,
            sources=prep.grounding.sources,
            products=prep.grounding.products,
            context=req.context,
            followup_hours=self.settings.followup_hours,
        )
        text = store_hook.weave(text, prep.store)
        cited = citations.resolve(text, prep.grounding.sources)
        info = GeneratorInfo(
            provider=extractive.PROVIDER,
            model=extractive.MODEL,
            prompt_version=extractive.VERSION,
            latency_ms=0,
            fallback_reason=reason,
        )
        return self._finish(prep, cited, info, kind or reason)

    def _finish(
        self,
        prep: Prepared,
        cited: citations.CitedText,
        info: GeneratorInfo,
        fallback: str = "none",
        extra_sources: list[Source] | None = None,
    ) -> GeneratedDraft:
        req = prep.request
        extra = extra_sources or []
        # The store's follow-up promise is a fact drafts may state, so compliance checks against it too.
        sheet = [s.text for s in [*prep.cited_sources, *extra] if s.text not in prep.grounding.source_texts]
        source_texts = [
            *prep.grounding.source_texts,
            *dict.fromkeys(sheet),
            extractive.commitment(self.settings.followup_hours),
        ]
        scoped = {"claims": prep.claims} if prep.claims is not None else {}
        result = self.compliance.check(
            cited.text,
            sources=source_texts,
            context=req.context,
            language=prep.language,
            customer_text=req.customer_message,
            **scoped,
        )
        chosen = prep.answer.products if prep.answer is not None else prep.grounding.products
        info.products = [p.product_id for p in chosen]
        info.latency_ms = round((time.perf_counter() - prep.started) * 1000)
        if self.metrics is not None:
            self.metrics.drafts.labels(info.provider, fallback).inc()
            for finding in result.findings:
                self.metrics.findings.labels(finding.category, finding.severity).inc()
        return GeneratedDraft(
            request=req,
            text=cited.text,
            language=prep.language,
            intent=prep.intent,
            citations=cited.citations,
            removed_markers=cited.removed_markers,
            compliance=result,
            generator=info,
            index_version=prep.grounding.index_version,
            retrieved_source_ids=list(dict.fromkeys(s.source_id for s in [*prep.grounding.sources, *extra])),
            source_texts=source_texts,
            store=prep.store.findings if prep.store else None,
        )
