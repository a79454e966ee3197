"""Shapes shared by ingestion, indexing, retrieval and drafting.

A *chunk* is the unit that is embedded and retrieved. Product chunks always start with the product's
name (and id), so any chunk read alone still says which product it is about.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Literal

SourceType = Literal["product", "policy"]
MetaValue = str | int | float | bool


def stable_id(*parts: str) -> str:
    """Content-derived id: the same source and text give the same id on every run."""
    h = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    return h[:24]


@dataclass(frozen=True)
class ProductFacts:
    """Structured facts of one product sheet, kept beside its text chunks."""

    product_id: str
    name: str
    source_id: str
    price: float | None = None
    status: str | None = None
    category: str | None = None
    aliases: tuple[str, ...] = ()
    facts: dict[str, str] = field(default_factory=dict)  # short label -> short value (gifts, warranty ...)
    # Every field of the sheet in order, values as JSON (nested lists and tables kept): what the answer
    # engine's fact store (service/answering/facts.py) reads. Empty for indexes built before it existed.
    sheet: tuple[tuple[str, Any], ...] = ()

    def to_json(self) -> str:
        return json.dumps(
            {
                "product_id": self.product_id,
                "name": self.name,
                "source_id": self.source_id,
                "price": self.price,
                "status": self.status,
                "category": self.category,
                "aliases": list(self.aliases),
                "facts": self.facts,
                "sheet": [[k, v] for k, v in self.sheet],
            },
            ensure_ascii=False,
            default=str,  # dates in YAML sheets
        )

    @classmethod
    def from_json(cls, raw: str) -> ProductFacts:
        d: dict[str, Any] = json.loads(raw)
        return cls(
            product_id=str(d["product_id"]),
            name=str(d["name"]),
            source_id=str(d["source_id"]),
            price=d.get("price"),
            status=d.get("status"),
            category=d.get("category"),
            aliases=tuple(d.get("aliases") or ()),
            facts={str(k): str(v) for k, v in (d.get("facts") or {}).items()},
            sheet=tuple(
                (str(pair[0]), pair[1])
                for pair in (d.get("sheet") or ())
                if isinstance(pair, list) and len(pair) == 2
            ),
        )

    def digest(self) -> str:
        """Version of what a draft can quote from this product (name, price, status, facts).

        A product citation stores it; after a reindex a different digest (or no product) means the cited
        facts changed, so the draft is stale. Aliases and category are left out: they are never quoted.
        """
        quoted = {
            "product_id": self.product_id,
            "name": self.name,
            "price": self.price,
            "status": self.status,
            "facts": self.facts,
        }
        return stable_id(json.dumps(quoted, ensure_ascii=False, sort_keys=True))


@dataclass(frozen=True)
class Chunk:
    """One retrievable passage with the metadata filters and citations need."""

    id: str
    text: str
    source_id: str  # file-relative path, plus '#<product id>' for product sheets
    source_type: SourceType
    title: str  # product name, or the policy document title + section heading
    ordinal: int = 0  # position within its source, for stable ordering
    product_id: str | None = None
    product_name: str | None = None
    category: str | None = None
    price: float | None = None
    status: str | None = None
    section: str | None = None
    facts_json: str | None = None  # ProductFacts.to_json() on the first chunk of each product

    def metadata(self) -> dict[str, MetaValue]:
        """Chroma-compatible metadata (scalars only; None values are dropped)."""
        raw: dict[str, Any] = {
            "source_id": self.source_id,
            "source_type": self.source_type,
            "title": self.title,
            "ordinal": self.ordinal,
            "product_id": self.product_id,
            "product_name": self.product_name,
            "category": self.category,
            "price": self.price,
            "status": self.status,
            "section": self.section,
            "facts_json": self.facts_json,
        }
        return {k: v for k, v in raw.items() if v is not None}

    @classmethod
    def from_metadata(cls, chunk_id: str, text: str, meta: dict[str, Any]) -> Chunk:
        price = meta.get("price")
        return cls(
            id=chunk_id,
            text=text,
            source_id=str(meta.get("source_id", "")),
            source_type="product" if meta.get("source_type") == "product" else "policy",
            title=str(meta.get("title", "")),
            ordinal=int(meta.get("ordinal", 0)),
            product_id=meta.get("product_id"),
            product_name=meta.get("product_name"),
            category=meta.get("category"),
            price=float(price) if price is not None else None,
            status=meta.get("status"),
            section=meta.get("section"),
            facts_json=meta.get("facts_json"),
        )


@dataclass(frozen=True)
class IngestIssue:
    """A file (or record) that could not be read, and why."""

    path: str
    reason: str


@dataclass
class IngestResult:
    chunks: list[Chunk]
    products: list[ProductFacts]
    documents: int
    issues: list[IngestIssue]
    digest: str  # sha256 over all chunk ids, in order: the knowledge-base digest


@dataclass(frozen=True)
class Hit:
    """A retrieved chunk with its fused score and the ranks that produced it."""

    chunk: Chunk
    score: float
    dense_rank: int | None = None
    bm25_rank: int | None = None
