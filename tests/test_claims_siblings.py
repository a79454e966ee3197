"""Claims about near-duplicate products: a sibling's value is flagged, the right one suggested.

A small synthetic catalogue: two near-duplicates whose codes share a series code (GH30-KA and GH30-KA
Ultra), the first lacking the size and weight the second states, a third model of another series, and a
return policy. Model names the catalogue does not sell (GH30-KA Plus, GH30-KC) are named by replies.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from service.answering.facts import FactStore
from service.answering.verify import claim_scope, verify_claims
from service.compliance.engine import ComplianceEngine
from tests.kb import store_over, write_kb

SHEETS = [
    {
        "商品ID": "GH-16",
        "商品名称": "示例 16升 燃气热水器 GH30-KA",
        "商品价格": 1199,
        "商品状态": "在售",
        "维修说明": "保修政策：整机保修8年。",
        "可换货商品": [{"商品ID": "GH-16P", "商品描述": "同系列 16升 GH30-KA Pro", "商品状态": "缺货"}],
    },
    {
        "商品ID": "GH-16U",
        "商品名称": "示例 16升 燃气热水器 GH30-KA Ultra",
        "商品价格": 1599,
        "商品状态": "在售",
        "商品描述": "【尺寸规格】产品尺寸为575×370×190mm。【重量】净重14.7kg。",
        "维修说明": "保修政策：整机保修6年。",
    },
    {
        "商品ID": "GH-12",
        "商品名称": "示例 12升 燃气热水器 GH22-KB",
        "商品价格": 899,
        "商品状态": "在售",
        "商品描述": "【尺寸规格】产品尺寸为530×335×163mm。【重量】净重8.5kg。",
        "维修说明": "保修政策：整机保修6年。",
    },
]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> FactStore:
    root: Path = tmp_path_factory.mktemp("kb")
    write_kb(root, products={"heaters.json": SHEETS})
    returns = "# 退货规则\n\n签收次日起7天内可申请无理由退货。\n"
    write_kb(root, policies={"returns.md": returns})
    return store_over(root)


def _repairs(store: FactStore, products: list[str], text: str) -> list[tuple[str, str, str | None]]:
    checked = verify_claims(text, claim_scope(store, products), store, language="zh")
    return [(r.claim, r.reason, r.other_product_id) for r in checked.repairs]


def test_a_series_code_siblings_share_names_the_asked_product_not_the_sibling(store: FactStore) -> None:
    """GH30-KA is the whole code of GH-16 and the series part of GH30-KA Ultra's: a sentence naming it is
    about GH-16, so the Ultra's price is flagged and GH-16's own price is the replacement."""
    checked = verify_claims("GH30-KA 售价1599元。", claim_scope(store, ["GH-16"]), store, language="zh")
    [repair] = checked.repairs
    assert (repair.claim, repair.reason, repair.other_product_id) == ("1599元", "wrong_product", "GH-16U")
    assert repair.replacement is not None and "1199元" in repair.replacement
    assert "1199" in str(repair.expected)
    assert "1599" not in checked.text and "1199元" in checked.text
    assert _repairs(store, ["GH-16"], "GH30-KA 售价1199元。") == []
    # the sibling named whole is the sibling: its own price is its fact
    assert _repairs(store, ["GH-16"], "GH30-KA Ultra 售价1599元。") == []
    # each clause is about the product it names, not any product its sentence names
    both = "GH30-KA Ultra 净重14.7kg，GH30-KA 售价1599元。"
    assert _repairs(store, ["GH-16"], both) == [("1599元", "wrong_product", "GH-16U")]
    assert _repairs(store, ["GH-16"], "GH30-KA Ultra 尺寸575×370×190mm，净重14.7kg。") == []


def test_the_siblings_size_for_a_product_whose_sheet_lacks_it_is_flagged_without_a_wrong_suggestion(
    store: FactStore,
) -> None:
    """GH-16 states no size or weight: the Ultra's figures are another product's facts whether the sentence
    names GH30-KA or no product, and nothing of GH-16 is offered as their replacement (its name's 16升 is
    no length)."""
    for text in ("GH30-KA 的尺寸是575×370×190mm，净重14.7kg。", "尺寸是575×370×190mm，净重14.7kg。"):
        checked = verify_claims(text, claim_scope(store, ["GH-16"]), store, language="zh")
        assert [(r.reason, r.other_product_id, r.replacement) for r in checked.repairs] == [
            ("wrong_product", "GH-16U", None),
            ("wrong_product", "GH-16U", None),
        ], text
    assert _repairs(store, ["GH-16U"], "GH30-KA Ultra 的尺寸是575×370×190mm，净重14.7kg。") == []


def test_a_model_name_the_catalogue_does_not_sell_gets_no_siblings_facts(store: FactStore) -> None:
    """An edition no name holds (GH30-KA Plus) or a code one character off ours (GH30-KC) names a model the
    store does not sell: a sibling's price stated for it is flagged, even when the reply was scoped to the
    sibling. Naming the sibling whole, or a policy number, still passes."""
    assert _repairs(store, [], "GH30-KA Plus 售价1599元。") == [("1599元", "wrong_product", "GH-16U")]
    assert _repairs(store, ["GH-16"], "The GH30-KA Plus costs 1199 yuan.") == [
        ("1199 yuan", "wrong_product", "GH-16")
    ]
    assert _repairs(store, ["GH-16U"], "GH30-KC 售价1599元。") == [("1599元", "wrong_product", "GH-16U")]
    assert _repairs(store, [], "我们没有GH30-KA Plus，GH30-KA Ultra售价1599元。") == []
    assert _repairs(store, [], "GH30-KC 我们没有这款，签收后7天内可申请无理由退货。") == []
    # a model the knowledge base writes (an exchange option of GH-16) is no unknown model
    assert _repairs(store, ["GH-16"], "可以换成同系列的 GH30-KA Pro（16升）。") == []


def test_compliance_flags_the_siblings_value_with_the_right_one_as_the_suggestion(store: FactStore) -> None:
    engine = ComplianceEngine.from_paths()
    scope = claim_scope(store, ["GH-16"])
    bad = engine.check("亲，GH30-KA 售价1599元，整机保修6年。", claims=scope)
    flags = {f.matched: f for f in bad.findings if f.category == "unsupported_claim"}
    assert set(flags) == {"1599元", "6年"} and bad.verdict.value == "block"
    assert "1199" in (flags["1599元"].suggestion or "") and "8年" in (flags["6年"].suggestion or "")
    good = engine.check("亲，GH30-KA 售价1199元，整机保修8年，签收次日起7天内可退货。", claims=scope)
    assert not [f for f in good.findings if f.category == "unsupported_claim"]


def test_a_code_inside_the_replys_own_product_name_is_that_product_not_the_sibling_it_is_a_code_of(
    tmp_path: Path,
) -> None:
    """The sheet of "… GM30-MATE 20" says its own price; the code GM30-MATE20 is its Ultra sibling's. In a
    reply about the plain model, the sentence quoting its sheet is about it (no false flag); in a reply
    about the Ultra, the plain model's price is still flagged."""
    sheets = [
        {
            "商品ID": "GM-20",
            "商品名称": "示例 16升 燃气热水器 GM30-MATE 20",
            "商品价格": 1799,
            "商品状态": "在售",
        },
        {
            "商品ID": "GM-20U",
            "商品名称": "示例 16升 燃气热水器 GM30-MATE20 Ultra",
            "商品价格": 2199,
            "商品状态": "在售",
        },
    ]
    write_kb(tmp_path, products={"a.json": sheets})
    store = store_over(tmp_path)
    text = "示例GM30-MATE 20燃气热水器售价1799元。"
    assert _repairs(store, ["GM-20"], text) == []
    assert _repairs(store, ["GM-20U"], text) == [("1799元", "wrong_product", "GM-20")]
