"""Cross-lingual retrieval: an English question finds a policy the store wrote only in Chinese."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from service.container import Container
from service.errors import ErrorCode, ReplydraftError
from service.index.crosslingual import Glossary
from service.index.manager import IndexManager
from tests.conftest import INDEX_KB


@pytest.fixture(scope="module")
def glossary() -> Glossary:
    return Glossary.load()


def test_english_terms_become_chinese_terms(glossary: Glossary) -> None:
    out = glossary.translate("Can I get a VAT invoice for my company?").split()
    assert "增值税专用发票" in out and "公司" in out  # BM25 splits it into 增值税, 专用, 发票
    assert "分期" in glossary.translate("Can I pay in INSTALMENTS?").split()  # case and plural


def test_chinese_terms_become_english_terms(glossary: Glossary) -> None:
    out = glossary.translate("收到的快递破损了，可以退款吗？").split()
    assert {"refund", "damaged"} <= set(out)


def test_longer_phrases_win_and_words_match_whole(glossary: Glossary) -> None:
    assert "货到付款" in glossary.translate("Do you offer cash on delivery?")
    assert glossary.translate("repayment schedule") == ""  # "pay" inside a longer word is not "pay"
    assert glossary.translate("KT-170T") == ""
    assert glossary.translate("") == ""


def test_a_store_glossary_adds_its_own_terms(tmp_path: Path) -> None:
    extra = tmp_path / "brand.yaml"
    extra.write_text("concepts:\n  - {en: [morning light], zh: [晨光系列]}\n", encoding="utf-8")
    assert Glossary.load().translate("the Morning Light range") == ""
    both = Glossary.load([extra])
    assert both.translate("the Morning Light range") == "晨光系列"
    assert len(both) == len(Glossary.load()) + 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("concepts: nope\n", "expected a 'concepts' list"),
        ("concepts:\n  - {en: [refund]}\n", "concept 1: needs non-empty 'en' and 'zh'"),
        ("concepts:\n  - {en: [], zh: [退款]}\n", "concept 1: needs non-empty 'en' and 'zh'"),
        ("concepts:\n  - {en: [bag], zh: [包]}\n", "concept 1: Chinese terms need two characters"),
        ("concepts: [\n", "unreadable"),
    ],
)
def test_a_bad_glossary_is_a_configuration_error_naming_the_file(
    tmp_path: Path, content: str, message: str
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(content, encoding="utf-8")
    with pytest.raises(ReplydraftError) as err:
        Glossary.load([bad])
    assert err.value.code == ErrorCode.CONFIG
    assert str(bad) in err.value.message and message in err.value.message


def test_a_missing_glossary_file_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ReplydraftError) as err:
        Glossary.load([tmp_path / "nowhere.yaml"])
    assert err.value.code == ErrorCode.CONFIG and "nowhere.yaml" in err.value.message


def test_an_english_question_retrieves_a_chinese_only_policy(
    make_container: Callable[..., Container], tmp_path: Path
) -> None:
    kb = tmp_path / "kb"
    shutil.copytree(INDEX_KB, kb)
    (kb / "policies" / "invoices.md").write_text(
        "# 发票说明\n\n## 开具发票\n订单确认收货后可在订单详情申请电子普通发票，"
        "企业可申请增值税专用发票，需提供公司名称、税号、开户行及账号。\n",
        encoding="utf-8",
    )
    (kb / "policies" / "shipping-en.md").write_text(
        "# Shipping\n\n## When we ship\nOrders ship within 48 hours of payment by standard courier.\n",
        encoding="utf-8",
    )
    index: IndexManager = make_container().index
    index.reindex(kb)
    question = "Can I get a VAT invoice for my company?"

    hits = [h.chunk.source_id for h in index.retrieve(question, k=3)]
    assert hits[0] == "policies/invoices.md"

    index.glossary = Glossary([])  # the same index without the glossary: the English page wins
    assert index.retrieve(question, k=1)[0].chunk.source_id != "policies/invoices.md"


def test_marketplace_programme_and_service_words_cross_over(glossary: Glossary) -> None:
    """Stores' Chinese rules name promotions, invoices and service fees with words an English customer
    says otherwise: each of these questions must reach the rule's own Chinese term."""
    cases = {
        "Is a flash sale item covered by price protection?": "秒杀",
        "Do new customers get a coupon?": "新人",
        "Can you reissue my e-invoice?": "补开",
        "What is the call-out fee once it is out of warranty?": "过保",
        "How much to relocate the unit when I move house?": "移机",
        "Is there a charge per km beyond the service point?": "远程费",
        "How long does it run on a single charge?": "续航",
    }
    for question, term in cases.items():
        assert term in glossary.translate(question).split(), question
    # a price verb is not a battery word, and a T-shirt is not a plumbing fitting
    assert "充满" not in glossary.translate("How much do you charge to install it?").split()
    assert "三通" not in glossary.translate("Do you sell a plain tee in XL?").split()
