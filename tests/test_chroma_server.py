"""Server mode: a real `chroma run` process, two replicas sharing it through the alias collection."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from service.container import Container
from service.embeddings.fake import FakeEmbedder
from service.settings import Settings
from tests.conftest import INDEX_KB

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    exe = Path(sys.executable).parent / "chroma"
    if not exe.exists():
        pytest.fail("the chroma CLI is missing from the virtualenv (chromadb installs it)")
    port = _free_port()
    path = tmp_path_factory.mktemp("chroma-server")
    proc = subprocess.Popen(
        [str(exe), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if httpx.get(f"{url}/api/v2/heartbeat", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        else:
            pytest.fail("chroma server did not start")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_two_replicas_share_versions_through_a_chroma_server(chroma_url: str, tmp_path: Path) -> None:
    def replica(name: str) -> Container:
        settings = Settings(
            data_dir=tmp_path / name, chroma_url=chroma_url, embedder="fake", collection_prefix="srvtest"
        )
        return Container(settings, embedder=FakeEmbedder())

    kb = tmp_path / "kb"
    shutil.copytree(INDEX_KB, kb)
    a, b = replica("a"), replica("b")
    report = a.index.reindex(kb)
    assert report.status == "built"
    # Replica b has no local BM25 cache: it rebuilds from the server's collection.
    live = b.index.live_version()
    assert live is not None and live.version == report.version
    assert b.index.retrieve("KT-170T 多少钱", k=1)[0].chunk.product_id == "KT-170T"

    second = a.index.reindex(kb, force=True)
    assert second.embeddings_reused == second.chunks
    time.sleep(2.1)  # replicas re-read the alias at most every 2 s
    assert b.index.live_version().version == second.version  # type: ignore[union-attr]
    b.index.rollback()
    time.sleep(2.1)
    assert a.index.live_version().version == report.version  # type: ignore[union-attr]
