"""The key-fact stage diagnostic (python -m eval.diagnose): a missed fact is put on the stage that lost it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from service.answering.engine import AnswerEngine
from service.container import Container
from service.drafting.pipeline import DraftPipeline
from service.evaluation.diagnose import Holders, attribute, diagnose_cases, format_report, summary
from service.evaluation.golden import Case
from service.settings import Settings
from tests.kb import engine_over, write_kb

HEATERS = [
    {
        "商品ID": "H-60",
        "商品名称": "示例 60升 电热水器 AB6033-UD3(HE)",
        "商品价格": 1999,
        "赠品信息": [{"赠品名称": "电风扇", "赠品描述": "签收后20个工作日内发出。"}],
        "安装说明": "安装费用说明：基础安装费150元；额外收费项目：1.打孔加固80元/次。",
        "维修说明": "保修政策：整机包修8年，加热管保修3年。",
    },
    {
        "商品ID": "H-5",
        "商品名称": "示例 小厨宝 5L 厨房热水器 AB05-15A1(S)",
        "商品价格": 299,
        "维修说明": "保修政策：整机质保5年。",
    },
]
POLICY = """# 退货规则

## 期限

签收次日起7天内可申请无理由退货。超过7天的非质量问题退货不再受理。

## 运费

非质量问题退货，寄回运费由您承担。
"""


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    root = tmp_path / "kb"
    write_kb(root, products={"heaters.json": HEATERS}, policies={"returns.md": POLICY})
    return root


@pytest.fixture
def engine(kb: Path) -> AnswerEngine:
    return engine_over(kb)


def case(message: str, facts: list[str], products: list[str] | None = None) -> Case:
    return Case.model_validate(
        {"id": "c1", "message": message, "expect": {"facts": facts, "products": products or []}}
    )


def test_a_fact_no_source_holds_is_a_gap_not_an_engine_miss(engine: AnswerEngine) -> None:
    c = case("AB6033-UD3(HE) 保修几年", ["10年"], ["H-60"])
    plan = engine.plan(c.message, language="zh")
    assert attribute(c, "10年", plan, Holders(engine.store), "zh").stage == "gap"
    # a sibling's figure is still a gap for the asked product (its sheet does not say it)
    sibling = case("AB6033-UD3(HE) 保修几年", ["5年"], ["H-60"])
    assert attribute(sibling, "5年", plan, Holders(engine.store), "zh").stage == "gap"


def test_an_unresolved_or_wrong_product_is_the_product_stage(engine: AnswerEngine) -> None:
    c = case("小厨宝保修几年", ["5年"], ["H-5"])
    plan = engine.plan("热水器保修几年", language="zh")  # names no model: nothing resolved
    miss = attribute(c, "5年", plan, Holders(engine.store), "zh")
    assert miss.stage == "product" and "H-5" in miss.detail


def test_a_holder_of_a_kind_not_asked_is_the_kind_stage(engine: AnswerEngine) -> None:
    c = case("AB6033-UD3(HE) 保修几年", ["20个工作日"], ["H-60"])
    plan = engine.plan(c.message, language="zh")
    miss = attribute(c, "20个工作日", plan, Holders(engine.store), "zh")
    assert miss.stage == "kind" and "gift" in miss.detail


def test_an_asked_fact_the_plan_left_out_is_reported_with_its_rank(engine: AnswerEngine) -> None:
    c = case("AB6033-UD3(HE) 保修几年", ["加热管保修3年"], ["H-60"])
    plan = engine.plan(c.message, language="zh")
    assert any("加热管保修3年" in f.text for f in plan.facts)
    assert attribute(c, "加热管保修3年", plan, Holders(engine.store), "zh").stage == "composition"
    for part in plan.parts:  # as if the plan had not chosen it
        part.facts = []
    miss = attribute(c, "加热管保修3年", plan, Holders(engine.store), "zh")
    assert miss.stage == "not_chosen" and miss.rank == 1 and miss.score is not None


def test_the_run_counts_misses_by_stage_and_prints_them(
    kb: Path, make_container: Callable[..., Container], tmp_path: Path
) -> None:
    settings = Settings(data_dir=tmp_path / "data", knowledge_dir=kb, embedder="fake")
    container = make_container(settings=settings)
    container.index.reindex(kb)
    pipeline = DraftPipeline.from_container(container)
    cases = [
        case("AB6033-UD3(HE) 保修几年", ["8年", "10年"], ["H-60"]),
        case("退货运费谁出？", ["运费由您承担"]),
        case("你们支持花呗吗", []),  # no expected facts: not diagnosed
    ]
    results = diagnose_cases(pipeline, cases, workers=1)
    assert len(results) == 2
    totals = summary(results)
    assert totals["facts"] == 3 and totals["matched"] == 2
    assert totals["stages"]["gap"] == 1 and sum(totals["stages"].values()) == 1
    report = {
        "split": "dev",
        "stores": {"s": {"summary": totals, "files": {"f.yaml": {"summary": totals, "cases": results}}}},
    }
    text = format_report(report, cases=True)
    assert "[gap]" in text and "10年" in text


def test_an_english_figure_is_found_in_a_chinese_fact_the_renderer_only_quotes() -> None:
    from service.evaluation.diagnose import _figures, _states
    from service.evaluation.golden import Regex

    assert _figures(Regex(regex=r"(?i)(?<![\d.])25\s*kg")) == [("25",)]
    assert _states("0–7岁（体重0–25公斤）", ("25",))
    assert not _states("1192元", ("192",))  # a figure inside another number is not it
