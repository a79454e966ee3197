"""`replydraft serve --init` on an empty data folder: the new keys come last, framed, and in a file only
the owner can read; the keys work."""

from __future__ import annotations

import os
import re
import signal
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import httpx

from service.cli.serve import KEYS_FILE, write_keys_file
from tests.conftest import INDEX_KB


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_init_prints_keys_last_and_writes_an_owner_only_file(tmp_path: Path) -> None:
    data, port = tmp_path / "data", free_port()
    env = {
        **os.environ,
        "REPLYDRAFT_DATA_DIR": str(data),
        "REPLYDRAFT_KNOWLEDGE_DIR": str(INDEX_KB),
        "REPLYDRAFT_EMBEDDER": "fake",
        "COLUMNS": "100",
    }
    command = [sys.executable, "-c", "from service.cli import main; main()", "serve", "--init"]
    proc = subprocess.Popen(
        [*command, "--port", str(port)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    keys_file = data / KEYS_FILE
    try:
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "server did not start"
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        time.sleep(0.5)  # the announcement follows start-up
        assert stat.S_IMODE(keys_file.stat().st_mode) == 0o600
        saved = dict(
            line.split("=", 1) for line in keys_file.read_text(encoding="utf-8").splitlines() if "=" in line
        )
        assert set(saved) == {"admin", "reviewer"}
        assert "delete this file" in keys_file.read_text(encoding="utf-8")
        me = httpx.get(
            f"http://127.0.0.1:{port}/v1/keys", headers={"Authorization": f"Bearer {saved['admin']}"}
        )
        assert me.status_code == 200, me.text
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    # Framed, after everything else the first start printed on stdout (the serving line included).
    panel = out[out.index("Local API keys") :]
    assert saved["admin"] in panel and saved["reviewer"] in panel and str(keys_file.resolve()) in panel
    assert "replydraft serving on" in out[: out.index("Local API keys")]
    assert re.search(r"[╭┌+].*Local API keys", out)
    assert saved["admin"] not in err  # never in the logs


def test_keys_file_replaces_an_old_one_and_stays_private(tmp_path: Path) -> None:
    old = tmp_path / KEYS_FILE
    old.write_text("stale", encoding="utf-8")
    old.chmod(0o644)
    path = write_keys_file({"admin": "rd_new"}, tmp_path)
    assert path == old.resolve()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "admin=rd_new" in path.read_text(encoding="utf-8") and "stale" not in path.read_text()
