"""`make loadtest` in miniature: concurrent agents and reviewers through a reindex and model failures,
against a real server on PostgreSQL; the pass criteria must hold. (The full run also restarts PostgreSQL;
the smoke test does not, since other tests share that server.)"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests import test_review_support as support

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_quick_loadtest_passes_its_criteria(tmp_path: Path) -> None:
    support._pg_session_url()  # skips when PostgreSQL is not reachable
    env = {**os.environ, "REPLYDRAFT_BENCH_RESULTS": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "bench.loadtest", "--quick", "--no-pg-restart", "--duration", "30"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    report = json.loads((tmp_path / "loadtest.json").read_text(encoding="utf-8"))
    assert report["ok"] is True
    assert set(report["criteria"]) == {
        "no_5xx_without_retry_after",
        "no_lost_draft",
        "no_duplicated_send",
        "nothing_sent_without_approval",
    }
    assert all(c["ok"] for c in report["criteria"].values())
    phases = {p["phase"]: p for p in report["phases"]}
    assert {"steady", "reindex", "llm_500", "llm_timeout", "recovery"} <= set(phases)
    assert report["sent"] > 0 and report["delivered"] == report["sent"]
    # Drafts kept coming while the model failed, from the offline drafter, and were marked as fallbacks.
    assert phases["llm_500"]["draft_ok"] > 0 and phases["llm_timeout"]["draft_ok"] > 0
    assert any(k.startswith("extractive:") for k in report["generators"])
    assert any("live version switched" in e for e in report["events"])
