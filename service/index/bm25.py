"""The lexical half of hybrid retrieval, plus the in-memory chunk store it shares with fusion.

A BM25 index is derived from a version's chunks, so it never disagrees with Chroma. It is cached on local
disk per version; a replica that lacks the cache rebuilds it from the Chroma collection.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import bm25s
import numpy as np
import numpy.typing as npt
from bm25s.selection import topk

from service.index.tokenize import tokenize
from service.knowledge.models import Chunk


@dataclass
class LexicalIndex:
    """BM25 over one version's chunks, with the chunks themselves for filtering and hit assembly."""

    chunks: list[Chunk]
    retriever: bm25s.BM25
    position: dict[str, int]

    @classmethod
    def build(cls, chunks: Sequence[Chunk]) -> LexicalIndex:
        retriever = bm25s.BM25()
        corpus = [tokenize(c.text) for c in chunks]
        retriever.index(corpus, show_progress=False)
        return cls(list(chunks), retriever, {c.id: i for i, c in enumerate(chunks)})

    def search(
        self, query: str, k: int, mask: npt.NDArray[np.float32] | None = None
    ) -> list[tuple[int, float]]:
        """Positions and scores, best first; only positive scores (a zero score is no match)."""
        tokens = tokenize(query)
        n = len(self.chunks)
        if not tokens or n == 0:
            return []
        ids = self.retriever.get_tokens_ids(tokens)
        if not ids:
            return []
        # Scores then top-k directly: retrieve() starts a thread pool and a progress bar per query,
        # which cost ~5 ms of a 50 ms budget at 50k chunks.
        scores = self.retriever.get_scores_from_ids(ids, weight_mask=mask)
        top_scores, top_docs = topk(scores, k=min(k, n), backend="numpy", sorted=True)
        return [(int(d), float(s)) for d, s in zip(top_docs, top_scores, strict=True) if s > 0]

    # --- cache on disk ------------------------------------------------------------------------------
    def save(self, folder: Path) -> None:
        tmp = folder.with_name(folder.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        self.retriever.save(str(tmp), show_progress=False)
        with (tmp / "chunks.jsonl").open("w", encoding="utf-8") as fh:
            for c in self.chunks:
                fh.write(
                    json.dumps({"id": c.id, "text": c.text, "meta": c.metadata()}, ensure_ascii=False) + "\n"
                )
        shutil.rmtree(folder, ignore_errors=True)
        tmp.rename(folder)  # the folder appears whole or not at all

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        retriever = bm25s.BM25.load(str(folder), show_progress=False)
        chunks = []
        with (folder / "chunks.jsonl").open(encoding="utf-8") as fh:
            for line in fh:
                rec = json.loads(line)
                chunks.append(Chunk.from_metadata(rec["id"], rec["text"], rec["meta"]))
        return cls(chunks, retriever, {c.id: i for i, c in enumerate(chunks)})
