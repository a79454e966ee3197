"""The answer engine: the asked product, the asked facts, natural sentences, a different regenerate."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from service.answering.engine import AnswerEngine
from service.answering.questions import split_parts
from service.container import Container
from service.drafting.models import DraftRequest, GeneratedDraft
from service.drafting.pipeline import DraftPipeline
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
        "商品ID": "H-6",
        "商品名称": "示例 小厨宝 6.6L 厨房热水器 AB6.6-20CB(ES)",
        "商品价格": 386,
        "维修说明": "保修政策：整机质保8年。",
        "安装说明": "安装费用方面，基础安装费为100元。",
    },
    {
        "商品ID": "H-5",
        "商品名称": "示例 小厨宝 5L 厨房热水器 AB05-15A1(S)",
        "商品价格": 299,
        "维修说明": "保修政策：整机质保5年。",
        "安装说明": "安装费用方面，基础安装费为90元。",
    },
]
GADGETS = [
    {
        "id": "P-1",
        "name": "Pocket Speaker PS-10",
        "price": 59,
        "in_the_box": ["speaker", "strap", "cable"],
        "battery": "About 12 hours per charge.",
        "warranty": "1 year for the whole unit.",
    }
]
POLICY = """# 退货规则

## 期限

签收次日起7天内可申请无理由退货。超过7天的非质量问题退货不再受理。

## 运费

非质量问题退货，寄回运费由您承担。

# 发票

电子发票在确认收货后48小时内开具。
"""


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    root = tmp_path / "kb"
    write_kb(
        root, products={"heaters.json": HEATERS, "gadgets.json": GADGETS}, policies={"returns.md": POLICY}
    )
    return root


@pytest.fixture
def engine(kb: Path) -> AnswerEngine:
    return engine_over(kb)


@pytest.fixture
def pipeline(kb: Path, make_container: Callable[..., Container], tmp_path: Path) -> DraftPipeline:
    settings = Settings(data_dir=tmp_path / "data", knowledge_dir=kb, embedder="fake")
    container = make_container(settings=settings)
    container.index.reindex(kb)
    return DraftPipeline.from_container(container)


def draft(pipeline: DraftPipeline, message: str, **kw: object) -> GeneratedDraft:
    return pipeline.generate(DraftRequest(customer_message=message, **kw))  # type: ignore[arg-type]


# --- the asked product ----------------------------------------------------------------------------------


def test_model_code_without_punctuation_or_case_finds_the_product(engine: AnswerEngine) -> None:
    for message in ("ab6033ud3he 多少钱", "AB6033-UD3(HE)多少钱", "AB6033 UD3 多少钱", "UD3那款多少钱"):
        plan = engine.plan(message, language="zh")
        assert plan.resolution.product_ids == ["H-60"], message


def test_a_capacity_picks_one_of_near_duplicates(engine: AnswerEngine) -> None:
    plan = engine.plan("6.6升的小厨宝保修几年", language="zh")
    assert plan.resolution.product_ids == ["H-6"]
    assert any("8年" in f.text for f in plan.facts)
    assert not any(f.product_id == "H-5" for f in plan.facts)


def test_near_duplicates_without_a_clue_are_asked_about(engine: AnswerEngine) -> None:
    plan = engine.plan("小厨宝保修几年？", language="zh")
    assert plan.resolution.products == []
    assert {r.product_id for r in plan.ask_which} == {"H-6", "H-5"}
    assert plan.facts == []  # no sibling's numbers


def test_a_follow_up_takes_the_product_of_an_earlier_turn(engine: AnswerEngine) -> None:
    plan = engine.plan("那它保修几年？", language="zh", history=["AB6033-UD3(HE) 还有货吗", "有的亲"])
    assert plan.resolution.product_ids == ["H-60"] and plan.resolution.from_history
    assert any("加热管保修3年" in f.text for f in plan.facts)


def test_a_sibling_model_we_do_not_sell_is_not_answered_with_another(engine: AnswerEngine) -> None:
    plan = engine.plan("Do you sell the PS-20 speaker? How long does its battery last?", language="en")
    assert plan.resolution.how == "unknown_model" and plan.facts == []


# --- the asked facts ------------------------------------------------------------------------------------


def test_a_message_with_two_questions_has_two_parts_of_their_kinds() -> None:
    parts = split_parts("加热管保修几年，安装费多少？另外退货运费谁出？")
    assert [p.kinds[0] for p in parts] == ["warranty", "install_fee", "return"]


def test_each_part_gets_its_own_fact(engine: AnswerEngine) -> None:
    plan = engine.plan("AB6033-UD3(HE) 加热管保修几年，安装费多少？", language="zh")
    texts = [[f.text for f in part.facts] for part in plan.parts]
    assert any("加热管保修3年" in t for t in texts[0])
    assert any("150元" in t for t in texts[1])
    assert not any("电风扇" in t for ts in texts for t in ts)  # the gift answers neither part


def test_policy_sentences_answer_only_when_they_answer(engine: AnswerEngine) -> None:
    plan = engine.plan("退货运费谁出？", language="zh")
    assert [f.text for f in plan.facts] == ["非质量问题退货，寄回运费由您承担"]
    nothing = engine.plan("你们支持花呗分期吗？", language="zh")
    assert nothing.facts == [] and nothing.unanswered


# --- composition ------------------------------------------------------------------------------------------


def test_chinese_draft_answers_every_part_with_cited_facts(pipeline: DraftPipeline) -> None:
    d = draft(pipeline, "AB6033-UD3(HE) 加热管保修几年，安装费多少？")
    assert "加热管保修3年" in d.text and "150元" in d.text
    assert all(c.fact_digest for c in d.citations) and len(d.citations) >= 2
    assert "维修说明" not in d.text and "安装说明" not in d.text  # field names are not quoted


def test_english_customer_gets_chinese_facts_in_english_with_numbers(pipeline: DraftPipeline) -> None:
    d = draft(pipeline, "How long is the warranty on the AB6033-UD3(HE)?")
    body = re.sub(r"\[\d+\]", "", d.text)
    assert "8 years" in body and "3 years" in body
    assert not re.search(r"[\u4e00-\u9fff]", body)


def test_no_raw_field_names_in_english_sheets(pipeline: DraftPipeline) -> None:
    d = draft(pipeline, "What is in the box of the PS-10?")
    assert "in_the_box" not in d.text and "strap" in d.text


def test_ambiguous_product_draft_asks_which_and_states_no_numbers(pipeline: DraftPipeline) -> None:
    d = draft(pipeline, "小厨宝保修几年？")
    assert "哪一款" in d.text and "AB6.6-20CB(ES)" in d.text
    assert "8年" not in d.text and "5年" not in d.text


def test_nothing_answers_so_the_draft_promises_a_check(pipeline: DraftPipeline) -> None:
    d = draft(pipeline, "你们支持花呗分期吗？")
    assert f"{pipeline.settings.followup_hours}小时内" in d.text and not d.citations


def test_agent_context_is_never_pasted(pipeline: DraftPipeline) -> None:
    context = "订单号Q123，AB6033-UD3(HE)，3天前签收，收货地址杭州市西湖区"
    d = draft(pipeline, "保修几年？", context=context)
    assert "Q123" not in d.text and "西湖区" not in d.text and "3天前" not in d.text
    assert "8年" in d.text  # the context told which product the order is


def test_regenerate_gives_a_different_acceptable_draft(pipeline: DraftPipeline) -> None:
    first = draft(pipeline, "AB6033-UD3(HE) 保修几年？")
    again = draft(pipeline, "AB6033-UD3(HE) 保修几年？", attempt=1)
    third = draft(pipeline, "AB6033-UD3(HE) 保修几年？", attempt=2)
    assert len({first.text, again.text, third.text}) == 3
    assert all("8年" in d.text for d in (first, again, third))


def test_a_question_naming_a_sheet_record_is_answered_by_that_record(engine: AnswerEngine) -> None:
    # 电风扇 is the name of a gift record: asked when it ships, the record answers (not a shipping rule)
    plan = engine.plan("AB6033-UD3送的电风扇什么时候能到", language="zh")
    assert any("20个工作日" in f.text for f in plan.facts)


def test_weight_asked_as_zhong_duoshao_is_a_kg_spec() -> None:
    part = split_parts("重多少")[0]
    assert "spec" in part.kinds and "kg" in part.units


def test_place_settings_are_a_spec_in_sets_and_how_it_is_charged_asks_money() -> None:
    part = split_parts("能放几套碗？")[0]
    assert "spec" in part.kinds and "set" in part.units
    assert split_parts("水管不够长怎么算")[0].asks_money
    assert split_parts("上门要额外加钱吗")[0].asks_money


def test_a_how_much_spec_word_is_no_content_word() -> None:
    from service.answering.engine import _how_word

    assert _how_word("多重") and _how_word("多高") and _how_word("几斤")
    assert not _how_word("重量") and not _how_word("多少") and not _how_word("尺寸")


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("XY100 多重 功率多少", [{"kg"}, {"W"}]),
        ("XY100多重功率多少", [{"kg"}, {"W"}]),
        ("多重多高", [{"kg"}, {"mm"}]),
        ("how heavy is it what is the power", [{"kg"}, {"W"}]),
        ("How heavy is it and what is the power?", [{"kg"}, {"W"}]),
    ],
)
def test_two_questions_without_punctuation_are_two_parts(message: str, expected: list[set[str]]) -> None:
    parts = split_parts(message)
    assert len(parts) == len(expected)
    for part, units in zip(parts, expected, strict=True):
        assert units <= part.units
    assert not parts[0].text.lower().endswith("and")


@pytest.mark.parametrize(
    "message",
    [
        "功率多少瓦",
        "多少瓦功率",
        "这个多少钱",
        "do you know how much it costs",
        "what is the price of the one which is 60L",
    ],
)
def test_a_single_question_is_not_split(message: str) -> None:
    assert len(split_parts(message)) == 1


def test_a_second_question_of_another_kind_is_split_without_punctuation() -> None:
    parts = split_parts("内胆保修多久尺寸多大")
    assert [p.text for p in parts] == ["内胆保修多久", "尺寸多大"]
    assert "size" in parts[1].kinds


def test_a_part_whose_only_answer_an_earlier_part_gave_is_not_promised_a_check() -> None:
    """ "金卡会员要消费多少？有什么好处？": the one table row answers both; the second part is covered by it
    (the draft says the row once), not sent to the follow-up promise nor filled with a next-best fact."""
    from service.answering.engine import PartAnswer, _not_again
    from service.answering.facts import Fact
    from service.answering.questions import QuestionPart

    def fact(text: str) -> Fact:
        return Fact(None, "p.md", "member", "p.md#会员 › 等级", "等级", text, (), text)

    row, spare = fact("金卡会员：满5000元，积分1.5倍"), fact("银卡会员：满1000元")
    used = {row.digest}
    again = PartAnswer(QuestionPart(text="有什么好处", kinds=("member",), terms=()), [row])
    _not_again(again, used)
    assert again.answered and again.covered and again.facts == []
    other = PartAnswer(QuestionPart(text="有什么好处", kinds=("member",), terms=()), [row], [spare])
    _not_again(other, used)
    assert other.answered and other.facts == []


def _one_sheet_engine(tmp_path: Path, description: str) -> AnswerEngine:
    """An engine over a store of one product sheet (code QZ529) with the given description."""
    root = tmp_path / "kb-one"
    sheet = {"商品ID": "S-1", "商品名称": "示例 电热水器 QZ529", "商品描述": description}
    write_kb(root, products={"s.json": [sheet]})
    return engine_over(root)


def test_a_part_the_earlier_parts_fact_answers_is_answered_not_promised_a_check(tmp_path: Path) -> None:
    from service.answering.compose import compose

    engine = _one_sheet_engine(tmp_path, "【尺寸规格】产品尺寸为700x470x470mm，净重25kg。")
    plan = engine.plan("QZ529 多重？尺寸多大", language="zh")
    assert len(plan.parts) == 2 and not plan.unanswered
    text = compose(plan, intent="product_question", problem=False, followup_hours=24).text
    assert "700x470x470mm" in text and "核实" not in text


@pytest.mark.parametrize("asked", ["<img src=x onerror=alert(1)>", "http://evil.example/x", "？？"])
def test_an_unanswered_part_with_markup_or_no_words_gets_the_plain_promise(
    tmp_path: Path, asked: str
) -> None:
    """The offline promise quotes the customer's words only when they are plain words: markup or links are
    never echoed into a reply, and an empty quote (`check “” for you`) is never said."""
    from service.answering.compose import UNKNOWN_PLAIN, compose
    from service.answering.engine import PartAnswer
    from service.answering.questions import QuestionPart

    engine = _one_sheet_engine(tmp_path, "【尺寸规格】产品尺寸为700x470x470mm。")
    for lang, message in (("zh", "QZ529 尺寸多大"), ("en", "QZ529 how big is it")):
        plan = engine.plan(message, language=lang)  # type: ignore[arg-type]
        plan.parts.append(PartAnswer(QuestionPart(text=asked, kinds=(), terms=())))
        text = compose(plan, intent="product_question", problem=False, followup_hours=24).text
        assert "700x470x470" in text
        assert UNKNOWN_PLAIN[lang].format(hours=24) in text  # type: ignore[index]
        assert "<img" not in text and "evil" not in text and "“”" not in text


def test_a_measure_the_description_states_under_another_heading_answers_it(tmp_path: Path) -> None:
    # the weight sits in a numbered selling-point list under a heading of another topic (外观, 智能互联)
    sheet = {
        "商品ID": "G-16",
        "商品名称": "示例 16L燃气热水器 天然气 零冷水 QX27-N10S Max",
        "商品价格": 4999,
        "商品描述": (
            "面向旧房改造的示例机型，标价¥4 999。卖点：①16L大水量 + 60 W水泵，0.03 MPa 即可启动；"
            "②互联：手机一碰配网；③外观为灰色玻璃面板，机身 600×360×180 mm，17.5 kg，可挂可嵌；"
            "④换新补贴¥300。整体静音 ≤45 dB。"
        ),
    }
    root = tmp_path / "kb"
    write_kb(root, products={"g.json": [sheet]})
    engine = engine_over(root)
    plan = engine.plan("N10S Max多重", language="zh")
    assert any("17.5 kg" in f.text for f in plan.facts), [f.text for f in plan.facts]
