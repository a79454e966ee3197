"""Symlinks in a knowledge folder: nothing outside the source folder becomes retrievable text, and every
link left out is named in the reindex report with the reason."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from service.container import Container
from service.errors import ErrorCode, ReplydraftError
from service.knowledge.ingest import ingest_source
from tests.conftest import INDEX_KB

SECRET = "root:x:0:0 绝密口令 hunter2 不应出现在任何回复里"


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    """The small knowledge base plus links: out to a private file and folder, and within the source."""
    source = tmp_path / "kb"
    shutil.copytree(INDEX_KB, source)
    outside = tmp_path / "outside"
    (outside / "folder").mkdir(parents=True)
    (outside / "passwd.md").write_text(f"# 系统文件\n\n{SECRET}\n", encoding="utf-8")
    (outside / "folder" / "notes.md").write_text(f"# 内部笔记\n\n{SECRET}\n", encoding="utf-8")
    (source / "policies").mkdir(exist_ok=True)
    (source / "policies" / "passwd.md").symlink_to(outside / "passwd.md")
    (source / "private").symlink_to(outside / "folder", target_is_directory=True)
    first = sorted(p for p in source.rglob("*.md") if not p.is_symlink())[0]
    (source / "policies" / "alias.md").symlink_to(first)  # inside the source: fine
    (source / "again").symlink_to(source / "policies", target_is_directory=True)
    return source


def test_links_out_of_the_source_are_skipped_with_the_reason(kb: Path, tmp_path: Path) -> None:
    result = ingest_source(kb)
    assert not any("hunter2" in c.text for c in result.chunks)
    reasons = {i.path: i.reason for i in result.issues}
    assert "outside the source folder" in reasons["policies/passwd.md"]
    assert str(tmp_path / "outside" / "passwd.md") in reasons["policies/passwd.md"]
    assert "outside the source folder" in reasons["private"] and "not followed" in reasons["private"]
    assert "again" not in reasons  # a folder link within the source: read where it lies, not twice
    assert "policies/alias.md" not in reasons
    assert any(c.source_id == "policies/alias.md" for c in result.chunks)


def test_strict_reindex_fails_on_a_link_out(kb: Path) -> None:
    with pytest.raises(ReplydraftError) as info:
        ingest_source(kb, strict=True)
    assert info.value.code == ErrorCode.SOURCE_INVALID
    assert "outside the source folder" in info.value.message


def test_reindex_report_names_the_skipped_links(make_container: Callable[..., Container], kb: Path) -> None:
    index = make_container().index
    report = index.reindex(kb)
    skipped = {i["path"]: i["reason"] for i in report.issues}
    assert {"policies/passwd.md", "private"} <= set(skipped)
    hits = index.retrieve("绝密口令 hunter2", k=10)
    assert not any("hunter2" in h.chunk.text for h in hits)
