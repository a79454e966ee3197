"""Issue 12, the asked part, field and listing (dev16w): a twin whose name says 液化气 where its sibling says
燃气 is asked about too; "同款" names no product; an accessory's host model named beside it is asked about
too; where a product goes is answered by its installation requirement, not its own dimensions; the price of
a part or a service is not the listing's price; a sheet sentence quoted behind a name label stays quoted."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.answering.engine import AnswerEngine
from service.answering.facts import FactStore
from service.answering.verify import claim_scope, verify_claims
from service.knowledge.ingest import ingest_source
from tests.kb import engine_over, write_kb

SHEETS = [
    {
        "商品ID": "600000000012",
        "商品名称": "示例 12升燃气热水器天然气 恒温 QA22-HW",
        "商品价格": 471,
        "安装说明": "【安装费用】基础安装费用为300元封顶。",
    },
    {
        "商品ID": "600000000112",
        "商品名称": "示例【HW系列】12升液化气煤气热水器 恒温 QA22-12HW",
        "商品价格": 1099,
        "安装说明": "【费用说明】大部分地区基础安装0元；超长排烟管60元/米，拆旧机80元。",
    },
    {
        "商品ID": "600000000020",
        "商品名称": "示例 纯棉圆领短袖T恤（男女同款）",
        "商品价格": 69,
    },
    {
        "商品ID": "600000000300",
        "商品名称": "示例 侧吸式吸油烟机 RH-30",
        "商品价格": 2299,
        "规格参数": {"尺寸": "895×520×580mm"},
        "安装说明": "含基础安装。灶台面到机身底部建议65–75厘米。烟管超过1.5米的部分按20元/米收费。",
    },
    {
        "商品ID": "600000000500",
        "商品名称": "示例 台式净饮机 免安装 JD-37",
        "商品价格": 3999,
        "维修说明": "整机1年保修。",
    },
    {
        "商品ID": "600000000400",
        "商品名称": "示例 燃气热水器 GW-16",
        "商品价格": 4999,
        "辅材材料": [
            {"辅材名称": "四分铜角阀", "辅材描述": "冷、热水入户控制，单价¥25/只。"},
            {"辅材名称": "加长烟管", "辅材描述": "超出1.2 m部分按¥50/米收取。"},
        ],
    },
]
TOOTHBRUSH = {
    "个人护理": [
        {
            "商品编号": "TB-Q3",
            "品名": "示例 声波电动牙刷 QB-3",
            "现价": "¥199",
            "别名": ["QB-3", "电动牙刷"],
            "刷头更换": "建议每3个月更换一次刷头，适配刷头见 TH-Q4",
        },
        {
            "商品编号": "TH-Q4",
            "品名": "示例 电动牙刷替换刷头 4支装（适配QB-3）",
            "现价": "¥59",
            "别名": ["QH-4", "替换刷头"],
        },
    ]
}


@pytest.fixture
def engine(tmp_path: Path) -> AnswerEngine:
    kb = write_kb(tmp_path / "kb", products={"sheets.json": SHEETS, "care.json": TOOTHBRUSH})
    return engine_over(kb)


def asked(engine: AnswerEngine, message: str) -> tuple[list[str], set[str]]:
    res = engine.resolve(message)
    return res.product_ids, {r.product_id for r in res.ambiguous}


@pytest.mark.parametrize(
    "message",
    ["12升的燃气热水器安装费多少？", "what's the installation charge for a 12 litre gas water heater?"],
)
def test_gas_fits_a_liquefied_gas_twin_as_much_as_a_natural_gas_one(
    engine: AnswerEngine, message: str
) -> None:
    assert asked(engine, message) == ([], {"600000000012", "600000000112"})
    # the specific gas still tells them apart
    assert asked(engine, "12升液化气热水器安装费多少")[0] == ["600000000112"]
    assert asked(engine, "12升天然气热水器安装费多少")[0] == ["600000000012"]


def test_same_item_elsewhere_names_no_product(engine: AnswerEngine) -> None:
    assert asked(engine, "别家店同款比你们便宜30块，能补差价吗？") == ([], set())
    assert asked(engine, "圆领短袖T恤多少钱")[0] == ["600000000020"]


def test_an_accessorys_host_named_beside_it_is_asked_about_too(engine: AnswerEngine) -> None:
    assert asked(engine, "QB-3的刷头多久换一次，替换刷头卖多少") == (["TB-Q3", "TH-Q4"], set())
    assert asked(engine, "替换刷头卖多少")[0] == ["TH-Q4"]


def _chosen(engine: AnswerEngine, message: str, language: str = "zh") -> list[str]:
    plan = engine.plan(message, language=language)  # type: ignore[arg-type]
    return [f.text for part in plan.parts for f in part.facts]


@pytest.mark.parametrize(
    ("message", "language"),
    [("RH-30油烟机离灶台要装多高", "zh"), ("How far above the hob should the RH-30 hood be mounted?", "en")],
)
def test_where_the_product_goes_is_its_installation_requirement_not_its_size(
    engine: AnswerEngine, message: str, language: str
) -> None:
    chosen = _chosen(engine, message, language)
    assert any("65–75厘米" in t for t in chosen)
    assert not any("895" in t for t in chosen)


@pytest.mark.parametrize(
    ("message", "language", "figure"),
    [
        ("GW-16要加一个铜角阀，多少钱一个？", "zh", "¥25"),
        ("On the GW-16, what does an extra brass angle valve cost?", "en", "¥25"),
        ("12HW液化气热水器拆旧机要多少钱", "zh", "80元"),
    ],
)
def test_a_parts_price_is_not_the_listings_price(
    engine: AnswerEngine, message: str, language: str, figure: str
) -> None:
    plan = engine.plan(message, language=language)  # type: ignore[arg-type]
    chosen = [f for part in plan.parts for f in part.facts]
    assert any(figure in f.text for f in chosen)
    listing = {f.text for part in plan.parts for f in [*part.facts, *part.alternates] if f.kind == "price"}
    assert not listing & {"4999", "1099"}


def test_the_listings_price_is_still_its_price_when_a_feature_tells_it_apart(engine: AnswerEngine) -> None:
    assert "4999" in _chosen(engine, "GW-16多少钱")


def test_a_sheet_sentence_quoted_behind_a_name_label_is_still_a_quotation(tmp_path: Path) -> None:
    kb = write_kb(tmp_path / "kb2", products={"care.json": TOOTHBRUSH})
    result = ingest_source(kb)
    store = FactStore.build(result.products, result.chunks)
    scope = claim_scope(store, ["TB-Q3", "TH-Q4"])
    text = "QB-3：建议每3个月更换一次刷头，适配刷头见 TH-Q4[1]。"
    assert verify_claims(text, scope, store, language="zh").repairs == []


@pytest.mark.parametrize("message", ["Do you charge for installation?", "你们家的东西一般保修几年？"])
def test_a_topic_word_in_one_name_names_no_product_and_the_model_is_asked_for(
    engine: AnswerEngine, message: str
) -> None:
    # "免安装" in one name is no answer to a question about installation in general
    assert asked(engine, message) == ([], set())
    language = "en" if message.isascii() else "zh"
    plan = engine.plan(message, language=language)  # type: ignore[arg-type]
    assert all(part.needs_product and not part.facts for part in plan.parts)
    assert asked(engine, "免安装的净饮机多少钱")[0] == ["600000000500"]
