"""`replydraft index list` as an operator sees it in a narrow terminal, and its JSON; reindex progress."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from service.container import Container
from service.settings import Settings
from tests.conftest import INDEX_KB


def replydraft(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "REPLYDRAFT_DATA_DIR": str(settings.data_dir),
        "REPLYDRAFT_EMBEDDER": "fake",
        "COLUMNS": "80",
        "TERM": "dumb",
    }
    return subprocess.run(
        [sys.executable, "-c", "from service.cli import main; main()", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_index_list_prints_full_version_names_and_json(
    make_container: Callable[..., Container], settings: Settings
) -> None:
    index = make_container().index
    first = index.reindex(INDEX_KB)
    second = index.reindex(INDEX_KB, force=True)
    names = {first.version, second.version}
    assert all(names)

    table = replydraft(settings, "index", "list")
    assert table.returncode == 0, table.stderr
    for name in names:
        assert name in table.stdout, table.stdout  # whole, in an 80-column terminal

    listed = replydraft(settings, "index", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)
    assert {r["version"] for r in rows} == names
    assert [r["live"] for r in rows if r["version"] == second.version] == [True]
    assert all(r["source"] == str(Path(INDEX_KB).resolve()) for r in rows)


def test_progress_after_a_successful_reindex_reads_complete(make_container: Callable[..., Container]) -> None:
    index = make_container().index
    seen: list[tuple[str, int, int]] = []
    report = index.reindex(INDEX_KB, on_progress=lambda *p: seen.append(p))
    progress = index.progress()
    assert progress["state"] == "succeeded" and progress["phase"] == "done"
    assert progress["done"] == progress["total"] == report.chunks > 0
    assert seen[-1] == ("done", report.chunks, report.chunks)
