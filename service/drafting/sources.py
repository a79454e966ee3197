"""Which knowledge a draft may use: identified products (structured facts) and retrieved passages.

Everything the model may cite becomes a numbered :class:`Source`; products come first (their facts are
what price and stock questions need), then product-filtered passages, then policy passages.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from service.drafting.text import truncate
from service.errors import ErrorCode, ReplydraftError
from service.knowledge.models import Hit, ProductFacts

MAX_PRODUCTS = 3
FACT_VALUE_CHARS = 120
FACTS_CHARS = 600


class Catalogue(Protocol):
    def get(self, product_id: str) -> ProductFacts | None: ...

    def find_mentions(self, text: str) -> list[ProductFacts]: ...


class Index(Protocol):
    def retrieve(self, query: str, k: int | None = None, filters: Any = None) -> list[Hit]: ...

    def catalogue(self) -> Catalogue: ...

    def live_version(self) -> Any: ...


@dataclass(frozen=True)
class Source:
    """One numbered thing the draft may cite ([marker])."""

    marker: int
    kind: Literal["product_facts", "passage"]
    source_id: str
    title: str
    text: str
    chunk_id: str | None = None
    product_id: str | None = None
    fact_digest: str | None = None  # product facts: their version (a passage's chunk id is its version)


@dataclass
class Grounding:
    products: list[ProductFacts]
    sources: list[Source]
    index_version: str | None
    product_rows: list[dict[str, str]] = field(default_factory=list)

    @property
    def source_texts(self) -> list[str]:
        return [s.text for s in self.sources]


def resolve_products(
    catalogue: Catalogue, product_ids: Sequence[str], mention_text: str
) -> list[ProductFacts]:
    """Products named by id in the request (all must exist), else the ones the customer mentions."""
    if product_ids:
        found: list[ProductFacts] = []
        unknown: list[str] = []
        for pid in dict.fromkeys(product_ids):
            facts = catalogue.get(pid)
            if facts is None:
                unknown.append(pid)
            else:
                found.append(facts)
        if unknown:
            message = f"unknown product id(s): {', '.join(unknown)}"
            raise ReplydraftError(
                ErrorCode.VALIDATION,
                f"invalid request: product_ids: {message}",
                field="product_ids",
                unknown=unknown,
                problems=[{"field": "product_ids", "message": message, "type": "unknown_product"}],
            )
        return found
    seen: dict[str, ProductFacts] = {}
    for facts in catalogue.find_mentions(mention_text):
        seen.setdefault(facts.product_id, facts)
    return list(seen.values())[:MAX_PRODUCTS]


def facts_text(facts: ProductFacts, language: str) -> str:
    """A compact rendering of a product's structured facts (also the text its citation quotes)."""
    zh = language == "zh"
    parts = [f"{'商品' if zh else 'Product'}: {facts.name} ({facts.product_id})"]
    if facts.price is not None:
        parts.append(f"{'价格' if zh else 'Price'}: {_price(facts.price)}")
    if facts.status:
        parts.append(f"{'状态' if zh else 'Status'}: {facts.status}")
    used = sum(len(p) for p in parts)
    for label, value in facts.facts.items():
        item = f"{label}: {truncate(value, FACT_VALUE_CHARS)}"
        if used + len(item) > FACTS_CHARS:
            break
        parts.append(item)
        used += len(item)
    return ("；" if zh else "; ").join(parts)


def product_row(source: Source, facts: ProductFacts) -> dict[str, str]:
    """One row of the prompt's product table (cells free of table separators and line breaks)."""

    def cell(value: str) -> str:
        return " ".join(value.replace("|", "/").split())

    extra = "; ".join(f"{k}: {truncate(v, FACT_VALUE_CHARS)}" for k, v in facts.facts.items())
    return {
        "marker": str(source.marker),
        "product_id": cell(facts.product_id),
        "name": cell(facts.name),
        "price": _price(facts.price) if facts.price is not None else "-",
        "status": cell(facts.status or "-"),
        "facts": cell(truncate(extra, FACTS_CHARS)) or "-",
    }


def _price(value: float) -> str:
    return f"{value:g}" if value == int(value) else f"{value:.2f}"


def gather(
    index: Index,
    *,
    query: str,
    products: list[ProductFacts],
    k: int,
    language: str,
) -> Grounding:
    """Retrieve passages (the identified products' own, plus policies) and number everything."""
    from service.index.manager import RetrievalFilters  # the index package pulls in Chroma: import late

    live = index.live_version()
    index_version = str(live.version) if live is not None else None
    hits: list[Hit]
    if products:
        # One unfiltered search (the index already favours products the query names) gives the policy
        # passages and usually the products' own; a product it missed (e.g. given only by id) is fetched
        # with a product filter. Each search embeds the query, the largest cost of a draft.
        ids = [p.product_id for p in products]
        half = math.ceil(k / 2)
        found = index.retrieve(query, k=k + half)
        product_hits = [h for h in found if h.chunk.product_id in ids]
        missing = [pid for pid in ids if not any(h.chunk.product_id == pid for h in product_hits)]
        if missing:
            extra = index.retrieve(query, k=half, filters=RetrievalFilters(product_ids=missing))
            product_hits = _merge(product_hits, extra, len(product_hits) + half)
        policy_hits = [h for h in found if h.chunk.source_type == "policy"]
        hits = _merge(product_hits[:half], policy_hits, k)
    else:
        hits = index.retrieve(query, k=k)
    sources: list[Source] = []
    rows: list[dict[str, str]] = []
    for facts in products:
        source = Source(
            marker=len(sources) + 1,
            kind="product_facts",
            source_id=facts.source_id,
            title=facts.name,
            text=facts_text(facts, language),
            product_id=facts.product_id,
            fact_digest=facts.digest(),
        )
        sources.append(source)
        rows.append(product_row(source, facts))
    for hit in hits:
        c = hit.chunk
        sources.append(
            Source(
                marker=len(sources) + 1,
                kind="passage",
                source_id=c.source_id,
                title=c.title,
                text=c.text,
                chunk_id=c.id,
                product_id=c.product_id,
            )
        )
    return Grounding(products=products, sources=sources, index_version=index_version, product_rows=rows)


def _merge(first: list[Hit], second: list[Hit], k: int) -> list[Hit]:
    seen: set[str] = set()
    out: list[Hit] = []
    for hit in [*first, *second]:
        if hit.chunk.id in seen:
            continue
        seen.add(hit.chunk.id)
        out.append(hit)
    return out[:k]
