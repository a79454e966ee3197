"""Issue 12, the asked product: a size or a word several near-duplicates share names none of them (the
draft asks which one instead of stating one listing's price), in Chinese and English alike; one product
clearly named is answered as before; an English price question gets the listing's price, not another
field's figure."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from service.answering.engine import AnswerEngine
from service.answering.questions import split_parts
from service.container import Container
from service.drafting.models import DraftRequest
from service.drafting.pipeline import DraftPipeline
from service.index.crosslingual import Glossary
from tests.kb import store_over, write_kb

SHEETS = [
    {"商品ID": "KT-A15", "商品名称": "示例 1.5L 不锈钢电水壶 KT-150", "商品价格": 99},
    {"商品ID": "KT-A17", "商品名称": "示例 1.7L 不锈钢电水壶 KT-170", "商品价格": 129},
    {"商品ID": "KT-A17T", "商品名称": "示例 1.7L 智能温控电水壶 KT-170T", "商品价格": 169},
    {"商品ID": "CH-A20", "商品名称": "示例 20W PD快充充电器 CH-20W", "商品价格": 59},
    {"商品ID": "CH-A65", "商品名称": "示例 65W氮化镓三口充电器 CH-65W", "商品价格": 149},
    {"商品ID": "TS-A1", "商品名称": "示例 纯棉圆领短袖T恤 TS-101", "商品价格": 69},
    {"商品ID": "TS-A2", "商品名称": "示例 华夫格长袖T恤 TS-102", "商品价格": 89},
    {
        "商品ID": "QX-A8",
        "商品名称": "示例 电热水器 QX8 80升",
        "商品价格": 2199,
        "商品描述": {
            "价格定位": "示例QX8电热水器官方售价为2199元，属于中高端家用热水器产品，"
            "适合追求高性能与舒适体验的家庭用户",
        },
    },
    {
        "商品ID": "QX-A9",
        "商品名称": "示例 燃气热水器 QX9",
        "商品价格": 579,
        "商品描述": {
            "价格定位": "示例QX9燃气热水器在市场上的售价约为579元，结合国家补贴15%及平台优惠，"
            "最终到手价可低至429元左右，性价比极高，适合预算有限但追求品质的家庭用户",
            "补贴优惠": "购买该产品可享受国家补贴15%，最高可返50元",
        },
    },
]


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    return write_kb(tmp_path / "kb", products={"sheets.json": SHEETS})


@pytest.fixture
def engine(kb: Path) -> AnswerEngine:
    return AnswerEngine(store_over(kb), None, Glossary.load().translate)


@pytest.fixture
def pipeline(kb: Path, make_container: Callable[..., Container], tmp_path: Path) -> DraftPipeline:
    from service.settings import Settings

    container = make_container(
        settings=Settings(data_dir=tmp_path / "data", knowledge_dir=kb, embedder="fake")
    )
    container.index.reindex(kb)
    return DraftPipeline.from_container(container)


def asked(engine: AnswerEngine, message: str) -> tuple[list[str], set[str]]:
    res = engine.resolve(message)
    return res.product_ids, {r.product_id for r in res.ambiguous}


@pytest.mark.parametrize("message", ["1.7升的电水壶多少钱", "how much is your 1.7 litre kettle?"])
def test_a_size_two_products_share_asks_which_not_both(engine: AnswerEngine, message: str) -> None:
    assert asked(engine, message) == ([], {"KT-A17", "KT-A17T"})


def test_two_sizes_named_are_each_answered_and_a_unique_size_is_one(engine: AnswerEngine) -> None:
    assert set(asked(engine, "1.5L和1.7L的水壶分别多少钱")[0]) == {"KT-A15", "KT-A17", "KT-A17T"}
    assert asked(engine, "1.5升的水壶多少钱") == (["KT-A15"], set())
    assert asked(engine, "带温控的1.7L水壶多少钱") == (["KT-A17T"], set())


@pytest.mark.parametrize("message", ["充电器多少钱", "how much is the charger?"])
def test_an_english_word_counts_once_however_many_chinese_terms_it_has(
    engine: AnswerEngine, message: str
) -> None:
    # "charger" is 充电器 / 快充 in the glossary: only one name says 快充, both are chargers
    assert asked(engine, message) == ([], {"CH-A20", "CH-A65"})
    assert asked(engine, "how much is the 65W charger") == (["CH-A65"], set())


def test_a_letter_joined_to_a_chinese_word_is_one_word(engine: AnswerEngine) -> None:
    assert asked(engine, "T恤多少钱") == ([], {"TS-A1", "TS-A2"})
    assert asked(engine, "长袖T恤多少钱") == (["TS-A2"], set())


def test_a_unit_after_a_stated_number_starts_no_second_question() -> None:
    parts = split_parts("how much is your 1.7 litre kettle?")
    assert len(parts) == 1 and "price" in parts[0].kinds
    assert len(split_parts("how heavy is it how many litres does it hold")) == 2


def test_the_draft_asks_which_and_states_no_listings_price(pipeline: DraftPipeline) -> None:
    for message in ("how much is your 1.7 litre kettle?", "1.7升的电水壶多少钱"):
        text = pipeline.generate(DraftRequest(customer_message=message)).text
        assert "KT-170T" in text and "KT-170" in text.replace("KT-170T", "")
        assert "129" not in text and "169" not in text and "99" not in text


def test_an_english_price_question_gets_the_listing_price_not_another_fields_figure(
    pipeline: DraftPipeline,
) -> None:
    text = pipeline.generate(DraftRequest(customer_message="how much is the QX9?")).text
    assert "579" in text and "50 yuan" not in text


def test_an_english_price_question_whose_quote_is_too_long_still_gets_the_listing_price(
    pipeline: DraftPipeline,
) -> None:
    text = pipeline.generate(DraftRequest(customer_message="how much is the 80 litre QX8?")).text
    assert "2199" in text
