"""Small knowledge bases for answer-engine tests, written as a store's folder is (``products/*.json``,
``policies/*.md``) and read through the real ingest, so a test's store is built the way a user's is."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from service.answering.engine import AnswerEngine
from service.answering.facts import Embedding, FactStore
from service.index.crosslingual import Glossary
from service.knowledge.ingest import ingest_source


def write_kb(
    root: Path, products: Mapping[str, Any] | None = None, policies: Mapping[str, str] | None = None
) -> Path:
    """A knowledge folder at ``root``: product files (objects are written as JSON) and policy texts."""
    for folder, files in (("products", products or {}), ("policies", policies or {})):
        for name, body in files.items():
            path = root / folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            text = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
            path.write_text(text, "utf-8")
    root.mkdir(parents=True, exist_ok=True)
    return root


def store_over(root: Path) -> FactStore:
    result = ingest_source(root)
    return FactStore.build(result.products, result.chunks)


def engine_over(root: Path, embedder: Embedding | None = None) -> AnswerEngine:
    """The answer engine over a folder; with an embedder the policy sentences are embedded first, as at
    index time."""
    store = store_over(root)
    if embedder is not None:
        store.embed_policy(embedder)
    return AnswerEngine(store, embedder, Glossary.load().translate)
