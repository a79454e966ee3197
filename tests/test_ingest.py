"""Ingestion of a whole knowledge source: what reindex relies on (products, chunks, ids, issues, errors)."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections import Counter
from pathlib import Path

import pytest

from service.errors import ErrorCode, ReplydraftError
from service.knowledge.ingest import INDEX_FORMAT, ingest_source
from service.knowledge.models import Chunk, IngestResult, ProductFacts
from tests.ci import require_ecom_bench

FIXTURES = Path(__file__).parent / "fixtures"
STORE = FIXTURES / "kb_store"
BAD = FIXTURES / "kb_bad"
ECOM = Path(__file__).resolve().parents[2] / "shared" / "data" / "ecom-bench"


def body(text: str) -> str:
    """A chunk's text without its first line (the product / policy header)."""
    return text.split("\n", 1)[1]


@pytest.fixture(scope="module")
def store() -> IngestResult:
    return ingest_source(STORE)


def test_store_reads_every_kind_of_file(store: IngestResult) -> None:
    assert store.issues == []
    by_source = Counter(c.source_id.split("#")[0] for c in store.chunks)
    assert set(by_source) == {
        "policies/contact.txt",
        "policies/returns.md",
        "policies/shipping-en.md",
        "products/appliances/heaters.json",
        "products/baby/stroller.md",
        "products/clothing/tees.yaml",
        "products/food/snacks.csv",
    }
    assert store.documents == 7
    ids = [p.product_id for p in store.products]
    assert sorted(ids) == sorted(
        ["WH-60A", "WH-80A", "BB-ST-01", "TEE-CORE-01", "TEE-CORE-02", "SN-NUT-30", "SN-TEA-10"]
    )


def test_hidden_folders_readme_and_license_are_skipped(store: IngestResult) -> None:
    sources = {c.source_id for c in store.chunks}
    assert not any("HIDDEN" in s or "README" in s or "LICENSE" in s for s in sources)
    assert all("HIDDEN-1" not in c.text for c in store.chunks)


def test_products_keep_structured_metadata(store: IngestResult) -> None:
    facts = {p.product_id: p for p in store.products}
    assert facts["WH-60A"].price == 1299 and facts["WH-60A"].status == "已上架"
    assert facts["TEE-CORE-01"].price == pytest.approx(19.90)  # "$19.90"
    assert facts["SN-TEA-10"].price == 268 and facts["SN-TEA-10"].status == "预售"  # "¥268"
    assert facts["BB-ST-01"].category == "母婴"  # its own field wins over the folder
    assert facts["WH-60A"].category == "appliances"  # no field: the folder name
    assert facts["TEE-CORE-01"].source_id == "products/clothing/tees.yaml#TEE-CORE-01"
    for chunk in store.chunks:
        if chunk.product_id:
            p = facts[chunk.product_id]
            assert (chunk.price, chunk.status, chunk.category, chunk.product_name) == (
                p.price,
                p.status,
                p.category,
                p.name,
            )
            assert chunk.source_id == p.source_id and chunk.source_type == "product"


def test_product_nested_in_another_stays_with_its_parent(store: IngestResult) -> None:
    # WH-80A appears in WH-60A's exchange list (a full record) and as a product of its own: one product.
    assert [p.product_id for p in store.products].count("WH-80A") == 1
    exchange = [c for c in store.chunks if c.product_id == "WH-60A" and "WH-80A" in c.text]
    assert exchange and all(c.section == "可换货商品" for c in exchange)
    assert "WH-60B" not in {p.product_id for p in store.products}


def test_every_product_chunk_names_its_product_first(store: IngestResult) -> None:
    for chunk in store.chunks:
        if chunk.product_id:
            first_line = chunk.text.split("\n", 1)[0]
            assert chunk.product_name and chunk.product_name in first_line
            assert chunk.product_id in first_line


def test_install_fee_chunk_names_its_product_even_when_split() -> None:
    result = ingest_source(STORE, chunk_chars=120)
    fee = [c for c in result.chunks if "基础安装费120元，含标准配件安装" in c.text]
    assert len(fee) == 1
    assert fee[0].text.startswith("【商品】松川 60升速热电热水器 SC6030-X2(HE) 一级能效（商品ID: WH-60A）\n")
    assert fee[0].section == "安装说明"
    install = [c for c in result.chunks if c.product_id == "WH-60A" and c.section == "安装说明"]
    assert len(install) > 1  # the long field really was split


def test_first_chunk_of_each_product_carries_its_facts(store: IngestResult) -> None:
    by_product: dict[str, list[Chunk]] = {}
    for c in store.chunks:
        if c.product_id:
            by_product.setdefault(c.product_id, []).append(c)
    products = {p.product_id: p for p in store.products}
    assert set(by_product) == set(products)
    for pid, chunks in by_product.items():
        chunks.sort(key=lambda c: c.ordinal)
        assert chunks[0].facts_json is not None
        assert ProductFacts.from_json(chunks[0].facts_json) == products[pid]
        assert all(c.facts_json is None for c in chunks[1:])
        assert "price" not in products[pid].facts and "商品价格" not in products[pid].facts
    assert products["WH-60A"].facts["维修说明"].startswith("整机保修6年")
    assert "CT-01" in products["TEE-CORE-01"].aliases  # explicit model field
    assert "SC6030-X2(HE)" in products["WH-60A"].aliases  # model code found in the name


def test_policy_chunks_say_which_policy_and_section(store: IngestResult) -> None:
    returns = [c for c in store.chunks if c.source_id == "policies/returns.md"]
    assert [c.ordinal for c in returns] == list(range(len(returns)))
    steps = next(c for c in returns if "申请退货" in c.text)
    assert steps.text.startswith("【政策】退换货政策 › 七天无理由退货 › 退货流程\n")
    assert steps.section == "七天无理由退货 › 退货流程"
    assert steps.title == "退换货政策 › 七天无理由退货 › 退货流程"
    remote = next(c for c in store.chunks if "Xinjiang" in c.text)
    assert remote.text.startswith("[Policy] Shipping › Remote areas\n")
    contact = next(c for c in store.chunks if c.source_id == "policies/contact.txt")
    assert contact.text.startswith("【政策】contact\n")  # no heading: the file name is the title
    assert all(c.product_id is None and c.source_type == "policy" for c in returns)


def test_ids_are_stable_unique_and_make_the_digest(store: IngestResult) -> None:
    again = ingest_source(STORE)
    ids = [c.id for c in store.chunks]
    assert ids == [c.id for c in again.chunks]
    assert again.digest == store.digest
    assert len(set(ids)) == len(ids)
    assert store.digest == hashlib.sha256("\n".join([INDEX_FORMAT, *ids]).encode()).hexdigest()
    for source in {c.source_id for c in store.chunks}:
        ordinals = [c.ordinal for c in store.chunks if c.source_id == source]
        assert ordinals == list(range(len(ordinals)))


def test_changing_one_file_changes_only_its_chunk_ids(tmp_path: Path, store: IngestResult) -> None:
    root = tmp_path / "kb"
    shutil.copytree(STORE, root)
    policy = root / "policies" / "shipping-en.md"
    policy.write_text(policy.read_text(encoding="utf-8").replace("4 pm", "5 pm"), encoding="utf-8")
    changed = ingest_source(root)
    before = {c.id: c.source_id for c in store.chunks}
    after = {c.id: c.source_id for c in changed.chunks}
    assert {s for i, s in before.items() if i not in after} == {"policies/shipping-en.md"}
    assert {s for i, s in after.items() if i not in before} == {"policies/shipping-en.md"}
    assert changed.digest != store.digest


@pytest.mark.parametrize("chunk_chars", [100, 200, 450])
def test_chunk_bodies_never_exceed_chunk_chars(chunk_chars: int) -> None:
    result = ingest_source(STORE, chunk_chars=chunk_chars)
    assert all(len(body(c.text)) <= chunk_chars for c in result.chunks)
    if chunk_chars == 100:
        assert max(len(body(c.text)) for c in result.chunks) > 80  # the bound is reached, not avoided


def test_bad_files_become_issues_and_good_ones_still_load() -> None:
    result = ingest_source(BAD)
    reasons = {i.path: i.reason for i in result.issues}
    assert set(reasons) == {"broken.yaml", "gbk-notes.txt", "brochure.pdf", "settings.json"}
    assert reasons["broken.yaml"].startswith("invalid YAML at line 3")
    assert "UTF-8" in reasons["gbk-notes.txt"]
    assert "unsupported file type '.pdf'" in reasons["brochure.pdf"]
    assert "no product records" in reasons["settings.json"]
    assert result.documents == 1 and {c.source_id for c in result.chunks} == {"ok-policy.md"}


def test_strict_mode_fails_on_the_first_issue_naming_file_and_reason() -> None:
    with pytest.raises(ReplydraftError) as err:
        ingest_source(BAD, strict=True)
    assert err.value.code is ErrorCode.SOURCE_INVALID
    assert err.value.message.startswith("brochure.pdf: unsupported file type")  # first in sorted order
    assert err.value.details["path"] == "brochure.pdf"
    ingest_source(STORE, strict=True)  # a clean source passes


def test_missing_folder_and_file_as_root_are_errors(tmp_path: Path) -> None:
    with pytest.raises(ReplydraftError, match="not found") as err:
        ingest_source(tmp_path / "nope")
    assert err.value.code is ErrorCode.SOURCE_INVALID
    file = tmp_path / "a.md"
    file.write_text("# x\n\ny", encoding="utf-8")
    with pytest.raises(ReplydraftError, match="not a folder"):
        ingest_source(file)


def test_empty_source_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("# About\n\nnothing here", encoding="utf-8")
    with pytest.raises(ReplydraftError, match="empty source: no product sheets or policies found") as err:
        ingest_source(tmp_path)
    assert err.value.code is ErrorCode.SOURCE_INVALID
    (tmp_path / "junk.yaml").write_text("a: [1", encoding="utf-8")
    with pytest.raises(ReplydraftError, match="empty source") as err:
        ingest_source(tmp_path)
    assert err.value.details["issues"][0]["path"] == "junk.yaml"  # says why nothing was usable


def test_oversized_file_is_skipped_with_its_size(tmp_path: Path) -> None:
    (tmp_path / "big.md").write_text("# 大文件\n\n" + "内容。" * 500, encoding="utf-8")
    (tmp_path / "small.md").write_text("# 小文件\n\n内容。", encoding="utf-8")
    result = ingest_source(tmp_path, max_file_bytes=1_000)
    assert [i.path for i in result.issues] == ["big.md"]
    assert "over the limit of 1,000 bytes" in result.issues[0].reason
    assert {c.source_id for c in result.chunks} == {"small.md"}


def test_long_field_is_truncated_and_reported(tmp_path: Path) -> None:
    long_text = "这是一段很长的商品描述。" * 100  # 1,200 characters
    (tmp_path / "p.json").write_text(
        json.dumps([{"id": "L-1", "name": "长描述商品", "price": 1, "描述": long_text}], ensure_ascii=False),
        encoding="utf-8",
    )
    result = ingest_source(tmp_path, max_field_chars=300)
    assert [(i.path, i.reason) for i in result.issues] == [
        ("p.json#L-1", "field '描述' cut from 1,200 to 300 characters")
    ]
    assert sum(len(body(c.text)) for c in result.chunks if c.section == "描述") < 400
    with pytest.raises(ReplydraftError, match="cut from 1,200"):
        ingest_source(tmp_path, max_field_chars=300, strict=True)


def test_duplicate_product_id_keeps_the_first(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("- {id: D-1, name: 第一个, price: 10}\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("- {id: D-1, name: 第二个, price: 20}\n", encoding="utf-8")
    result = ingest_source(tmp_path)
    assert [(p.product_id, p.name) for p in result.products] == [("D-1", "第一个")]
    assert result.issues[0].path == "b.yaml#D-1" and "duplicate product id 'D-1'" in result.issues[0].reason
    assert result.documents == 1


def test_product_without_id_gets_a_stable_id_from_its_name(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text(
        "- {名称: 无编号水杯, 价格: 39}\n- {名称: 无编号茶壶, 价格: 59}\n", encoding="utf-8"
    )
    first, second = ingest_source(tmp_path), ingest_source(tmp_path)
    ids = [p.product_id for p in first.products]
    assert ids == [p.product_id for p in second.products]
    assert len(set(ids)) == 2 and all(ids)
    assert first.chunks[0].text.startswith(f"【商品】无编号水杯（商品ID: {ids[0]}）")
    assert first.issues == []


def test_csv_rows_that_are_not_products_are_reported(tmp_path: Path) -> None:
    (tmp_path / "p.csv").write_text("sku,name,price\nC-1,Mug,9\nC-2,,5\nC-3,Cup,4,extra\n", encoding="utf-8")
    result = ingest_source(tmp_path)
    assert [p.product_id for p in result.products] == ["C-1", "C-3"]
    reasons = [i.reason for i in result.issues]
    assert any("beyond the header" in r for r in reasons)
    assert any(r.startswith("data row 2: not a product") for r in reasons)


def test_yaml_without_products_and_policy_without_text_are_issues(tmp_path: Path) -> None:
    (tmp_path / "notes.yaml").write_text("shop: {name: 青禾}\nhours: 9-22\n", encoding="utf-8")
    (tmp_path / "blank.md").write_text("# 只有标题\n\n## 小节\n", encoding="utf-8")
    (tmp_path / "ok.txt").write_text("正文。", encoding="utf-8")
    result = ingest_source(tmp_path)
    assert {i.path: i.reason for i in result.issues} == {
        "blank.md": "no text",
        "notes.yaml": "no product records found (a product needs a name field and an id or price field)",
    }


def test_yaml_alias_bomb_is_rejected(tmp_path: Path) -> None:
    lines = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    (tmp_path / "bomb.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "ok.md").write_text("# 好\n\n正文。", encoding="utf-8")
    result = ingest_source(tmp_path)
    assert result.issues[0].path == "bomb.yaml" and "structure too large" in result.issues[0].reason


def test_ecom_bench_export_ingests_without_specific_code() -> None:
    require_ecom_bench()
    raw = json.loads((ECOM / "products.json").read_text(encoding="utf-8"))
    sheet_ids = {pid for shops in raw.values() for shop in shops.values() for pid in shop}
    result = ingest_source(ECOM, strict=True)
    assert len(result.products) == 52 and {p.product_id for p in result.products} == sheet_ids
    assert all(p.price is not None and p.status and p.name for p in result.products)
    by_id = {p.product_id: p for p in result.products}
    fee = [c for c in result.chunks if "安装费" in c.text and c.product_id]
    assert len({c.product_id for c in fee}) > 40
    for c in fee:
        name = by_id[c.product_id or ""].name
        assert c.text.split("\n", 1)[0] == f"【商品】{name}（商品ID: {c.product_id}）"
    exchange = [c for c in result.chunks if c.section == "可换货商品"]
    assert len({c.product_id for c in exchange}) == 52
    assert any(c.source_id == "agent-policy.md" for c in result.chunks)
    assert "F6033-UD3(HE)" in by_id["100112573665"].aliases


def test_escaped_lone_surrogates_in_json_do_not_break_ids(tmp_path: Path) -> None:
    (tmp_path / "p.json").write_text('[{"id": "S-1", "name": "Mug \\ud800", "price": 1, "note": "x\\udfff"}]')
    result = ingest_source(tmp_path)
    assert result.chunks[0].text.startswith("[Product] Mug (ID: S-1)")
    assert all(c.text.encode("utf-8") for c in result.chunks)
