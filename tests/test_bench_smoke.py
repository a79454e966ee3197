"""`python -m bench.run_all` end to end on small sizes: one summary JSON with the rows `make bench` promises,
sane numbers, and a failing benchmark reported rather than hiding behind an old result."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from bench import common
from bench import run_all as ra

REPO = Path(__file__).resolve().parents[1]


def run_all(results: Path, *args: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, "-m", "bench.run_all", "--quick", "--embedder", "fake", *args],
        cwd=REPO,
        env={**os.environ, "REPLYDRAFT_BENCH_RESULTS": str(results), **(env or {})},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "replydraft benchmarks" in proc.stdout  # the one table
    return json.loads((results / "summary.json").read_text(encoding="utf-8"))


def rows_of(summary: dict[str, Any], bench: str) -> list[dict[str, Any]]:
    return [r for r in summary["rows"] if r["bench"] == bench]


def test_compliance_only_summary(tmp_path: Path) -> None:
    summary = run_all(tmp_path, "--only", "compliance")
    assert list(summary["benches"]) == ["compliance"]
    assert summary["benches"]["compliance"]["status"] == "ok"
    timing, quality = rows_of(summary, "compliance")
    assert "500-char draft" in timing["metric"]
    assert 0 < timing["numbers"]["p50_ms"] <= timing["numbers"]["p95_ms"] < 1000
    assert quality["numbers"]["block_recall"] >= 0.9  # the shipped rule packs on the shipped labelled set
    assert (tmp_path / "compliance.json").exists() and (tmp_path / "logs" / "compliance.log").exists()


def test_failed_bench_is_reported_and_stale_result_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(common, "RESULTS", tmp_path)
    (tmp_path / "review.json").write_text('{"sqlite": {}}', encoding="utf-8")
    os.utime(tmp_path / "review.json", (1, 1))  # a result from long ago
    broken = ra.Bench("bench.no_such_bench", "review")
    run = ra.run_one("review", broken, [], Console(quiet=True))
    assert run["status"] == "failed (exit 1)" and run["data"] is None
    assert "No module named bench.no_such_bench" in (tmp_path / "logs" / "review.log").read_text()
    (row,) = ra.summary_rows({"review": run})
    assert row["status"] == "MISS" and row["value"] == "failed (exit 1)"


@pytest.mark.slow
def test_quick_run_has_every_promised_row(tmp_path: Path) -> None:
    summary = run_all(tmp_path, "--only", "retrieval,langchain,memory", "--sizes", "300")
    assert {b: r["status"] for b, r in summary["benches"].items()} == {
        "retrieval": "ok",
        "langchain": "ok",
        "memory": "ok",
    }
    retrieval = {r["metric"].split(" (")[0].split(",")[0]: r for r in rows_of(summary, "retrieval")}
    hit = retrieval["retrieval hit@5"]["numbers"]
    assert 0.5 <= hit["hit_at_5"] <= 1 and 0 < hit["mrr"] <= hit["hit_at_5"]
    latency = next(r for r in rows_of(summary, "retrieval") if "latency @" in r["metric"])
    assert 200 <= latency["numbers"]["chunks"] <= 400  # the synthetic KB is sized in chunks
    assert 0 < latency["numbers"]["p50_ms"] <= latency["numbers"]["p95_ms"]
    assert latency["numbers"]["query_embed_p50_ms"] > 0
    build = next(r for r in rows_of(summary, "retrieval") if "throughput" in r["metric"])
    assert build["numbers"]["build_chunks_per_s"] > 0 and build["numbers"]["bare_chunks_per_s"] > 0
    # With the fake embedder the targets do not apply: no row claims to meet or miss one.
    assert {r["status"] for r in summary["rows"]} == {"info"}

    ours, dense, *baselines = rows_of(summary, "langchain")
    assert "replydraft" in ours["metric"] and "dense only" in dense["metric"] and len(baselines) == 2
    assert ours["numbers"]["hit_at_5"] >= dense["numbers"]["hit_at_5"]  # the hybrid beats dense alone
    for b in baselines:
        assert "LangChain" in b["metric"]
        assert b["numbers"]["hit_at_5_delta"] == pytest.approx(
            ours["numbers"]["hit_at_5"] - b["numbers"]["hit_at_5"], abs=1e-3
        )

    (memory,) = rows_of(summary, "memory")
    assert memory["numbers"]["chunks"] == latency["numbers"]["chunks"]  # the retrieval bench's cached index
    assert 50 < memory["numbers"]["rss_ready_mb"] <= memory["numbers"]["peak_rss_mb"] < 4096
    saved = json.loads((tmp_path / "server_memory.json").read_text(encoding="utf-8"))
    assert saved["errors"] == 0 and saved["hits_per_request"] == 5


def test_synthetic_kb_is_sized_in_chunks_cached_and_rebuilt_when_stale(tmp_path: Path) -> None:
    from bench.retrieval_bench import open_synthetic, synthetic_dirs
    from service.embeddings.fake import FakeEmbedder

    def build() -> tuple[str, int]:
        container, report, _ = open_synthetic(FakeEmbedder(), tmp_path, "fake", 300)
        container.close()
        return report.status, report.chunks

    status, chunks = build()
    assert status == "built" and 270 <= chunks <= 330
    assert build() == ("unchanged", chunks)  # a rerun reuses the cached KB and index
    folder, data = synthetic_dirs(tmp_path, "fake", 300)
    marker = folder.parent / "knowledge.complete"
    stamp = marker.read_text(encoding="utf-8")
    marker.write_text("made by an older generator\n", encoding="utf-8")
    (folder / "left-over.md").write_text("# 旧文件\n", encoding="utf-8")
    (data / "left-over").write_text("", encoding="utf-8")
    assert build()[1] == chunks
    # Stale: the KB and its index folder were made afresh (Chroma's in-process client cache may still
    # answer "unchanged" within this process; every benchmark runs in a process of its own).
    assert marker.read_text(encoding="utf-8") == stamp
    assert not (folder / "left-over.md").exists() and not (data / "left-over").exists()
