"""Staleness end to end, with what the real pipeline produces: a price change in a product sheet and a
reindex make a pending draft that quoted the old price stale (named source, queue filter, audited
approval); a draft citing an unchanged product stays fresh. SQLite and PostgreSQL."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.api.auth import Role
from service.app import create_app
from service.container import Container
from service.embeddings.fake import FakeEmbedder
from service.review.db import Database
from service.settings import Settings
from tests import test_review_support as support
from tests.conftest import INDEX_KB, auth, static_keys

backend, db = support.backend, support.db  # fixtures


@dataclass
class Shop:
    client: TestClient
    container: Container
    kb: Path

    def draft(self, message: str) -> dict[str, Any]:
        res = self.client.post("/v1/drafts", json={"customer_message": message}, headers=auth(Role.AGENT))
        assert res.status_code == 201, res.text
        return dict(res.json())

    def get(self, draft_id: str) -> dict[str, Any]:
        res = self.client.get(f"/v1/drafts/{draft_id}", headers=auth(Role.REVIEWER))
        assert res.status_code == 200, res.text
        return dict(res.json())

    def edit_sheet(self, old: str, new: str) -> None:
        sheet = self.kb / "products" / "kettles.yaml"
        text = sheet.read_text(encoding="utf-8")
        assert old in text
        sheet.write_text(text.replace(old, new, 1), encoding="utf-8")
        self.container.index.reindex()


@pytest.fixture
def shop(db: Database, tmp_path: Path) -> Iterator[Shop]:
    kb = tmp_path / "kb"
    shutil.copytree(INDEX_KB, kb)
    settings = Settings(data_dir=tmp_path / "data", knowledge_dir=kb, embedder="fake")
    container = Container(settings, db=db, embedder=FakeEmbedder(), keys=static_keys())
    container.index.reindex()
    client = TestClient(create_app(container))
    yield Shop(client, container, kb)
    client.close()
    container.close()


def test_a_price_change_makes_a_draft_quoting_the_old_price_stale(shop: Shop) -> None:
    quoted = shop.draft("KT-150 多少钱？")
    assert "89" in quoted["text"]
    product = [c for c in quoted["citations"] if c.get("product_id") == "KT-150" and not c.get("chunk_id")]
    assert product, "the offline drafter cites the product's facts (no chunk id)"
    assert all(c["fact_digest"] for c in product), "a product citation identifies its facts' version"
    other = shop.draft("KT-170T 多少钱？")
    assert "159" in other["text"]

    shop.edit_sheet("价格: 89", "价格: 99")

    now = shop.get(quoted["id"])
    assert now["stale"] is True and now["version"] == quoted["version"]
    assert product[0]["source_id"] in now["stale_sources"]
    assert shop.get(other["id"])["stale"] is False  # its product did not change
    listed = shop.client.get("/v1/reviews", params={"stale": "true"}, headers=auth(Role.REVIEWER)).json()
    assert [d["id"] for d in listed["items"]] == [quoted["id"]]

    res = shop.client.post(
        f"/v1/drafts/{quoted['id']}/approve", json={"version": now["version"]}, headers=auth(Role.REVIEWER)
    )
    assert res.status_code == 200, res.text
    trail = shop.client.get(f"/v1/drafts/{quoted['id']}/audit", headers=auth(Role.QA)).json()
    assert trail[-1]["action"] == "approved"
    assert "approved while stale" in trail[-1]["note"] and product[0]["source_id"] in trail[-1]["note"]


def test_a_removed_product_makes_its_draft_stale(shop: Shop) -> None:
    quoted = shop.draft("KT-150 多少钱？")
    shop.edit_sheet("商品ID: KT-150", "商品ID: KT-150X")
    assert shop.get(quoted["id"])["stale"] is True


def test_a_reindex_without_changes_leaves_drafts_fresh(shop: Shop) -> None:
    quoted = shop.draft("KT-150 多少钱？")
    shop.container.index.reindex(force=True)
    assert shop.get(quoted["id"])["stale"] is False
