"""Completeness of model drafts: every asked fact the answer engine found ends up in the reply.

The fake OpenAI-compatible server plays a model that leaves facts out (a second question, half of a
warranty, a question nothing in the sheets answers); the pipeline adds the engine's own sentence for each,
with the marker the prompt gave the fact, and lists it as a repair the reviewer sees (API and console).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from service.answering.engine import AnswerPlan, PartAnswer
from service.answering.english import CJK
from service.answering.facts import Fact
from service.answering.questions import QuestionPart
from service.answering.resolve import Resolution
from service.answering.verify import fact_sentence
from service.api.auth import Role
from service.drafting.completeness import _Reply, complete, stated, unstated_clauses
from service.drafting.models import DraftRequest
from service.drafting.pipeline import Final, Reset
from service.drafting.prompts import plan_items
from tests.fake_llm import FakeLLM, fake_llm  # noqa: F401
from tests.test_claims import Stack, kb, stack  # noqa: F401


def _draft(stack: Stack, message: str) -> dict[str, Any]:  # noqa: F811
    created = stack.call("POST", "/v1/drafts", Role.AGENT, json={"customer_message": message})
    assert created["status"] == 201, created
    return created["body"]  # type: ignore[no-any-return]


def test_a_second_question_the_model_left_out_gets_the_engines_sentences_after_its_last_cited_one(
    stack: Stack,  # noqa: F811
    fake_llm: FakeLLM,  # noqa: F811
) -> None:
    fake_llm.reply("亲，AB50-X2 内胆保修8年[1]。如还有其他问题，欢迎随时联系我们。")
    d = _draft(stack, "AB50-X2内胆保几年？安装多少钱？")
    assert d["generator"]["provider"] == "openai-compatible"
    text = d["text"]
    assert text.startswith("亲，AB50-X2 内胆保修8年[1]。基础安装费120元[")
    assert "60元/次[" in text and text.endswith("如还有其他问题，欢迎随时联系我们。")
    assert text.count("8年") == 1  # the warranty the model stated is not repeated
    added = [r for r in d["generator"]["repairs"] if r["action"] == "added"]
    assert {r["claim"] for r in added} == {"120元", "60元"}
    assert all(
        r["reason"] == "missing_fact" and r["sentence"] == "" and r["replacement"] in text for r in added
    )
    assert all(c["source_id"] for c in d["citations"]) and len(d["citations"]) >= 2
    assert "[" not in d["customer_text"] and "120元" in d["customer_text"]
    assert d["compliance"]["verdict"] != "block"


def test_only_the_clause_the_model_left_out_is_added_not_the_whole_fact_again(
    stack: Stack,  # noqa: F811
    fake_llm: FakeLLM,  # noqa: F811
) -> None:
    fake_llm.reply("亲，AB50-X2 整机包修3年[1]。")
    d = _draft(stack, "AB50-X2保修多久？")
    assert d["text"] == "亲，AB50-X2 整机包修3年[1]。内胆保修8年[1]。"
    [repair] = d["generator"]["repairs"]
    assert (repair["action"], repair["reason"], repair["claim"]) == ("added", "missing_fact", "8年")


def test_a_question_nothing_answers_gets_the_follow_up_promise_unless_the_model_gave_it(
    stack: Stack,  # noqa: F811
    fake_llm: FakeLLM,  # noqa: F811
) -> None:
    fake_llm.reply("亲，AB50-X2 整机包修3年，内胆保修8年[1]。")
    d = _draft(stack, "AB50-X2保修多久？能开发票吗？")
    [repair] = d["generator"]["repairs"]
    assert (repair["action"], repair["reason"]) == ("added", "unanswered_part")
    assert "发票" in repair["replacement"] and "24小时内回复您" in d["text"]
    fake_llm.reply("亲，AB50-X2 整机包修3年，内胆保修8年[1]。发票的问题我们核实后24小时内回复您。")
    assert _draft(stack, "AB50-X2保修多久？能开发票吗？")["generator"]["repairs"] == []


def test_the_follow_up_promise_never_echoes_markup_or_links_from_the_customer(
    stack: Stack,  # noqa: F811
    fake_llm: FakeLLM,  # noqa: F811
) -> None:
    fake_llm.reply("亲，AB50-X2 整机包修3年，内胆保修8年[1]。")
    d = _draft(stack, "AB50-X2保修多久？<img src=x onerror=alert(1)>发票能开吗？")
    assert "<img" not in d["text"] and "onerror" not in d["text"]
    added = [r for r in d["generator"]["repairs"] if r["reason"] == "unanswered_part"]
    assert added and all("<img" not in r["replacement"] for r in added)


def test_a_complete_reply_streams_unchanged_whatever_the_units_are_written_like(
    stack: Stack,  # noqa: F811
    fake_llm: FakeLLM,  # noqa: F811
) -> None:
    reply = "亲，AB50-X2 整机包修三年、内胆保修8 年[1]；基础安装费120 元[2]，打孔加固每次60元[3]。"
    fake_llm.reply(reply)
    pipeline = stack.container.drafter
    events = list(pipeline.stream(DraftRequest(customer_message="AB50-X2保修多久？安装多少钱？")))
    assert not [e for e in events if isinstance(e, Reset)]
    final = events[-1]
    assert isinstance(final, Final) and final.draft.generator.repairs == []


def test_an_english_reply_gets_the_missing_chinese_fact_in_english_and_the_stream_is_replaced(
    stack: Stack,  # noqa: F811
    fake_llm: FakeLLM,  # noqa: F811
) -> None:
    fake_llm.reply(
        "Hello! The AB50-X2 tank has an 8-year warranty [1]. Let us know if you need anything else."
    )
    pipeline = stack.container.drafter
    message = "How long is the tank warranty of the AB50-X2, and how much is installation?"
    events = list(pipeline.stream(DraftRequest(customer_message=message)))
    assert any(isinstance(e, Reset) and e.reason == "claims_repaired" for e in events)
    final = events[-1]
    assert isinstance(final, Final)
    text = final.draft.text
    assert "120 yuan" in text and text.endswith("Let us know if you need anything else.")
    assert "3 years" not in text  # the whole-unit warranty was not asked
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in text)
    assert {r.reason for r in final.draft.generator.repairs} == {"missing_fact"}


def _fact(text: str, kind: str = "spec", pairs: tuple[tuple[str, str], ...] = ()) -> Fact:
    return Fact(
        product_id="P1",
        source_id="s",
        kind=kind,
        field="f",
        label="参数",
        text=text,
        quantities=(),
        digest="d",
        pairs=pairs,
    )


def test_a_fact_is_stated_by_its_figures_in_any_unit_spelling_or_by_its_key_phrase() -> None:
    size = _fact("产品尺寸为700x470x470mm，重量约为25kg")
    assert stated(size, "", _Reply("It measures 700 x 470 x 470 mm and weighs about 25 kg [1]."))[0]
    ok, missing = stated(size, "", _Reply("尺寸是700x470x470mm[1]。"))
    assert not ok and missing == "25kg"
    fees = _fact("基础安装费120元；打孔加固60元/次；延长管30元/米；角阀15元/个")
    assert stated(fees, "", _Reply("基础安装费120元，打孔60元一次[1]。"))[0]  # a list: half its figures
    assert not stated(fees, "", _Reply("安装费用请以师傅报价为准。"))[0]
    fault = _fact(
        "故障代码: F002；故障名称: 漏水", kind="fault", pairs=(("故障代码", "F002"), ("故障名称", "漏水"))
    )
    assert stated(fault, "", _Reply("F002表示漏水，请检查安全阀[1]。"))[0]
    assert not stated(fault, "", _Reply("F002是一个故障代码，请联系售后。"))[0]


def test_a_promise_to_check_what_the_facts_answer_goes_when_the_fact_is_added(
    stack: Stack,  # noqa: F811
    fake_llm: FakeLLM,  # noqa: F811
) -> None:
    fake_llm.reply("亲，安装费用我们会为您核实，24小时内回复您。请确认您的收货地址哦。")
    d = _draft(stack, "AB50-X2安装多少钱？")
    assert (
        "核实" not in d["text"] and "请确认您的收货地址哦。" in d["text"]
    )  # a request to the customer stays
    assert "基础安装费120元[" in d["text"]
    removed = [r for r in d["generator"]["repairs"] if r["action"] == "removed"]
    assert [r["reason"] for r in removed] == ["answered_by_facts"] and "24小时" in removed[0]["sentence"]
    # a part nothing answers keeps the model's promise
    fake_llm.reply("亲，AB50-X2 整机包修3年，内胆保修8年[1]。发票我们核实后24小时内回复您。")
    assert _draft(stack, "AB50-X2保修多久？能开发票吗？")["generator"]["repairs"] == []


def _plan(question: str, *facts: Fact) -> AnswerPlan:
    part = QuestionPart(text=question, kinds=(facts[0].kind,))
    return AnswerPlan(
        language="en", resolution=Resolution(), parts=[PartAnswer(part, list(facts))], products=[]
    )


def test_an_english_reply_gets_no_chinese_quote_the_english_follow_up_promise_stands_in() -> None:
    rule = replace(
        _fact("签收次日起7天内可申请无理由退货，商品须保持原包装完好", kind="return"), product_id=None
    )
    plan = _plan("Can I return it if I change my mind?", rule)
    done = complete(
        "Hello! Thanks for your message.", plan, language="en", followup_hours=24, markers=lambda _: 2
    )
    assert not CJK.search(done.text)
    assert done.text == (
        "Hello! We need to check “Can I return it if I change my mind” for you and will get back to you"
        " within 24 hours. Thanks for your message."
    )
    [repair] = done.repairs
    assert (repair.action, repair.reason, repair.expected) == ("added", "untranslated_fact", rule.text)
    # the model promised the follow-up already: nothing to add, and its promise stays
    promise = "Hello! We will check the return rules and reply within 24 hours."
    assert complete(promise, plan, language="en", followup_hours=24, markers=lambda _: 2).text == promise
    # a fact the engine can say in English is added in English
    warranty = _fact("整机包修3年，内胆保修8年", kind="warranty")
    done = complete(
        "Hello!",
        _plan("How long is the warranty?", warranty),
        language="en",
        followup_hours=24,
        markers=lambda _: 1,
    )
    assert "3 years" in done.text and "8 years" in done.text and not CJK.search(done.text)
    assert [r.reason for r in done.repairs] == ["missing_fact"]


def test_a_clause_left_out_of_a_rule_without_figures_is_added_alone() -> None:
    rule = replace(
        _fact("部分退货：优惠券不退回，优惠金额按商品金额比例分摊，只退该商品的实付金额", kind="refund"),
        product_id=None,
    )
    plan = replace(_plan("只退其中1件，钱怎么算？", rule), language="zh")
    reply = "亲，部分退货时优惠券不退回，退款按实付金额计算[2]。"
    done = complete(reply, plan, language="zh", followup_hours=24, markers=lambda _: 2)
    assert done.text == f"{reply}优惠金额按商品金额比例分摊[2]。"
    [repair] = done.repairs
    assert (repair.action, repair.reason, repair.claim) == (
        "added",
        "missing_fact",
        "优惠金额按商品金额比例分摊",
    )
    # every clause said in other words: nothing added; most clauses missing: a paraphrase, left alone
    said = "亲，优惠券不退回，优惠按商品金额比例分摊，只退这件商品实付的钱[2]。"
    assert complete(said, plan, language="zh", followup_hours=24, markers=lambda _: 2).repairs == []
    assert unstated_clauses(rule, _Reply("亲，满减券不退回，优惠金额按比例分摊到每件商品[2]。")) == []


def test_the_claim_checks_english_replacement_never_quotes_chinese_either() -> None:
    rule = replace(
        _fact("签收次日起7天内可申请无理由退货，商品须保持原包装完好", kind="return"), product_id=None
    )
    assert fact_sentence(rule, "en", 1) == ""  # the wrong clause goes; no Chinese quote comes in
    assert fact_sentence(rule, "zh", 1).endswith("签收次日起7天内可申请无理由退货，商品须保持原包装完好[1]。")
    warranty = _fact("整机包修3年，内胆保修8年", kind="warranty")
    said = fact_sentence(warranty, "en", 1)
    assert "8 years" in said and said.endswith("[1].") and not CJK.search(said)


def test_a_rule_that_is_only_a_code_name_is_neither_in_the_prompt_nor_added() -> None:
    tool = replace(_fact("manage_exchange", kind="exchange"), product_id=None, digest="t")
    rule = replace(_fact("同系列不同容量可换货", kind="exchange"), product_id=None)
    plan = replace(_plan("能换吗？", tool, rule), language="zh")
    items, _ = plan_items(plan, "zh")
    assert [i["text"] for i in items] == ["参数：同系列不同容量可换货"]
    done = complete(
        "亲，同系列不同容量可以换货[1]。", plan, language="zh", followup_hours=24, markers=lambda _: 1
    )
    assert done.repairs == [] and "manage" not in done.text


def test_when_nothing_answers_a_vague_question_a_reply_without_the_promise_gets_it() -> None:
    part = QuestionPart(text="AP-300 能杀灭新冠病毒吗？", kinds=())
    plan = AnswerPlan(language="zh", resolution=Resolution(), parts=[PartAnswer(part, [])], products=[])
    done = complete(
        "很抱歉，我无法回答这个问题。", plan, language="zh", followup_hours=24, markers=lambda _: None
    )
    assert "24小时内回复您" in done.text and [r.reason for r in done.repairs] == ["unanswered_part"]
    kept = "亲，这个问题我们核实后24小时内回复您。"
    assert complete(kept, plan, language="zh", followup_hours=24, markers=lambda _: None).repairs == []


def test_an_english_reply_that_states_a_chinese_record_or_twin_facts_gets_nothing_twice() -> None:
    gift = _fact(
        "赠品名称: 电风扇；赠品描述: 随主机一起发出",
        kind="gift",
        pairs=(("赠品名称", "电风扇"), ("赠品描述", "随主机一起发出")),
    )
    plan = _plan("Is there a free gift?", gift)
    said = "Hello! Free gift: electric fan [1]. Thanks."
    done = complete(said, plan, language="en", followup_hours=24, markers=lambda _: 1)
    assert done.text == said and done.repairs == []  # its Chinese name is not looked for in English
    done = complete("Hello! Thanks.", plan, language="en", followup_hours=24, markers=lambda _: 1)
    assert done.text.count("electric fan") == 1 and [r.reason for r in done.repairs] == ["missing_fact"]
    # two facts (a field and its passage) that read alike in English are added once
    fee, again = (
        _fact("基础安装费150元", kind="install_fee"),
        replace(_fact("基础安装费150元", kind="install_fee"), digest="e"),
    )
    done = complete(
        "Hello! Thanks.",
        _plan("Installation fee?", fee, again),
        language="en",
        followup_hours=24,
        markers=lambda _: 1,
    )
    assert done.text.count("150 yuan") == 1 and len(done.repairs) == 1
