"""Review action latency (issue 5 target: p95 <= 20 ms with 8 concurrent clients, SQLite and PostgreSQL).

Run: `python -m bench.review_bench` (both backends) or `--backend sqlite|postgresql`.

For each backend the benchmark starts the real API in a separate process (uvicorn, one worker, the real
compliance engine; an in-memory index and drafter, since drafting is not what is measured), fills the
queue with pending drafts, then 8 client threads with their own keep-alive connections review them over
HTTP: approve as is or with an edit (re-checked by compliance) then send, reject with a reason, or
regenerate, reading the draft first as a reviewer would. Latency is measured per request at the client,
so it includes HTTP, auth (a key lookup), the transaction and the audit write.

PostgreSQL is at REPLYDRAFT_BENCH_PG_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/postgres);
a throwaway database is created and dropped.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
from rich.console import Console
from rich.table import Table

from bench.common import free_port, process_cpu_ms, save, summary, wait_for_server

REPO = Path(__file__).resolve().parents[1]
PG_URL = os.environ.get("REPLYDRAFT_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
CLIENTS = 8
TARGET_P95_MS = 20.0
REVIEW_ACTIONS = ("approve", "approve_edit", "reject", "regenerate", "send")

DRAFT = (
    "您好！KT-150 晨光电热水壶整机保修1年[1]，签收之日起7天内商品完好可申请无理由退货[2]。"
    "付款后48小时内发货[3]，如有其他问题欢迎随时联系我们。"
)
EDIT = (
    "您好！KT-150 电热水壶整机保修1年[1]。签收后7天内，商品完好即可申请无理由退货[2]；"
    "我们会在付款后48小时内为您发货[3]。"
)
SOURCES = [
    ("products/kettles.yaml#KT-150", "晨光电热水壶 KT-150", "保修: 整机保修1年", "c-kt150"),
    ("policies/returns.md", "退换货政策", "签收之日起7天内，商品完好，可申请无理由退货。", "c-returns"),
    ("policies/shipping.md", "配送说明", "付款后48小时内发货。", "c-shipping"),
]


# --- the server process ------------------------------------------------------------------------------
class _Index:
    def live_version(self) -> Any:
        return SimpleNamespace(version="bench-v1")

    def present_chunk_ids(self, chunk_ids: Sequence[str]) -> set[str]:
        return set(chunk_ids)


def _generated(text: str, customer: str) -> Any:
    from service.compliance.models import ComplianceResult, Verdict
    from service.drafting.models import Citation, DraftRequest, GeneratedDraft, GeneratorInfo

    return GeneratedDraft(
        request=DraftRequest(customer_message=customer, context="老客户，订单已付款"),
        text=text,
        language="zh",
        intent="warranty",
        citations=[
            Citation(marker=i + 1, source_id=s, title=t, excerpt=e, chunk_id=c)
            for i, (s, t, e, c) in enumerate(SOURCES)
        ],
        compliance=ComplianceResult(verdict=Verdict.PASS),
        generator=GeneratorInfo(
            provider="openai-compatible", model="bench", prompt_version="p1", latency_ms=900
        ),
        index_version="bench-v1",
        retrieved_source_ids=[s for s, *_ in SOURCES],
    )


class _Drafter:
    def generate(self, req: Any) -> Any:
        return _generated(DRAFT, req.customer_message)


def app() -> Any:
    """The API over the benchmark database (a uvicorn factory, so several workers can serve it)."""
    from service.app import create_app
    from service.container import Container
    from service.settings import Settings

    settings = Settings(
        database_url=os.environ["REPLYDRAFT_BENCH_DB"],
        data_dir=Path(tempfile.mkdtemp()),
        embedder="fake",
        log_level="WARNING",
        # One reviewer key drives all clients: per-key draft limits would turn regenerates into 429s.
        draft_rate_limit="",
        draft_concurrency=0,
    )
    container = Container(settings, index=_Index(), drafter=_Drafter())
    container.db.check_schema()
    return create_app(container)


def serve(url: str, port: int, workers: int) -> None:
    import uvicorn

    os.environ["REPLYDRAFT_BENCH_DB"] = url
    uvicorn.run(
        "bench.review_bench:app",
        factory=True,
        host="127.0.0.1",
        port=port,
        workers=workers,
        log_level="warning",
        access_log=False,
    )


# --- databases ---------------------------------------------------------------------------------------
@contextmanager
def database(backend: str) -> Iterator[str]:
    if backend == "sqlite":
        folder = tempfile.mkdtemp(prefix="replydraft-bench-")
        yield f"sqlite:///{folder}/bench.db"
        return
    import psycopg
    from sqlalchemy.engine import make_url

    admin = make_url(PG_URL)
    conninfo = admin.set(drivername="postgresql").render_as_string(hide_password=False)
    name = f"replydraft_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield admin.set(drivername="postgresql+psycopg", database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def prepare(url: str, drafts: int) -> tuple[str, list[str]]:
    """Migrate, create a reviewer key and fill the queue; returns the key and the draft ids."""
    from service.api.auth import Principal, Role
    from service.review.db import Database
    from service.review.keys import DatabaseKeyStore
    from service.review.workflow import ReviewService
    from service.settings import Settings

    db = Database(url)
    db.upgrade()
    keys = DatabaseKeyStore(db)
    token, _ = keys.create_key("bench reviewer", Role.REVIEWER)
    agent = Principal("bench-agent", "bench agent", Role.AGENT)
    reviews = ReviewService(
        db,
        settings=Settings(embedder="fake"),
        compliance=lambda: None,  # type: ignore[arg-type,return-value]
        index=_Index,
        drafter=_Drafter,
    )
    ids = [
        reviews.create_draft(_generated(DRAFT, f"第{i}位客户：KT-150 保修多久？"), requested_by=agent).id
        for i in range(drafts)
    ]
    db.close()
    return token, ids


# --- clients -----------------------------------------------------------------------------------------


def client(
    base: str, token: str, ids: list[str], seed: int, start_at: float
) -> tuple[dict[str, list[float]], list[str]]:
    """One reviewer working through ``ids``; runs in its own process so clients do not share a GIL."""
    rng = random.Random(seed)
    out: dict[str, list[float]] = defaultdict(list)
    errors: list[str] = []
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base, headers=headers, timeout=30) as http:

        def call(kind: str, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
            started = time.perf_counter()
            res = http.request(method, path, json=body)
            out[kind].append((time.perf_counter() - started) * 1000)
            if res.status_code >= 300:
                errors.append(f"{kind} {res.status_code} {res.text[:120]}")
            return res

        http.get("/healthz")  # connect before the clock starts
        time.sleep(max(0.0, start_at - time.time()))
        for draft_id in ids:
            draft = call("get", "GET", f"/v1/drafts/{draft_id}").json()
            roll = rng.random()
            if roll < 0.4:
                call("approve", "POST", f"/v1/drafts/{draft_id}/approve", {"version": draft["version"]})
                call("send", "POST", f"/v1/drafts/{draft_id}/send")
            elif roll < 0.7:
                body = {"version": draft["version"], "text": EDIT}
                call("approve_edit", "POST", f"/v1/drafts/{draft_id}/approve", body)
                call("send", "POST", f"/v1/drafts/{draft_id}/send")
            elif roll < 0.9:
                body = {"version": draft["version"], "reason": "引用的政策已过期，请按新政策回复"}
                call("reject", "POST", f"/v1/drafts/{draft_id}/reject", body)
            else:
                call("regenerate", "POST", f"/v1/drafts/{draft_id}/regenerate", {"version": draft["version"]})
            if rng.random() < 0.2:
                call("list", "GET", "/v1/reviews", None)
    return dict(out), errors


def run_backend(backend: str, per_client: int, clients: int = CLIENTS, workers: int = 1) -> dict[str, Any]:
    with database(backend) as url:
        token, ids = prepare(url, clients * per_client + 20)
        port = free_port()
        command = [sys.executable, "-m", "bench.review_bench", "serve", "--url", url, "--port", str(port)]
        proc = subprocess.Popen(
            [*command, "--workers", str(workers)], cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_for_server(f"{base}/healthz", proc, timeout_s=60, interval_s=0.1)
            client(base, token, ids[:20], 0, 0.0)  # warm-up: imports, pools, first statements
            slices = [ids[20 + i * per_client : 20 + (i + 1) * per_client] for i in range(clients)]
            start_at = time.time() + 1.0
            cpu_before = process_cpu_ms(proc.pid)
            with ProcessPoolExecutor(clients, mp_context=multiprocessing.get_context("fork")) as pool:
                futures = [
                    pool.submit(client, base, token, sl, i + 1, start_at) for i, sl in enumerate(slices)
                ]
                results = [f.result() for f in futures]
            elapsed = time.time() - start_at
            server_cpu_ms = process_cpu_ms(proc.pid) - cpu_before
        finally:
            proc.terminate()
            proc.wait(10)
    out: dict[str, list[float]] = defaultdict(list)
    errors: list[str] = []
    for latencies, errs in results:
        for kind, values in latencies.items():
            out[kind] += values
        errors += errs
    actions = [v for k in REVIEW_ACTIONS for v in out.get(k, [])]
    requests = sum(len(v) for v in out.values())
    return {
        "workers": workers,
        "review_actions": summary(actions),
        "by_action": {k: summary(v) for k, v in sorted(out.items())},
        "requests_per_s": round(requests / elapsed, 1),
        # The server's own CPU per request (all requests, reads included): the cost of the work itself,
        # apart from the queueing that concurrency adds to latency.
        "server_cpu_ms_per_request": round(server_cpu_ms / max(1, requests), 2),
        "errors": len(errors),
        "first_errors": errors[:5],
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command")
    srv = sub.add_parser("serve", help="(internal) run the API for the benchmark")
    srv.add_argument("--url", required=True)
    srv.add_argument("--port", type=int, required=True)
    srv.add_argument("--workers", type=int, default=1)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--per-client", type=int, default=60, help="Drafts each client reviews")
    parser.add_argument("--clients", type=int, default=CLIENTS, help="Concurrent clients (target: 8)")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes of the server")
    parser.add_argument("--no-save", action="store_true")
    args = parser.parse_args(argv)
    if args.command == "serve":
        serve(args.url, args.port, args.workers)
        return

    console = Console()
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    results: dict[str, Any] = {}
    for backend in backends:
        console.print(f"[bold]{backend}[/bold]: {args.clients} clients x {args.per_client} drafts ...")
        results[backend] = run_backend(backend, args.per_client, args.clients, args.workers)
        if args.clients > 1:  # the same work with no one to queue behind: the cost of one action
            results[backend]["one_client"] = run_backend(backend, args.per_client, 1, args.workers)
    table = Table("backend", "action", "p50 ms", "p95 ms", "n", "1 client p50/p95")
    for backend, r in results.items():
        alone = r.get("one_client", {}).get("by_action", {})
        for action, s in r["by_action"].items():
            one = alone.get(action)
            table.add_row(
                backend,
                action,
                str(s["p50"]),
                str(s["p95"]),
                str(s["n"]),
                f"{one['p50']} / {one['p95']}" if one else "",
            )
        s = r["review_actions"]
        one = r.get("one_client", {}).get("review_actions")
        verdict = "OK" if s["p95"] <= TARGET_P95_MS else "over target"
        table.add_row(
            backend,
            f"[bold]review actions[/bold] ({verdict})",
            str(s["p50"]),
            str(s["p95"]),
            str(s["n"]),
            f"{one['p50']} / {one['p95']}" if one else "",
        )
    console.print(table)
    for backend, r in results.items():
        one = r.get("one_client", {})
        cpu = f"server CPU {r['server_cpu_ms_per_request']} ms/request"
        if one:
            cpu += f" ({one['server_cpu_ms_per_request']} with 1 client)"
        console.print(
            f"{backend}: {r['requests_per_s']} requests/s, {cpu}, {r['errors']} errors {r['first_errors']}"
        )
    if not args.no_save:
        path = save(
            "review",
            {
                "clients": args.clients,
                "server_workers": args.workers,
                "per_client": args.per_client,
                "target_p95_ms": TARGET_P95_MS,
                **results,
            },
        )
        console.print(f"saved {path}")


if __name__ == "__main__":
    main()
