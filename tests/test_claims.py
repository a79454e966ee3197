"""Claims verified per product: model drafts, reviewer edits and texts checked without sources.

A real index (embedded Chroma, fake embedder) of two sibling water heaters and a shipping policy, the real
compliance engine, the real review service on SQLite and the fake OpenAI-compatible server scripted with
the mistakes small models make: a sibling's warranty, an invented total, a prompt label, [n] markers.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.answering.facts import FactStore
from service.answering.verify import claim_scope, verify_claims
from service.api.auth import Role
from service.app import create_app
from service.compliance.engine import ComplianceEngine
from service.container import Container
from service.drafting.models import DraftRequest
from service.embeddings.fake import FakeEmbedder
from service.evaluation.answers import wrong_facts
from service.evaluation.golden import Case
from service.evaluation.metrics import summarise
from service.evaluation.runner import run_case
from service.review.keys import DatabaseKeyStore
from service.settings import Settings
from tests.fake_llm import FakeLLM, fake_llm  # noqa: F401
from tests.kb import store_over, write_kb
from tests.test_review_support import fresh_database

SHEETS = [
    {
        "商品ID": "WH-50",
        "商品名称": "示例 50升 电热水器 AB50-X2",
        "商品价格": 1299,
        "商品状态": "在售",
        "维修说明": "保修政策：整机包修3年，内胆保修8年。",
        "安装说明": "基础安装费120元；打孔加固60元/次。",
    },
    {
        "商品ID": "WH-60",
        "商品名称": "示例 60升 电热水器 AB60-Y3",
        "商品价格": 1599,
        "商品状态": "在售",
        "维修说明": "保修政策：整机包修6年，内胆保修10年。",
        "安装说明": "基础安装费150元。",
    },
]
SHIPPING = """# 配送说明

## 运费

订单满99元包邮。

## 偏远地区

新疆、西藏地区每单加收偏远附加费20元。
"""
RETURNS = """# 退货规则

签收次日起7天内可申请无理由退货。
"""


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    root = tmp_path / "kb"
    write_kb(
        root, products={"heaters.json": SHEETS}, policies={"shipping.md": SHIPPING, "returns.md": RETURNS}
    )
    return root


@pytest.fixture
def store(kb: Path) -> FactStore:
    return store_over(kb)


@dataclass
class Stack:
    client: TestClient
    container: Container
    tokens: dict[Role, str]

    def call(self, method: str, path: str, role: Role, **kw: object) -> dict:  # type: ignore[type-arg]
        res = self.client.request(
            method, path, headers={"Authorization": f"Bearer {self.tokens[role]}"}, **kw
        )  # type: ignore[arg-type]
        return {"status": res.status_code, "body": res.json()}


@pytest.fixture
def stack(kb: Path, tmp_path: Path, fake_llm: FakeLLM) -> Iterator[Stack]:  # noqa: F811
    db = fresh_database("sqlite", tmp_path)
    keys = DatabaseKeyStore(db)
    tokens = {role: keys.create_key(f"{role.value} key", role)[0] for role in Role}
    settings = Settings(
        data_dir=tmp_path / "data",
        knowledge_dir=kb,
        embedder="fake",
        llm_base_url=fake_llm.base_url,
        llm_model="fake-model",
        llm_max_retries=0,
    )
    container = Container(settings, db=db, keys=keys, embedder=FakeEmbedder())
    container.index.reindex(kb)
    client = TestClient(create_app(container))
    yield Stack(client, container, tokens)
    client.close()
    container.close()


def test_a_model_draft_with_a_siblings_warranty_an_invented_total_and_a_label_is_repaired(
    stack: Stack,
    fake_llm: FakeLLM,  # noqa: F811
) -> None:
    fake_llm.reply(
        "亲，AB50-X2 的内胆保修10年[1]。基础安装费120元，加上打孔加固一共180元[1]。\n\n【资料】（编号 [2]）"
    )
    created = stack.call(
        "POST", "/v1/drafts", Role.AGENT, json={"customer_message": "AB50-X2内胆保几年？安装多少钱？"}
    )
    assert created["status"] == 201, created
    d = created["body"]
    assert d["generator"]["provider"] == "openai-compatible" and d["generator"]["products"] == ["WH-50"]
    repairs = {r["reason"]: r for r in d["generator"]["repairs"]}
    wrong = repairs["wrong_product"]
    assert wrong["claim"] == "10年" and wrong["other_product_id"] == "WH-60" and wrong["action"] == "replaced"
    assert "内胆保修8年" in wrong["replacement"] and "内胆保修8年" in wrong["expected"]
    assert repairs["arithmetic"]["claim"] == "180元" and repairs["arithmetic"]["action"] == "removed"
    text = d["text"]
    assert "10年" not in text and "180元" not in text and "内胆保修8年" in text and "120元" in text
    assert "【资料】" not in text and "[1]" in text  # the reviewer's copy keeps its markers, not the label
    assert d["compliance"]["verdict"] != "block", d["compliance"]
    assert "[" not in d["customer_text"] and "内胆保修8年" in d["customer_text"]

    # what is sent is the customer text
    approved = stack.call("POST", f"/v1/drafts/{d['id']}/approve", Role.REVIEWER, json={"version": 1})
    assert approved["status"] == 200, approved
    sent = stack.call("POST", f"/v1/drafts/{d['id']}/send", Role.REVIEWER)
    assert sent["status"] == 200, sent
    [item] = stack.call("GET", "/v1/outbox", Role.AGENT)["body"]["items"]
    assert item["payload"]["text"] == d["customer_text"]


def test_reviewer_edits_are_checked_against_the_fact_store_not_just_the_cited_sources(
    stack: Stack,
    fake_llm: FakeLLM,  # noqa: F811
) -> None:
    fake_llm.default.text = "亲，AB50-X2 整机包修3年，内胆保修8年[1]。"
    d = stack.call("POST", "/v1/drafts", Role.AGENT, json={"customer_message": "AB50-X2保修多久？"})["body"]
    assert d["generator"]["repairs"] == [] and d["compliance"]["verdict"] == "pass"
    # A correct fact retrieval did not cite (the store's remote-area surcharge) passes...
    good = "亲，AB50-X2 整机包修3年。寄往新疆每单加收偏远附加费20元。"
    ok = stack.call("POST", f"/v1/drafts/{d['id']}/approve", Role.REVIEWER, json={"version": 1, "text": good})
    assert ok["status"] == 200, ok
    assert not [f for f in ok["body"]["compliance"]["findings"] if f["category"] == "unsupported_claim"]
    # ...a wrong one is flagged with the right value as the suggestion, and so is a sibling's warranty.
    d2 = stack.call("POST", "/v1/drafts", Role.AGENT, json={"customer_message": "AB50-X2保修多久？"})["body"]
    bad = "亲，AB50-X2 整机包修6年。寄往新疆每单加收偏远附加费30元。"
    refused = stack.call(
        "POST", f"/v1/drafts/{d2['id']}/approve", Role.REVIEWER, json={"version": 1, "text": bad}
    )
    assert refused["status"] == 422 and refused["body"]["error"]["code"] == "compliance_blocked", refused
    findings = {f["matched"]: f for f in refused["body"]["error"]["details"]["findings"]}
    assert "20元" in (findings["30元"]["suggestion"] or "")
    assert "WH-60" in findings["6年"]["message"] and "整机包修3年" in (findings["6年"]["suggestion"] or "")


def test_claim_scope_judges_each_sentence_by_the_product_it_names(store: FactStore) -> None:
    scope = claim_scope(store, ["WH-50"], context="订单实付1188元")
    checked = verify_claims(
        "AB60-Y3 的整机包修6年。AB50-X2 基础安装费150元。您实付1188元。", scope, store, language="zh"
    )
    assert [(r.claim, r.reason, r.other_product_id) for r in checked.repairs] == [
        ("150元", "wrong_product", "WH-60")
    ]
    assert "AB60-Y3 的整机包修6年" in checked.text and "1188元" in checked.text  # its own fact; the order
    assert "基础安装费120元" in checked.text


def test_without_sources_numbers_get_one_note_and_the_reply_passes() -> None:
    """A human reply checked alone: its policy numbers cannot be checked, so one info note lists them; the
    verdict stays pass (a note is not a flag). With sources the same number is judged and blocks."""
    engine = ComplianceEngine.from_paths()
    alone = engine.check("亲，这款水壶299元，签收后15天内可以退货，退款1-3个工作日到账。")
    assert alone.verdict.value == "pass" and alone.flags == []
    [note] = alone.findings
    assert (note.rule_id, note.severity.value, note.matched) == ("claim.unchecked", "info", "299元")
    assert "3" in note.message and "15天" in note.message
    sourced = engine.check("亲，这款水壶299元。", sources=["晨光电热水壶 价格: 199"])
    assert sourced.verdict.value == "block" and sourced.findings[0].rule_id == "claim.price"
    assert all(f.rule_id != "claim.unchecked" for f in sourced.findings)


def test_without_sources_a_product_performance_figure_warns_and_asks_for_a_source() -> None:
    engine = ComplianceEngine.from_paths()
    result = engine.check("这款耳机待机时间超过10天，15小时通话。")
    assert result.verdict.value == "warn"
    assert {f.matched for f in result.flags if f.rule_id == "claim.unsourced"} == {"10天", "15小时"}
    assert engine.check("The battery lasts 30 hours.").verdict.value == "warn"
    # A delivery estimate or a refund time is policy, not a product claim: a note only.
    assert engine.check("预计2-5天左右有货，退款2小时到账。").verdict.value == "pass"


def test_numbers_the_context_states_are_checked_even_without_sources() -> None:
    engine = ComplianceEngine.from_paths()
    result = engine.check("您的订单实付299元。", context="订单实付 299元")
    assert result.findings == []


def test_upper_case_g_and_letters_between_digits_are_not_units() -> None:
    """5G, 24G存储卡, 3+64G are a network generation or gigabytes, not grams; 7M1 is part of a model code."""
    engine = ComplianceEngine.from_paths()
    for text in ("移动联通5G 双卡双待手机", "外加24G存储卡哦", "空调挂机(KFR-35GW/ERQWN3(7M1))"):
        assert engine.check(text, sources=["保修1年"]).findings == [], text
    grams = engine.check("净含量500g", sources=["保修1年"])
    assert [f.rule_id for f in grams.findings] == ["claim.number"]


def test_context_supports_order_facts_but_never_excuses_contact_or_promises() -> None:
    engine = ComplianceEngine.from_paths()
    context = "请加微信 wx_refund888 退款；订单实付89元；终身保修"
    result = engine.check(
        "亲，您实付89元，请加微信 wx_refund888 办理退款，本品终身保修。",
        sources=["退款在审核通过后24小时内原路退回。"],
        context=context,
    )
    categories = {f.category for f in result.findings}
    assert result.verdict.value == "block" and {"off_platform", "promise"} <= categories
    assert "unsupported_claim" not in categories  # the order amount is the customer's own fact


def test_eval_answer_metrics_count_wrong_product_facts_repairs_parts_and_marks(
    stack: Stack,
    fake_llm: FakeLLM,  # noqa: F811
) -> None:
    fake_llm.reply("亲，内胆保修8年[1]。订单满99元包邮[2]。")
    case = Case(
        id="c1",
        message="AB60-Y3内胆保修几年？安装费多少？",
        expect={"products": ["WH-60"], "facts": ["10年"]},
    )
    pipeline = stack.container.drafter
    result = run_case(pipeline, case, k=5)
    assert result["repairs"] and result["repairs"][0]["reason"] == "wrong_product"
    assert result["coverage"] == 1.0 and result["wrong_facts"] == []  # repaired to the asked product's fact
    assert result["first_text_ms"] is not None and result["customer_text_marks"] is False
    assert result["irrelevant_sentences"] == ["订单满99元包邮。"]  # quoted, but answers neither question
    # the installation fee the model left out is added from the facts (service/drafting/completeness.py)
    assert [r["action"] for r in result["repairs"]] == ["replaced", "added"]
    assert (result["parts"], result["answered_parts"]) == (2, 2)
    # Judged for another product, the same draft's warranty is a wrong-product fact nobody flagged.
    fake_llm.reply("亲，内胆保修8年[1]。")
    prep = pipeline.prepare(DraftRequest(customer_message=case.message))
    draft = pipeline.complete(prep)
    wrong = wrong_facts(draft, prep, ["WH-50"])
    assert {w["claim"] for w in wrong} >= {"10年"}
    assert all(w["reason"] == "wrong_product" and w["owner"] == "WH-60" and not w["flagged"] for w in wrong)
    summary = summarise([result])
    assert summary["repairs_total"] == 2 and summary["wrong_product_unflagged"] == 0
    assert summary["irrelevant_sentence_rate"] == 0.3333 and summary["answered_parts_rate"] == 1.0


MEMBERSHIP = """# 会员与积分

## 会员等级

| 等级 | 条件 | 主要权益 |
| --- | --- | --- |
| 银卡会员 | 近12个月累计实付满1000元 | 积分1.2倍；每月1张满199减15元券 |
| 金卡会员 | 近12个月累计实付满5000元 | 积分1.5倍；生日当月30元无门槛券；不论金额包邮 |
"""


def test_a_policy_table_row_quoted_is_its_own_field_but_a_wrong_value_in_it_is_flagged(
    kb: Path,
) -> None:
    """The row's sentence also speaks of free shipping (包邮), which is not what 5000元 or 12个月 are of:
    a clause quoted word for word from the row is the row's own claim. A changed value is no quotation."""
    write_kb(kb, policies={"membership.md": MEMBERSHIP})
    store = store_over(kb)
    scope = claim_scope(store, [])
    row = (
        "等级：金卡会员，条件：近12个月累计实付满5000元，"
        "主要权益：积分1.5倍；生日当月30元无门槛券；不论金额包邮。"
    )
    assert verify_claims(row, scope, store, language="zh").repairs == []
    wrong = verify_claims(row.replace("5000元", "4321元"), scope, store, language="zh")
    assert [(r.claim, r.reason) for r in wrong.repairs] == [("4321元", "wrong_value")]
    # a number the table states in another cell (a coupon's 15元) is no quotation of this condition
    moved = verify_claims(row.replace("5000元", "15元"), scope, store, language="zh")
    assert [(r.claim, r.reason) for r in moved.repairs] == [("15元", "wrong_field")]
