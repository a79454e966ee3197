"""Issue 13, brush-offs by grammar: the store side + a hands-off predicate, who the matter belongs to,
stalling, certain blame and waving the concern away are cue kinds the brush-off rules combine; the same
words beside a follow-up, an alternative or a plain fact stay clean. Sentences are written here, not taken
from the eval batches."""

from __future__ import annotations

import pytest

from service.compliance.engine import ComplianceEngine
from service.compliance.rulepacks import expand_classes


@pytest.fixture(scope="module")
def engine() -> ComplianceEngine:
    return ComplianceEngine.from_paths()


def _brushoff(engine: ComplianceEngine, text: str, lang: str) -> list[str]:
    result = engine.check(text, sources=[], language=lang)
    return [f.rule_id for f in result.flags if f.category == "banned_phrase"]


def test_a_class_may_name_another_class() -> None:
    classes = {"PARTY": ["由{WHO}负责"], "WHO": ["厂家", "快递"]}
    pattern = expand_classes("(?:{PARTY})", classes)
    assert "{" not in pattern.replace("{1", "")
    assert "厂家" in pattern and "快递" in pattern


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("这批货是仓库那边安排的，我们这边说了不算。", "zh"),  # a party + the store has no say
        ("补发的事我们左右不了，过两天再刷新看看。", "zh"),  # powerless + a stall
        ("等仓库给消息吧。", "zh"),  # a stall is the whole meaning
        ("签收以后的事就归快递管了。", "zh"),  # handed over for good
        ("肯定是您自己摔坏的。", "zh"),  # certain blame
        ("这个价位就这样的做工，您别要求太高。", "zh"),  # waving the concern away + futility
        ("Repairs are for the maker to sort out; we only sell them.", "en"),
        ("Give it a couple of weeks and see if it turns up.", "en"),
        ("You should have read the listing before buying.", "en"),
    ],
)
def test_brushoffs_in_new_words_are_caught(engine: ComplianceEngine, text: str, lang: str) -> None:
    assert _brushoff(engine, text, lang), text


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("这批货是仓库安排的，我这边帮您催一下，今天内回复您。", "zh"),  # the agent follows up
        ("本店不参与这次满减活动，店铺券可以叠加使用。", "zh"),  # a hands-off word stating a plain fact
        ("请不要着急，我们先处理，不需要您自己跟快递交涉。", "zh"),  # reassurance, the store acts
        ("物流稍有延迟，我们已经向快递提交了催件，有进展马上告诉您。", "zh"),
        ("过几天就是店庆，届时有满减活动。", "zh"),  # "in a few days" is not a stall
        ("The maker handles repairs, and I have booked yours with them for you.", "en"),
        ("Tracking updates when it arrives at the depot.", "en"),
        ("You're welcome to contact the brand as well; I'm happy to help with anything they ask.", "en"),
    ],
)
def test_lookalikes_stay_clean(engine: ComplianceEngine, text: str, lang: str) -> None:
    assert not _brushoff(engine, text, lang), text
