"""In-memory stand-ins for the index, compliance engine and review store, for drafting unit tests.

The index ranks chunks by word overlap (jieba), applies RetrievalFilters like the real one, and uses the
real Catalogue for product mentions, so drafting logic is exercised without Chroma or an embedder.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from service.answering.facts import FactStore
from service.api.auth import Principal
from service.compliance.models import ComplianceResult, Verdict
from service.drafting.models import DraftRecord, DraftRequest, GeneratedDraft
from service.drafting.text import overlap, terms
from service.errors import ErrorCode, ReplydraftError
from service.index.catalogue import Catalogue
from service.knowledge.models import Chunk, Hit, ProductFacts, stable_id

KETTLES = [
    ProductFacts(
        product_id="KT-150",
        name="晨光电热水壶 1.5L KT-150",
        source_id="products/kettles.yaml#KT-150",
        price=89,
        status="在售",
        category="小家电",
        facts={"保修": "整机保修1年", "描述": "1.5升容量，304不锈钢内胆，沸腾自动断电。"},
    ),
    ProductFacts(
        product_id="KT-170T",
        name="晨光温控电热水壶 1.7L KT-170T",
        source_id="products/kettles.yaml#KT-170T",
        price=159,
        status="在售",
        category="小家电",
        facts={"保修": "整机保修2年", "赠品": "杯刷一个", "描述": "1.7升容量，六档温控，24小时保温。"},
    ),
]

POLICIES: list[tuple[str, str, str]] = [
    (
        "policies/returns.md",
        "退换货政策 > 七天无理由退货",
        "退换货政策 > 七天无理由退货\n签收之日起7天内，商品完好、不影响二次销售的，可申请无理由退货。"
        "定制商品、鲜活易腐食品不适用。",
    ),
    (
        "policies/returns.md",
        "退换货政策 > 退款时效",
        "退换货政策 > 退款时效\n仓库收到退货并验收后24小时内原路退款。"
        "信用卡退款到账时间以银行为准，一般为3-7个工作日。",
    ),
    (
        "policies/shipping.md",
        "配送说明 > 发货时间",
        "配送说明 > 发货时间\n付款后48小时内发货，预售商品以页面约定时间为准。",
    ),
    (
        "policies/shipping.md",
        "配送说明 > 偏远地区",
        "配送说明 > 偏远地区\n新疆、西藏、青海地区每单加收运费15元，配送时间约5-8天。",
    ),
    (
        "policies/damaged.md",
        "破损与丢件 > 处理方式",
        "破损与丢件 > 处理方式\n签收时发现外包装破损或商品损坏，"
        "请在48小时内拍照联系客服，核实后免费补发或退款。",
    ),
    (
        "policies/complaints.md",
        "投诉处理 > 时限",
        "投诉处理 > 时限\n收到投诉后客服主管会在24小时内联系您，并在3个工作日内给出处理结果。",
    ),
    (
        "policies/returns-en.md",
        "Returns > 7-day returns",
        "Returns > 7-day returns\nYou can return unused items within 7 days of delivery for a full refund. "
        "Refunds are issued within 24 hours after the warehouse receives the return.",
    ),
]


def _product_chunk(p: ProductFacts) -> Chunk:
    lines = [f"{p.name} ({p.product_id})", f"价格: {p.price:g}", f"状态: {p.status}"]
    lines += [f"{k}: {v}" for k, v in p.facts.items()]
    text = "\n".join(lines)
    return Chunk(
        id=stable_id(p.source_id, text),
        text=text,
        source_id=p.source_id,
        source_type="product",
        title=p.name,
        product_id=p.product_id,
        product_name=p.name,
        category=p.category,
        price=p.price,
        status=p.status,
        facts_json=p.to_json(),
    )


def demo_chunks() -> list[Chunk]:
    chunks = [_product_chunk(p) for p in KETTLES]
    for i, (source_id, title, text) in enumerate(POLICIES):
        chunks.append(
            Chunk(
                id=stable_id(source_id, text),
                text=text,
                source_id=source_id,
                source_type="policy",
                title=title,
                ordinal=i,
            )
        )
    return chunks


@dataclass
class FakeVersion:
    version: str = "fake-v1"
    chunks: int = 0


class FakeIndex:
    """Same retrieval surface as IndexManager; records every retrieve call."""

    def __init__(self, chunks: list[Chunk] | None = None, products: list[ProductFacts] | None = None) -> None:
        self.chunks = demo_chunks() if chunks is None else chunks
        self.products = KETTLES if products is None else products
        self._catalogue = Catalogue(self.products)
        self._facts: FactStore | None = None
        self.calls: list[tuple[str, int | None, Any]] = []
        self.empty = False

    def live_version(self) -> FakeVersion | None:
        return None if self.empty else FakeVersion(chunks=len(self.chunks))

    def catalogue(self) -> Catalogue:
        return self._catalogue

    def facts(self) -> FactStore:
        """The answer engine's fact store of these chunks (no embedder: policy by kind and words)."""
        if self._facts is None:
            self._facts = FactStore.build(self.products, self.chunks)
        return self._facts

    def present_chunk_ids(self, chunk_ids: list[str]) -> set[str]:
        ids = {c.id for c in self.chunks}
        return {c for c in chunk_ids if c in ids}

    def retrieve(self, query: str, k: int | None = None, filters: Any = None) -> list[Hit]:
        if self.empty:
            raise ReplydraftError(ErrorCode.INDEX_EMPTY, "no live index")
        self.calls.append((query, k, filters))
        wanted = terms(query)
        scored = []
        for i, c in enumerate(self.chunks):
            if filters is not None:
                if filters.product_ids and c.product_id not in filters.product_ids:
                    continue
                if filters.source_type and c.source_type != filters.source_type:
                    continue
            score = overlap(wanted, c.text)
            if score > 0 or filters is not None:  # like BM25, an unfiltered search returns matches only
                scored.append((score, -i, c))
        scored.sort(key=lambda t: (t[0], t[1]), reverse=True)
        return [Hit(c, s) for s, _, c in scored[: k or 6]]


class PassCompliance:
    """Records what it was asked to check and passes everything."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def check(self, text: str, **kwargs: Any) -> ComplianceResult:
        self.calls.append({"text": text, **kwargs})
        return ComplianceResult(verdict=Verdict.PASS)


@dataclass
class MemoryReviews:
    """The part of ReviewService the drafts API uses, kept in a dict."""

    drafts: dict[str, DraftRecord] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def create_draft(
        self, generated: GeneratedDraft, *, requested_by: Principal | None, idempotency_key: str | None = None
    ) -> DraftRecord:
        with self.lock:
            if idempotency_key and idempotency_key in self.keys:
                return self.drafts[self.keys[idempotency_key]]
            now = datetime.now(UTC)
            req = generated.request
            record = DraftRecord(
                id=uuid.uuid4().hex,
                status="pending_review",
                version=1,
                text=generated.text,
                language=generated.language,
                intent=generated.intent,
                customer_message=req.customer_message,
                conversation=req.conversation,
                context=req.context,
                channel=req.channel,
                citations=generated.citations,
                compliance=generated.compliance,
                generator=generated.generator,
                index_version=generated.index_version,
                requested_by=requested_by.key_id if requested_by else None,
                created_at=now,
                updated_at=now,
            )
            self.drafts[record.id] = record
            if idempotency_key:
                self.keys[idempotency_key] = record.id
            return record

    def find_replay(
        self, request: DraftRequest, *, requested_by: Principal | None, idempotency_key: str | None
    ) -> DraftRecord | None:
        with self.lock:
            known = self.keys.get(idempotency_key) if idempotency_key else None
            return self.drafts[known] if known else None

    def get_draft(self, draft_id: str) -> DraftRecord:
        try:
            return self.drafts[draft_id]
        except KeyError:
            raise ReplydraftError(ErrorCode.NOT_FOUND, f"no draft {draft_id}") from None
