"""The LangChain baseline's scoring rule, on hand-made documents: what counts as a hit for a product or a
policy when LangChain chunks carry no product id (bench/langchain_baseline.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from langchain_core.documents import Document

from bench.langchain_baseline import (
    ReplydraftEmbeddings,
    is_hit,
    load_documents,
    locate_record,
    product_spans,
    run_langchain,
    score,
)
from service.embeddings.fake import FakeEmbedder

KETTLES = """# 两款水壶
- 商品ID: KT-1
  商品名称: 青禾 1.5L 电水壶
  商品价格: 99
  保修: 整机1年
- 商品ID: KT-2
  商品名称: 青禾 1.7L 温控电水壶
  商品价格: 169
  配件: 可选购底座，与 KT-1 通用
  保修: 整机2年
"""
RETURNS = "# 退货政策\n\n签收后7天内，商品完好可申请无理由退货。\n"


def _kb(root: Path) -> Path:
    (root / "products").mkdir(parents=True)
    (root / "policies").mkdir()
    (root / "products" / "kettles.yaml").write_text(KETTLES, encoding="utf-8")
    (root / "policies" / "returns.md").write_text(RETURNS, encoding="utf-8")
    return root


def _chunk(source: str, text: str, whole: str) -> Document:
    return Document(page_content=text, metadata={"source": source, "start_index": whole.index(text)})


def test_record_is_found_at_its_id_field_not_at_a_mention_in_another_record() -> None:
    # KT-1 is mentioned inside KT-2's record ("与 KT-1 通用"); its record is where its id field is.
    assert locate_record(KETTLES, "KT-1") == KETTLES.index("KT-1")
    assert locate_record(KETTLES, "KT-2") == KETTLES.index("KT-2")
    assert locate_record("sku,name\nA-9,水杯\n", "A-9") == len("sku,name\n")  # CSV: line start
    assert locate_record(KETTLES, "KT-3") is None
    # A longer id sharing a prefix is not a match.
    assert locate_record("- 商品ID: KT-10\n", "KT-1") is None


def test_hits_by_record_span_and_policy_path() -> None:
    docs = [
        Document(page_content=KETTLES, metadata={"source": "products/kettles.yaml"}),
        Document(page_content=RETURNS, metadata={"source": "policies/returns.md"}),
    ]
    spans = product_spans(docs, {"KT-1": "products/kettles.yaml", "KT-2": "products/kettles.yaml"})
    assert spans["KT-1"].end == spans["KT-2"].start

    first = _chunk("products/kettles.yaml", "商品价格: 99\n  保修: 整机1年", KETTLES)
    second_tail = _chunk("products/kettles.yaml", "配件: 可选购底座，与 KT-1 通用", KETTLES)
    across = _chunk("products/kettles.yaml", "保修: 整机1年\n- 商品ID: KT-2", KETTLES)
    policy = _chunk("policies/returns.md", "签收后7天内", RETURNS)

    assert is_hit(first, {"KT-1"}, [], spans)
    assert not is_hit(first, {"KT-2"}, [], spans)
    # Mentioning KT-1 inside KT-2's record does not make it KT-1's chunk.
    assert not is_hit(second_tail, {"KT-1"}, [], spans)
    assert is_hit(second_tail, {"KT-2"}, [], spans)
    # A chunk straddling two records counts for both (generous to the baseline).
    assert is_hit(across, {"KT-1"}, [], spans) and is_hit(across, {"KT-2"}, [], spans)
    assert is_hit(policy, set(), ["policies/returns.md"], spans)
    assert not is_hit(policy, set(), ["policies/refunds.md"], spans)
    assert not is_hit(policy, {"KT-1"}, [], spans)
    # Strict: the hit chunk must hold the expected product alone.
    assert is_hit(first, {"KT-1"}, [], spans, strict=True)
    assert not is_hit(across, {"KT-1"}, [], spans, strict=True)
    assert is_hit(across, {"KT-1", "KT-2"}, [], spans, strict=True)  # both expected: nothing else in it
    assert is_hit(policy, set(), ["policies/returns.md"], spans, strict=True)
    # A product whose record was not located must be named in the chunk.
    assert is_hit(second_tail, {"KT-9", "KT-1"}, [], {}) and not is_hit(first, {"KT-9"}, [], {})


def test_score_and_real_chroma_baseline_on_a_tiny_store(tmp_path: Path) -> None:
    kb = _kb(tmp_path / "kb")
    golden = tmp_path / "golden.yaml"
    questions: list[dict[str, Any]] = [
        {"id": "q1", "query": "1.7L 温控电水壶多少钱", "expect": {"product_ids": ["KT-2"], "sources": []}},
        {"id": "q2", "query": "退货政策", "expect": {"product_ids": [], "sources": ["policies/returns.md"]}},
        {"id": "q3", "query": "不存在的商品", "expect": {"product_ids": ["KT-404"], "sources": []}},
    ]
    golden.write_text(yaml.safe_dump({"questions": questions}, allow_unicode=True), encoding="utf-8")
    docs = load_documents(kb)
    assert sorted(d.metadata["source"] for d in docs) == ["policies/returns.md", "products/kettles.yaml"]
    spans = product_spans(docs, {"KT-1": "products/kettles.yaml", "KT-2": "products/kettles.yaml"})

    by_query: dict[str, list[Document]] = {q["query"]: [] for q in questions}
    by_query["1.7L 温控电水壶多少钱"] = [
        _chunk("products/kettles.yaml", "商品价格: 99", KETTLES),
        _chunk("products/kettles.yaml", "商品价格: 169", KETTLES),
    ]
    by_query["退货政策"] = [_chunk("policies/returns.md", "签收后7天内", RETURNS)]
    scored = score(lambda q: by_query[q], golden, spans)
    assert scored["hit@5"] == round(2 / 3, 4)
    assert scored["mrr"] == round((1 / 2 + 1) / 3, 4)
    assert scored["misses"] == ["q3: 不存在的商品"]
    assert scored["strict_hit@5"] == scored["hit@5"]  # each hit chunk here lies inside one record
    assert scored["context_chars"] == round(
        (len("商品价格: 99") + len("商品价格: 169") + len("签收后7天内")) / 3
    )

    embeddings = ReplydraftEmbeddings(FakeEmbedder(), tmp_path / "cache" / "e.npz")
    result = run_langchain(docs, embeddings, 1000, 200, golden, spans, [q["query"] for q in questions])
    # Whole files fit in one 1000-character chunk each: both answerable questions are found.
    assert result["chunks"] == 2
    assert result["hit@5"] == round(2 / 3, 4)
    assert result["retrieve_ms"]["n"] == 3
    # Passage vectors are cached on disk and reused by a new wrapper; new texts are embedded.
    embeddings.embed_documents(["甲", "乙"])
    fresh = FakeEmbedder()
    again = ReplydraftEmbeddings(fresh, tmp_path / "cache" / "e.npz")
    assert again.embed_documents(["乙", "甲"]) == embeddings.embed_documents(["乙", "甲"])
    assert fresh.calls == 0
    again.embed_documents(["丙"])
    assert fresh.calls == 1
