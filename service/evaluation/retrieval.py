"""The retrieval golden set (``eval/retrieval_golden*.yaml``): does the right product or page rank first?"""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import Any, Protocol

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from service.evaluation.golden import EvalInputError


class _Expect(BaseModel):
    model_config = ConfigDict(extra="forbid")
    product_ids: list[str] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)


class Question(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(min_length=1, max_length=100)
    query: str = Field(min_length=1, max_length=4000)
    lang: str | None = None
    tags: list[str] = Field(default_factory=list)
    expect: _Expect


class RetrievalSet(BaseModel):
    model_config = ConfigDict(extra="allow")
    questions: list[Question] = Field(min_length=1)


class _Chunk(Protocol):
    product_id: str | None
    source_id: str


class _Hit(Protocol):
    @property
    def chunk(self) -> _Chunk: ...


class Retriever(Protocol):
    def retrieve(self, query: str, k: int = ...) -> Any: ...


def load_retrieval_set(path: Path) -> RetrievalSet:
    try:
        return RetrievalSet.model_validate(yaml.safe_load(path.read_text(encoding="utf-8-sig")))
    except OSError as exc:
        raise EvalInputError(f"{path}: cannot read retrieval set ({exc.strerror})") from exc
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise EvalInputError(f"{path}: invalid YAML ({exc})") from exc
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:10])
        raise EvalInputError(f"{path}: invalid retrieval set ({problems})") from exc


def score_retrieval(index: Retriever, questions: list[Question], k: int = 5) -> dict[str, Any]:
    """hit@k and MRR: a hit is a result whose product is expected or whose source starts with one expected."""
    hits = 0
    rr: list[float] = []
    misses: list[str] = []
    for q in questions:
        pids = set(q.expect.product_ids)
        got = index.retrieve(q.query, k=k)
        rank = next(
            (
                i
                for i, h in enumerate(got, 1)
                if h.chunk.product_id in pids
                or any(h.chunk.source_id.startswith(s) for s in q.expect.sources)
            ),
            None,
        )
        hits += rank is not None
        rr.append(1 / rank if rank else 0.0)
        if rank is None:
            misses.append(f"{q.id}: {q.query}")
    n = len(questions)
    return {
        "questions": n,
        "hit_at_k": round(hits / n, 4) if n else None,
        "mrr": round(statistics.mean(rr), 4) if rr else None,
        "k": k,
        "misses": misses,
    }
