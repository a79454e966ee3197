"""The asked product and no other: ids, codes shared by near-duplicates, capacities and name words that tell
them apart, follow-ups, and product names in replies that are names rather than claims."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from service.answering.engine import AnswerEngine
from service.answering.facts import FactStore, quantities
from service.answering.resolve import short_label
from service.answering.verify import claim_scope, verify_claims
from service.container import Container
from service.drafting.models import DraftRequest, GeneratedDraft
from service.drafting.pipeline import DraftPipeline
from service.index.crosslingual import Glossary
from service.knowledge.ingest import ingest_source
from service.settings import Settings
from tests.kb import store_over, write_kb

# Invented sheets shaped like a marketplace export: one code sold in two capacities, a liquefied-gas twin,
# a series told apart only by a Latin suffix (ZXpro / ZXproS), one model listed twice, and two kitchen
# products for follow-ups.
SHEETS = [
    {
        "商品ID": "500000000012",
        "商品名称": "示例【国补立减15%】12升燃气热水器 天然气 恒温 GH22-KA",
        "商品价格": 899,
        "维修说明": "整机保修3年。",
        "可换货商品": [
            {"商品ID": "500000009913", "商品描述": "示例 13升燃气热水器 GH25-KA", "商品状态": "已上架"}
        ],
    },
    {
        "商品ID": "500000000020",
        "商品名称": "示例【国补立减15%】20升燃气热水器 天然气 恒温 GH22-KA",
        "商品价格": 1599,
        "维修说明": "整机保修6年。",
        "安装说明": "基础安装免费；额外收费项目：打孔50元/孔，远程山区补差30元。",
        "辅材材料": [{"辅材名称": "4分90度弯头", "辅材描述": "用于连接热水器的弯头，价格2元/个。"}],
    },
    {
        "商品ID": "500000000112",
        "商品名称": "示例【国补立减15%】12升燃气热水器 液化气 恒温 GH22-12KA",
        "商品价格": 949,
        "维修说明": "整机保修4年。",
    },
    {
        "商品ID": "500000000060",
        "商品名称": "示例 超薄60升双胆电热水器 一级能效 ZXpro 以旧换新",
        "商品价格": 2099,
    },
    {
        "商品ID": "500000000080",
        "商品名称": "示例 超薄80升双胆电热水器 一级能效 ZXpro 以旧换新",
        "商品价格": 2399,
    },
    {
        "商品ID": "500000000061",
        "商品名称": "示例【活水ZXproS】超薄60升双胆电热水器 一级能效",
        "商品价格": 2199,
    },
    {
        "商品ID": "500000000701",
        "商品名称": "示例【安静M7 Pro】16升燃气热水器 天然气 M7 Pro",
        "商品价格": 1979,
    },
    {
        "商品ID": "500000000702",
        "商品名称": "示例【安静M7Pro】16升燃气热水器 天然气 增容 M7 Pro",
        "商品价格": 2199,
    },
    {
        "商品ID": "500000000905",
        "商品名称": "示例 嵌入式洗碗机 W5 Max 16套",
        "商品价格": 4999,
        "安装说明": "嵌入安装需橱柜预留宽600mm、高820mm的空间。",
    },
    {
        "商品ID": "500000000907",
        "商品名称": "示例 顶吸油烟机 HX7 齐平橱柜 大吸力",
        "商品价格": 2999,
    },
    {"商品ID": "500000000990", "商品名称": "示例 Sleeve for tablets", "商品价格": 59},
    {"商品ID": "500000000420", "商品名称": "示例 16升燃气热水器 静音 QX30-LUX 20", "商品价格": 1799},
    {
        "商品ID": "500000000421",
        "商品名称": "示例【零冷水LUX20】16升燃气热水器 QX30-LUX20 Ultra",
        "商品价格": 2599,
    },
    {
        "商品ID": "500000000716",
        "商品名称": "示例【零冷水LV7】16升燃气热水器 GL27-16LV7 Ultra",
        "商品价格": 2899,
    },
    {"商品ID": "500000000031", "商品名称": "示例 柔薄纸尿裤 M码 64片", "商品价格": 99},
    {"商品ID": "500000000032", "商品名称": "示例 柔薄纸尿裤 L码 54片", "商品价格": 99},
]


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    root = tmp_path / "kb"
    write_kb(root, products={"sheets.json": SHEETS})
    return root


@pytest.fixture
def store(kb: Path) -> FactStore:
    return store_over(kb)


@pytest.fixture
def engine(store: FactStore) -> AnswerEngine:
    return AnswerEngine(store, None, Glossary.load().translate)


@pytest.fixture
def pipeline(kb: Path, make_container: Callable[..., Container], tmp_path: Path) -> DraftPipeline:
    settings = Settings(data_dir=tmp_path / "data", knowledge_dir=kb, embedder="fake")
    container = make_container(settings=settings)
    container.index.reindex(kb)
    return DraftPipeline.from_container(container)


def ids(engine: AnswerEngine, message: str, **kw: object) -> list[str]:
    return engine.resolve(message, **kw).product_ids  # type: ignore[arg-type]


def asked(engine: AnswerEngine, message: str) -> set[str]:
    return {r.product_id for r in engine.resolve(message).ambiguous}


# --- the asked product ----------------------------------------------------------------------------------


def test_a_product_id_in_the_message_is_decisive(engine: AnswerEngine) -> None:
    assert ids(engine, "商品500000000702 安静M7Pro 实付多少") == ["500000000702"]
    assert ids(engine, "For the M7 Pro (ID 500000000701), is an invoice issued?") == ["500000000701"]


def test_a_named_capacity_picks_one_of_a_code_sold_in_two_sizes(engine: AnswerEngine) -> None:
    assert ids(engine, "GH22-KA 12升天然气的多少钱") == ["500000000012"]
    assert ids(engine, "20升GH22KA整机保几年？") == ["500000000020"]
    assert ids(engine, "20L那款KA显示E1，打不着火") == ["500000000020"]
    plan = engine.plan("12升GH22KA整机保几年", language="zh")
    assert {f.product_id for f in plan.facts} == {"500000000012"}


def test_a_named_fuel_tells_twins_of_one_capacity_apart(engine: AnswerEngine) -> None:
    assert ids(engine, "12升液化气的KA保修几年") == ["500000000112"]
    assert ids(engine, "12升天然气的KA保修几年") == ["500000000012"]


def test_one_code_for_near_duplicates_without_a_clue_asks_which(engine: AnswerEngine) -> None:
    plan = engine.plan("GH22-KA 多少钱", language="zh")
    assert plan.resolution.products == []
    assert {r.product_id for r in plan.ask_which} == {"500000000012", "500000000020"}
    assert plan.facts == []
    # two different codes named: each one is answered
    assert set(ids(engine, "GH22-12KA和W5 Max哪个贵")) == {"500000000112", "500000000905"}


def test_a_latin_model_token_is_compared_whole_and_a_capacity_narrows_it(engine: AnswerEngine) -> None:
    assert ids(engine, "zxpros买了送啥") == ["500000000061"]
    assert ids(engine, "How long is the ZXproS warranty?") == ["500000000061"]
    assert ids(engine, "超薄80升ZXpro多少钱") == ["500000000080"]
    assert ids(engine, "超薄60升ZXpro以旧换新那款多少钱") == ["500000000060"]
    assert asked(engine, "ZXpro多少钱") == {"500000000060", "500000000080"}


def test_a_code_a_name_spells_with_a_space_fits_that_product_too(engine: AnswerEngine) -> None:
    assert asked(engine, "LUX20多少钱") == {"500000000420", "500000000421"}
    assert ids(engine, "LUX20 普通款多少钱") == ["500000000420"]
    assert ids(engine, "LUX20 Ultra 零冷水多少钱") == ["500000000421"]


def test_function_words_in_an_english_name_name_nothing(engine: AnswerEngine) -> None:
    assert ids(engine, "Can I pay for the order with a card?") == []
    assert ids(engine, "How much is the sleeve for tablets?") == ["500000000990"]


def test_a_capacity_that_no_product_of_the_model_has_is_not_another_product(engine: AnswerEngine) -> None:
    assert ids(engine, "ZXpros 100升的多少钱") == []


def test_a_capacity_the_named_model_is_not_sold_in_gets_no_neighbours_numbers(
    engine: AnswerEngine, pipeline: DraftPipeline
) -> None:
    for message in ("16升的GH22-12KA多少钱", "M7 Pro 13升的多少钱", "ZXpro有70升的吗？多少钱？"):
        plan = engine.plan(message, language="zh")
        assert plan.resolution.how == "unsold_size" and plan.facts == [], message
    assert {r.product_id for r in engine.resolve("ZXpro有70升的吗").ambiguous} == {
        "500000000060",
        "500000000080",
    }
    # a capacity the model is sold in, or an amount used, is no unsold size
    assert ids(engine, "20升GH22KA多少钱") == ["500000000020"]
    for message in ("GH22-12KA 每次用50升够吗", "GH22-12KA 烧一升水要多久？"):
        assert engine.resolve(message).how != "unsold_size", message
    d = pipeline.generate(DraftRequest(customer_message="16升的GH22-12KA多少钱"))
    assert "没有16升" in d.text and "949" not in d.text and "哪一款" in d.text, d.text
    assert not [f for f in d.compliance.findings if f.category == "unsupported_claim"], d.compliance


def test_a_follow_up_stays_with_the_earlier_product_when_its_sheet_uses_the_word(
    engine: AnswerEngine,
) -> None:
    history = ["想买W5 Max洗碗机", "好的，请问您想了解哪方面呢？"]
    # 橱柜 is a word of the hood's name, but the dishwasher's own sheet speaks of it
    assert ids(engine, "橱柜要留多宽多高？", history=history) == ["500000000905"]
    # a word only another product's name holds moves the conversation to that product
    assert ids(engine, "那顶吸油烟机呢？多少钱", history=history) == ["500000000907"]


def test_near_duplicates_one_of_which_was_named_earlier_are_that_one(engine: AnswerEngine) -> None:
    history = ["我买的是20升的GH22-KA", "好的"]
    assert ids(engine, "GH22-KA保修几年？", history=history) == ["500000000020"]


def test_a_letter_size_tells_garments_apart_and_two_named_are_both(engine: AnswerEngine) -> None:
    assert ids(engine, "M码纸尿裤一包多少片") == ["500000000031"]
    assert set(ids(engine, "纸尿裤买M码还是L码？")) == {"500000000031", "500000000032"}
    assert asked(engine, "纸尿裤一包多少片") == {"500000000031", "500000000032"}


def test_a_record_of_another_product_answers_only_its_own_kind(engine: AnswerEngine) -> None:
    plan = engine.plan("GH22-KA 12升燃气热水器多少钱", language="zh")
    assert plan.facts and not any("GH25-KA" in f.text for f in plan.facts)
    exchange = engine.plan("12升的GH22-KA可以换成哪款", language="zh")
    assert any("GH25-KA" in f.text for f in exchange.facts)


def test_a_series_inside_a_code_segment_names_the_product(engine: AnswerEngine) -> None:
    # GL27-16LV7: the customer says the series (LV7) without the capacity prefix; no unknown model
    assert ids(engine, "LV7 Ultra 烟管多少钱") == ["500000000716"]
    assert ids(engine, "lv7多少钱") == ["500000000716"]


def test_a_code_spelled_with_a_spaced_number_is_that_product_not_its_unspaced_sibling(
    engine: AnswerEngine,
) -> None:
    assert ids(engine, "QX30-LUX 20 显示E2") == ["500000000420"]
    assert ids(engine, "QX30-LUX20 Ultra 多少钱") == ["500000000421"]


def test_capacities_in_chinese_numerals_and_english_litres() -> None:
    assert [(q.value, q.unit) for q in quantities("rw7八十升的")] == [(80.0, "L")]
    assert [(q.value, q.unit) for q in quantities("the 20 litre one")] == [(20.0, "L")]
    assert [(q.value, q.unit) for q in quantities("a 60-liter tank")] == [(60.0, "L")]


def test_a_capacity_in_chinese_numerals_tells_sizes_apart(engine: AnswerEngine) -> None:
    assert ids(engine, "八十升的ZXpro多少钱") == ["500000000080"]
    assert ids(engine, "Price of the 20 litre GH22-KA?") == ["500000000020"]


def test_a_unit_touching_a_code_is_still_a_capacity() -> None:
    assert [(q.value, q.unit) for q in quantities("超薄80升ZXpro")] == [(80.0, "L")]
    assert [q.unit for q in quantities("60lb")] == [""]  # a Latin unit still ends at a letter


# --- names in replies -------------------------------------------------------------------------------------


def test_short_labels_are_model_and_capacity_not_marketing_titles(store: FactStore) -> None:
    labels = {r.product_id: short_label(r) for r in store.products()}
    assert labels["500000000012"] == "GH22-KA（12升）"
    assert labels["500000000061"] == "ZXproS（60升）"
    assert "国补" not in "".join(labels.values())


def test_a_which_one_question_lists_labels_and_no_label_is_a_claim(pipeline: DraftPipeline) -> None:
    d: GeneratedDraft = pipeline.generate(DraftRequest(customer_message="GH22-KA 多少钱"))
    assert "哪一款" in d.text and "GH22-KA（12升）" in d.text and "GH22-KA（20升）" in d.text
    assert "899" not in d.text and "1599" not in d.text and "15%" not in d.text
    assert not [f for f in d.compliance.findings if f.category == "unsupported_claim"], d.compliance


def test_same_model_listed_twice_is_asked_about_by_id(pipeline: DraftPipeline) -> None:
    d = pipeline.generate(DraftRequest(customer_message="M7 Pro多少钱"))
    assert "500000000701" in d.text and "500000000702" in d.text and "1979" not in d.text


def test_a_name_in_the_sentence_does_not_excuse_a_wrong_number(store: FactStore) -> None:
    scope = claim_scope(store, ["500000000012"])
    checked = verify_claims("GH22-KA（12升）整机保修6年。", scope, store, language="zh")
    assert [(r.claim, r.reason) for r in checked.repairs] == [("6年", "wrong_product")]
    assert "整机保修3年" in checked.text
    # the 20-litre label names the other product: its capacity is a name, its price still a claim
    checked = verify_claims("GH22-KA（20升）的价格是899元。", scope, store, language="zh")
    assert [r.claim for r in checked.repairs] == ["899元"]
    fine = verify_claims("您问的是GH22-KA（12升）还是GH22-KA（20升）？", scope, store, language="zh")
    assert fine.repairs == []


def test_a_number_is_of_the_kind_its_own_clause_in_the_sheet_says(store: FactStore) -> None:
    # the surcharge sits in the installation-fee list, and its clause says it is a remote-area fee
    ok = verify_claims("偏远山区要补差30元。", claim_scope(store, ["500000000020"]), store, language="zh")
    assert ok.repairs == []
    wrong = verify_claims("偏远山区要补差30元。", claim_scope(store, ["500000000012"]), store, language="zh")
    assert [(r.claim, r.reason, r.other_product_id) for r in wrong.repairs] == [
        ("30元", "wrong_product", "500000000020")
    ]


def test_a_code_two_listings_share_attributes_the_sentence_to_both(store: FactStore) -> None:
    scope = claim_scope(store, ["500000000702"])
    assert verify_claims("M7 Pro 的价格是2199元。", scope, store, language="zh").repairs == []
    assert [
        r.claim for r in verify_claims("M7 Pro 的价格是999元。", scope, store, language="zh").repairs
    ] == ["999元"]


def test_a_sentence_quoted_from_the_products_own_sheet_may_name_a_sibling(tmp_path: Path) -> None:
    sheets = [
        {"商品ID": "D-150", "商品名称": "示例 羽绒服 DJ-150", "商品描述": "白鸭绒，充绒量150g。"},
        {"商品ID": "D-200", "商品名称": "示例 羽绒服 DJ-200", "商品描述": "与DJ-150款版型相同，充绒量200g。"},
    ]
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "s.json").write_text(json.dumps(sheets, ensure_ascii=False), "utf-8")
    result = ingest_source(tmp_path / "p")
    store = FactStore.build(result.products, result.chunks)
    scope = claim_scope(store, ["D-200"])
    assert verify_claims("与DJ-150款版型相同，充绒量200g[1]。", scope, store, language="zh").repairs == []
    # the sibling's name beside the number in words of the reply's own: about the sibling, and wrong
    wrong = verify_claims("DJ-150的充绒量是200g。", scope, store, language="zh")
    assert [(r.claim, r.reason) for r in wrong.repairs] == [("200g", "wrong_product")]


def test_a_records_name_quoted_is_a_name_and_other_numbers_are_still_claims(store: FactStore) -> None:
    scope = claim_scope(store, ["500000000020"])
    named = verify_claims("4分90度弯头：用于连接热水器的弯头，价格2元/个。", scope, store, language="zh")
    assert named.repairs == []
    # about a product without that fitting: the name is still a name, its price and a bare 90度 are claims
    other = claim_scope(store, ["500000000012"])
    quoted = verify_claims("4分90度弯头：用于连接热水器的弯头，价格2元/个。", other, store, language="zh")
    assert [r.claim for r in quoted.repairs] == ["2元"]
    claimed = verify_claims("出水温度最高90度。", other, store, language="zh")
    assert [r.claim for r in claimed.repairs] == ["90度"]


def test_a_question_of_no_known_kind_about_near_duplicates_asks_which(pipeline: DraftPipeline) -> None:
    d = pipeline.generate(DraftRequest(customer_message="ZXpro 多厚？"))
    assert "哪一款" in d.text and "ZXpro（60升）" in d.text and "ZXpro（80升）" in d.text


def test_an_english_reply_about_two_products_names_them_by_code_and_capacity(pipeline: DraftPipeline) -> None:
    d = pipeline.generate(DraftRequest(customer_message="What is the price of the GH22-12KA and the W5 Max?"))
    assert "GH22-12KA (12L)" in d.text and "升" not in d.text


def test_a_word_most_of_the_catalogue_shares_names_no_family_to_ask_about(engine: AnswerEngine) -> None:
    # every sheet carries the brand "示例": a product the store does not sell is not asked about among all
    assert ids(engine, "你们店有卖示例的空调吗？1.5匹的多少钱") == []
    assert asked(engine, "你们店有卖示例的空调吗？1.5匹的多少钱") == set()
    # a family of the catalogue is still asked about
    assert len(asked(engine, "燃气热水器多少钱")) >= 2


def test_a_model_edition_or_series_number_we_do_not_sell_gets_no_siblings_numbers(
    engine: AnswerEngine, pipeline: DraftPipeline
) -> None:
    # an edition no product has (M7 Ultra beside M7 Pro, W5 Pro beside W5 Max): not sold, siblings offered
    for message, offered in (
        ("M7 Ultra 多少钱", {"500000000701", "500000000702"}),
        ("W5 Pro洗碗机多少钱？几套？", {"500000000905"}),
        # a series number no code holds, inside a longer code (LV9 beside GL27-16LV7) or a name (HX9 / HX7)
        ("GL27-16LV9 多少钱", {"500000000716"}),
        ("How much is the HX9 range hood?", {"500000000907"}),
    ):
        plan = engine.plan(message, language="en" if message.isascii() else "zh")
        assert plan.resolution.how == "unknown_model" and plan.facts == [], message
        assert {r.product_id for r in plan.resolution.ambiguous} == offered, message
    # a sold edition, a sold model named beside an unsold one, and a fault code are no unknown models
    assert ids(engine, "W5 Max洗碗机多少钱") == ["500000000905"]
    assert ids(engine, "我的W5 Max还没发货，能换成W5 Pro吗") == ["500000000905"]
    assert ids(engine, "GL27-16LV7 显示E9") == ["500000000716"]
    d = pipeline.generate(DraftRequest(customer_message="W5 Pro洗碗机多少钱"))
    assert "没有找到W5 Pro" in d.text and "W5 Max" in d.text and "4999" not in d.text, d.text
    d = pipeline.generate(DraftRequest(customer_message="How much is the HX9 range hood?"))
    assert "HX9" in d.text and "2999" not in d.text and "HX7" in d.text, d.text


def test_a_code_only_the_sheets_description_states_names_that_product(tmp_path: Path) -> None:
    root = tmp_path / "kb2"
    sheets = [
        {"商品ID": "500000000090", "商品名称": "示例 超薄90升双胆电热水器 QVpro 以旧换新", "商品价格": 2599,
         "商品描述": "示例F9033-QVpro电热水器，90升，一级能效。"},
        {"商品ID": "500000000091", "商品名称": "示例 超薄90升双胆电热水器 F9033-QVmini", "商品价格": 2199},
    ]  # fmt: skip
    write_kb(root, products={"sheets.json": sheets})
    engine = AnswerEngine(store_over(root), None, Glossary.load().translate)
    res = engine.resolve("how much per hole for my f9033qvpro?")
    assert res.product_ids == ["500000000090"] and res.how == "sheet_code"
    assert engine.resolve("f9033qvmini price").product_ids == ["500000000091"]


def test_english_appliance_nouns_reach_the_catalogues_chinese_names() -> None:
    translate = Glossary.load().translate
    assert "落地扇" in translate("how tall is the standing fan")
    assert {"油烟机", "燃气灶", "套装"} <= set(translate("the hood and hob combo").split())
    assert {"制冰", "饮水机"} <= set(translate("the ice maker water dispenser").split())
