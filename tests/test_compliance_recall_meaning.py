"""Issue 13, recall on wording nobody here wrote: stacked separators inside contact words, an account id
that no payment or app wording can excuse, and brush-offs recognised by two cues of meaning."""

from __future__ import annotations

import pytest

from service.compliance.engine import ComplianceEngine
from service.compliance.normalize import normalize


@pytest.fixture(scope="module")
def engine() -> ComplianceEngine:
    return ComplianceEngine.from_paths()


def _categories(engine: ComplianceEngine, text: str, **kw: object) -> set[str]:
    return {f.category for f in engine.check(text, **kw).flags}  # type: ignore[arg-type]


def test_stacked_separators_between_chinese_characters_are_dropped() -> None:
    norm = normalize("搜一下微🎉🎉🎉🎉信")
    assert norm.text == "搜一下微信"
    start, end = norm.to_original(3, 5)
    assert norm.original[start:end] == "微🎉🎉🎉🎉信"  # the finding still points at what the reviewer sees


@pytest.mark.parametrize(
    "text",
    [
        "有问题找我 V~X：kf2090，发图给您。",
        "售后统一拉 q-q 群处理，群号 24681357。",
        "找我 w*x：mall_amy 就行。",
        "关注一下公~~~~众号领券。",
    ],
)
def test_contact_words_split_by_symbols_are_caught(engine: ComplianceEngine, text: str) -> None:
    assert "off_platform" in _categories(engine, text)


@pytest.mark.parametrize(
    "text",
    [
        "退款的事请加客服主管微信 ming_2077 处理。",
        "付款遇到问题可以加财务微信：pay66kf。",
    ],
)
def test_an_account_id_after_a_contact_word_is_not_a_payment_mention(
    engine: ComplianceEngine, text: str
) -> None:
    assert "off_platform" in _categories(engine, text)
    assert "off_platform" in _categories(engine, text, context=text)


@pytest.mark.parametrize(
    "text",
    ["退款会原路退回到您的微信零钱。", "用微信支付后一般即时到账。", "型号 W-X200 和 WX300 的区别是容量。"],
)
def test_payment_mentions_and_model_codes_stay_clean(engine: ComplianceEngine, text: str) -> None:
    assert "off_platform" not in _categories(engine, text)
