"""Versioned index and hybrid retrieval over a real embedded Chroma (fake embedder for speed)."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from service.container import Container
from service.embeddings.fake import FakeEmbedder
from service.errors import ReplydraftError
from service.index.manager import IndexManager, RetrievalFilters
from tests.conftest import INDEX_KB


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    """A private copy of the small knowledge base, so tests may change it."""
    dest = tmp_path / "kb"
    shutil.copytree(INDEX_KB, dest)
    return dest


@pytest.fixture
def index(make_container: Callable[..., Container], kb: Path) -> IndexManager:
    idx: IndexManager = make_container().index
    idx.reindex(kb)
    return idx


def test_reindex_reports_counts_and_goes_live(make_container: Callable[..., Container], kb: Path) -> None:
    idx: IndexManager = make_container().index
    assert idx.live_version() is None
    report = idx.reindex(kb)
    assert report.status == "built"
    assert report.documents == 4
    assert report.products == 5
    assert report.chunks >= 9
    assert report.embeddings_computed == report.chunks
    live = idx.live_version()
    assert live is not None and live.version == report.version and live.chunks == report.chunks


def test_named_product_beats_near_duplicates(index: IndexManager) -> None:
    for query, expected in [
        ("KT-170T 多少钱？", "KT-170T"),
        ("KT-170 多少钱？", "KT-170"),
        ("晨光电热水壶 1.5L KT-150 保修多久", "KT-150"),
        ("Lightweight Down Jacket sizes", "JK-DOWN-01"),
    ]:
        hits = index.retrieve(query, k=3)
        assert hits[0].chunk.product_id == expected, (query, [h.chunk.product_id for h in hits])


def test_chunks_name_their_product(index: IndexManager) -> None:
    hits = index.retrieve("保温 温控", k=5, filters=RetrievalFilters(product_ids=["KT-170T"]))
    assert hits and all(h.chunk.product_id == "KT-170T" for h in hits)
    assert all("KT-170T" in h.chunk.text for h in hits)


def test_policy_question_finds_policy(index: IndexManager) -> None:
    hits = index.retrieve("寄到新疆要加多少运费", k=3)
    assert hits[0].chunk.source_id == "policies/shipping.md"
    hits = index.retrieve("退款多久到账", k=3, filters=RetrievalFilters(source_type="policy"))
    assert hits and all(h.chunk.source_type == "policy" for h in hits)
    assert hits[0].chunk.source_id == "policies/returns.md"


def test_empty_query_and_empty_index_are_clear_errors(make_container: Callable[..., Container]) -> None:
    idx: IndexManager = make_container().index
    with pytest.raises(ReplydraftError) as exc:
        idx.retrieve("退货")
    assert exc.value.code == "index_empty"
    with pytest.raises(ReplydraftError) as exc:
        idx.retrieve("   ")
    assert exc.value.code == "validation_error"


def test_reindex_without_change_reuses_everything(make_container: Callable[..., Container], kb: Path) -> None:
    embedder = FakeEmbedder()
    idx: IndexManager = make_container(embedder=embedder).index
    first = idx.reindex(kb)
    calls = embedder.calls
    again = idx.reindex(kb)
    assert again.status == "unchanged" and again.version == first.version
    assert embedder.calls == calls
    forced = idx.reindex(kb, force=True)
    assert forced.status == "built" and forced.version != first.version
    assert forced.embeddings_reused == forced.chunks and forced.embeddings_computed == 0
    assert embedder.calls == calls


def test_incremental_reindex_embeds_only_new_text(make_container: Callable[..., Container], kb: Path) -> None:
    embedder = FakeEmbedder()
    idx: IndexManager = make_container(embedder=embedder).index
    first = idx.reindex(kb)
    ship = kb / "policies" / "shipping.md"
    ship.write_text(ship.read_text(encoding="utf-8").replace("15元", "20元"), encoding="utf-8")
    (kb / "policies" / "returns.md").unlink()
    (kb / "policies" / "invoice.md").write_text(
        "# 发票\n\n下单时可选择开具电子普通发票。\n", encoding="utf-8"
    )
    dry = idx.reindex(kb, dry_run=True)
    assert dry.status == "dry_run" and idx.live_version().version == first.version  # type: ignore[union-attr]
    calls = embedder.calls
    report = idx.reindex(kb)
    assert report.sources_changed == ["policies/shipping.md"]
    assert report.sources_removed == ["policies/returns.md"]
    assert report.sources_added == ["policies/invoice.md"]
    # chunks and the fact store's policy sentences whose text changed are embedded, nothing else
    assert report.embeddings_computed + report.sentence_embeddings == embedder.calls - calls
    assert 0 < report.sentence_embeddings <= 3
    assert 0 < report.embeddings_computed < report.chunks
    assert idx.retrieve("新疆运费", k=1)[0].chunk.text.count("20元") == 1


def test_failed_reindex_keeps_live_version(
    make_container: Callable[..., Container], kb: Path, tmp_path: Path
) -> None:
    idx: IndexManager = make_container().index
    first = idx.reindex(kb)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ReplydraftError) as exc:
        idx.reindex(empty)
    assert exc.value.code == "source_invalid"
    assert idx.progress()["state"] == "failed"
    assert idx.live_version().version == first.version  # type: ignore[union-attr]
    assert idx.retrieve("退货", k=1)


def test_crash_while_writing_leaves_live_version_and_no_orphan(
    make_container: Callable[..., Container], kb: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    idx: IndexManager = make_container().index
    first = idx.reindex(kb)
    before = idx.store.version_names()

    def broken_add(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(idx.store, "add", broken_add)
    with pytest.raises(RuntimeError):
        idx.reindex(kb, force=True)
    assert idx.live_version().version == first.version  # type: ignore[union-attr]
    assert idx.store.version_names() == before


def test_rollback_and_pruning(make_container: Callable[..., Container], kb: Path, settings: object) -> None:
    container = make_container()
    idx: IndexManager = container.index
    versions = [idx.reindex(kb, force=True).version for _ in range(4)]
    kept = [v.version for v in idx.list_versions()]
    assert kept == list(reversed(versions))[: container.settings.index_keep_versions]
    assert len(idx.store.version_names()) == container.settings.index_keep_versions
    info = idx.rollback()
    assert info.version == versions[-2]
    assert idx.live_version().version == versions[-2]  # type: ignore[union-attr]


def test_rollback_without_previous_version_is_a_conflict(index: IndexManager) -> None:
    with pytest.raises(ReplydraftError) as exc:
        index.rollback()
    assert exc.value.code == "conflict"


def test_second_reindex_is_refused_and_retrieval_keeps_working(
    make_container: Callable[..., Container], kb: Path
) -> None:
    class SlowEmbedder(FakeEmbedder):
        def embed_passages(self, texts):  # type: ignore[no-untyped-def]
            time.sleep(0.05)
            return super().embed_passages(texts)

    idx: IndexManager = make_container(embedder=SlowEmbedder()).index
    first = idx.reindex(kb)
    idx.start_background_reindex(kb, force=True)
    with pytest.raises(ReplydraftError) as exc:
        idx.reindex(kb)
    assert exc.value.code == "reindex_running"
    served = 0
    while idx.reindex_running():
        assert idx.retrieve("KT-170T", k=1)[0].chunk.product_id == "KT-170T"
        served += 1
    assert served > 0
    assert idx.progress()["state"] == "succeeded"
    assert idx.live_version().version != first.version  # type: ignore[union-attr]


def test_replica_without_bm25_cache_rebuilds_it_from_chroma(
    make_container: Callable[..., Container], kb: Path
) -> None:
    container = make_container()
    report = container.index.reindex(kb)
    shutil.rmtree(container.settings.data_dir / "bm25")
    replica: IndexManager = make_container().index
    assert replica.live_version().version == report.version  # type: ignore[union-attr]
    assert replica.retrieve("KT-150", k=1)[0].chunk.product_id == "KT-150"
    assert replica.catalogue().get("KT-170T") is not None


def test_catalogue_mentions_respect_word_boundaries(index: IndexManager) -> None:
    cat = index.catalogue()
    assert [p.product_id for p in cat.find_mentions("我想问 KT-170T 和 kt-150 的区别")] == [
        "KT-170T",
        "KT-150",
    ]
    assert [p.product_id for p in cat.find_mentions("KT-1700 是什么")] == []
    assert [p.product_id for p in cat.find_mentions("KT-170 有货吗")] == ["KT-170"]


def test_max_per_source_makes_room_for_other_documents(tmp_path: Path) -> None:
    from service.settings import Settings

    def top(cap: int) -> list[str]:
        settings = Settings(
            data_dir=tmp_path / "data", knowledge_dir=INDEX_KB, embedder="fake", retrieval_max_per_source=cap
        )
        container = Container(settings, embedder=FakeEmbedder())
        if container.index.live_version() is None:
            container.index.reindex(INDEX_KB)
        hits = container.index.retrieve("退货 退款 七天无理由 原路退款", k=4)
        container.close()
        return [h.chunk.source_id for h in hits]

    uncapped, capped = top(0), top(1)
    assert len(set(uncapped)) < len(uncapped)  # without the cap one document takes several slots
    assert len(capped) == 4  # the cap never leaves slots empty: deferred chunks fill what is left
    first_four_sources = list(dict.fromkeys(capped))
    assert len(first_four_sources) >= min(4, len(set(uncapped) | set(capped)))
    assert capped[0] == uncapped[0]  # the best hit stays first
    assert len(set(capped[: len(first_four_sources)])) == len(first_four_sources)  # distinct documents first
