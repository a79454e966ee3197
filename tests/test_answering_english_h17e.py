"""English questions about a named product's own use and specs (issue 12, h17e): the customer's word for a
spec the sheet names otherwise reaches the field, and a store page in English of an unasked kind that only
shares the question's nouns is not quoted as the answer."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.answering.engine import AnswerEngine
from service.index.crosslingual import Glossary
from tests.kb import engine_over, write_kb


@pytest.mark.parametrize(
    ("message", "term"),
    [
        ("will it shrink when i wash it?", "缩水"),
        ("can it keep water warm?", "保温"),
        ("how long does it take to boil a litre", "烧水"),
        ("how big is the dustbin?", "尘盒"),
        ("what's the max weight for the stroller?", "承重"),
        ("up to what age should it face backwards?", "反向"),
        ("does the fan oscillate?", "摇头"),
    ],
)
def test_a_customers_word_for_a_spec_translates_to_the_sheets_word(message: str, term: str) -> None:
    assert term in Glossary.load().translate(message)


def test_max_weight_is_the_load_limit_not_the_products_weight() -> None:
    said = Glossary.load().translate("max weight?")
    assert "承重" in said and "重量" not in said


RETURNS_EN = (
    "# Returns\n\n## 7-day no-reason returns\n\n"
    "- Installed large appliances (water heaters, range hoods, dishwashers) can still be returned within "
    "7 days if the unit is undamaged.\n"
)


@pytest.fixture
def engine(tmp_path: Path) -> AnswerEngine:
    sheets = [
        {
            "商品ID": "K-1", "商品名称": "示例 智能温控电水壶 QK-17", "商品价格": 169,
            "容量": "1.7升", "保温": "可在选定温度保温，最长12小时后自动关闭", "保修": "整机1年",
        },
        {
            "商品ID": "W-1", "商品名称": "示例 60升电热水器 QW-60", "商品价格": 1599,
            "额定功率": "3000W", "保修": "整机3年，内胆8年",
        },
    ]  # fmt: skip
    root = write_kb(tmp_path / "kb", products={"s.json": sheets}, policies={"returns-en.md": RETURNS_EN})
    return engine_over(root)


def _said(engine: AnswerEngine, message: str) -> list[str]:
    plan = engine.plan(message, language="en")
    return [f.text for part in plan.parts for f in part.facts]


def test_keeping_water_warm_is_answered_by_the_keep_warm_field(engine: AnswerEngine) -> None:
    said = _said(engine, "can the QK-17 keep water warm?")
    assert any("12小时" in t for t in said)
    assert not any("returned" in t for t in said)


def test_an_english_page_of_an_unasked_kind_is_no_answer_for_a_products_use(engine: AnswerEngine) -> None:
    # "water heaters", "installed", "still" are the returns page's words too; the questions ask a spec
    for message in (
        "what capacity is the QK-17, is it still big enough for water heaters?",
        "how much power does the QK-17 use once installed, still?",
    ):
        assert not any("returned" in t for t in _said(engine, message))


def test_with_no_kind_read_an_english_page_is_not_judged_unasked(engine: AnswerEngine) -> None:
    # nothing tells what "QK-17 installed still?" asks: the page sharing its words may be the answer
    # (whether an installed unit can still go back), so it is not dropped as of another kind
    assert any("returned" in t for t in _said(engine, "QK-17 installed still?"))


def test_an_english_page_of_the_asked_kind_still_answers(engine: AnswerEngine) -> None:
    said = _said(engine, "can I still return the QW-60 water heater after it is installed?")
    assert any("returned" in t for t in said)
