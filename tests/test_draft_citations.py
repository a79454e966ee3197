"""Citation markers: normalisation, dangling markers, excerpts that quote what the marker supports."""

from __future__ import annotations

from service.drafting.citations import resolve
from service.drafting.sources import Source

SOURCES = [
    Source(
        1,
        "passage",
        "policies/refunds.md",
        "退款规则 › 到账时间",
        "【政策】退款规则 › 到账时间\n退款一律原路返回。微信、支付宝：发起后24小时内到账。"
        "信用卡：3–7个工作日。花呗分期退款后按剩余期数退还手续费。",
    ),
    Source(
        2, "product_facts", "products/k.yaml#K1", "水壶", "商品: 水壶 (K1)；价格: 89；保修: 1年", None, "K1"
    ),
]


def test_markers_map_to_sources_and_dangling_ones_are_reported() -> None:
    cited = resolve("信用卡退款3–7个工作日到账[1][1]，水壶89元【2】，见[0]和[3, 1]。", SOURCES)
    assert cited.text == "信用卡退款3–7个工作日到账[1]，水壶89元[2]，见和[1]。"
    assert cited.removed_markers == ["[0]", "[3]"]
    assert [(c.marker, c.source_id) for c in cited.citations] == [
        (1, "policies/refunds.md"),
        (2, "products/k.yaml#K1"),
    ]
    assert cited.citations[1].product_id == "K1" and cited.citations[1].chunk_id is None


def test_excerpt_quotes_the_sentence_the_marker_supports() -> None:
    by_card = resolve("用信用卡付款的，退款需要3–7个工作日[1]。", SOURCES).citations[0].excerpt
    assert "信用卡：3–7个工作日" in by_card and "花呗" not in by_card
    by_wechat = resolve("微信支付的退款24小时内到账。[1]", SOURCES).citations[0].excerpt
    assert "24小时内到账" in by_wechat
    assert "【政策】" not in by_wechat  # the chunk header is not a quote


def test_excerpt_is_bounded() -> None:
    long_source = Source(
        1, "passage", "p.md", "长文", "。".join(f"第{i}条规定的内容比较长" * 3 for i in range(40))
    )
    cited = resolve("第3条规定[1]", [long_source])
    assert 0 < len(cited.citations[0].excerpt) <= 200


def test_text_without_markers_has_no_citations() -> None:
    cited = resolve("亲，您好！", SOURCES)
    assert cited.citations == [] and cited.removed_markers == [] and cited.text == "亲，您好！"
