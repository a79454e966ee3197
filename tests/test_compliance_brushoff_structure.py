"""Issue 13, brush-offs by structure (helper h14c): a reply that offers no help anywhere and pairs two of the
store side negated, the customer sent elsewhere, another party holding the matter, a fixed outcome or the
customer's own fault warns (``banned.zh.brushoff_grammar`` / ``banned.en.brushoff_grammar``); an offer of help
anywhere in the reply, a reason, an alternative or the party's number given clears it. Sentences are written
here, not taken from the eval batches."""

from __future__ import annotations

import pytest

from service.compliance.checks import CueParams, Document, cue_kinds
from service.compliance.engine import ComplianceEngine
from service.compliance.normalize import normalize

RULES = {"banned.zh.brushoff_grammar", "banned.en.brushoff_grammar"}


@pytest.fixture(scope="module")
def engine() -> ComplianceEngine:
    return ComplianceEngine.from_paths()


def _structure(engine: ComplianceEngine, text: str, lang: str) -> list[str]:
    result = engine.check(text, sources=[], language=lang)
    return [f.rule_id for f in result.flags if f.rule_id in RULES]


def _flagged(engine: ComplianceEngine, text: str, lang: str) -> list[str]:
    return [f.rule_id for f in engine.check(text, sources=[], language=lang).flags]


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("面板的色差我们这边判断不了，得去品牌的维修中心看。", "zh"),  # store negated + sent to a party
        ("这台机器出库以后就由配送站安排了，我们插不上话。", "zh"),  # a party holds it + store negated
        ("赠品缺货是活动方定的，没有别的办法。", "zh"),  # a party decided + no alternative
        ("型号是您自己下单选错了，只能自行承担。", "zh"),  # the customer's error + a fixed outcome
        ("这事情谁来处理都一样。", "zh"),  # a fixed outcome that is the whole meaning
        ("Our staff have no access to that, it's the carrier's business.", "en"),
        ("We aren't the ones who approve claims; check with the insurer.", "en"),
        ("There's no further action available at this point.", "en"),
    ],
)
def test_brushoffs_by_structure_warn(engine: ComplianceEngine, text: str, lang: str) -> None:
    # Caught by the structure rules or, where an older rule's block covers the same words, by that rule.
    result = engine.check(text, sources=[], language=lang)
    assert any(f.category == "banned_phrase" for f in result.flags), text
    assert result.verdict in ("warn", "block")


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        # the same kinds of words beside an offer of help, in the same or another sentence
        ("面板的色差我们这边判断不了。我已经帮您预约了品牌的维修中心，明天上午有人联系您。", "zh"),
        ("赠品由活动方统一发放，我这边帮您登记补发，三天内寄出。", "zh"),
        ("这款由厂家直发，我们这边会向厂家反馈加急。", "zh"),
        # a question about what the customer did, a party that only contacts the customer
        ("您联系过商家了吗？", "zh"),
        ("配送员送货前会跟您联系的，请保持电话畅通。", "zh"),
        # the party's own number given: the way the standard wants a customer sent on
        ("这是网点的预约电话 010-67881234，您联系一下预约上门时间。", "zh"),
        # a comparison naming other brands is no party holding the matter
        ("我们不能说它比其他品牌好，主要看您的使用习惯。", "zh"),
        ("We can't lower the price set by the brand, though there's a coupon you can use.", "en"),
        ("We're not the exclusive distributor for this brand.", "en"),
        ("The carrier handles the last mile, and I've asked them to call you before delivery.", "en"),
    ],
)
def test_help_reason_or_alternative_keeps_it_clean(engine: ComplianceEngine, text: str, lang: str) -> None:
    assert not _structure(engine, text, lang), text


def test_cancel_scope_text_looks_at_the_whole_reply() -> None:
    """A cue pair in one sentence, the agent's help in another: ``cancel_scope: text`` clears it, the
    default (the cues' sentences) does not."""
    cues = {"neg": "办不了", "party": "厂家"}
    text = "这个我们办不了，得找厂家。稍后我帮您联系。"
    per_sentence = CueParams(cues=cues, cancel="帮您联系")
    whole = CueParams(cues=cues, cancel="帮您联系", cancel_scope="text")
    assert list(cue_kinds(Document(normalize(text)), per_sentence))
    assert not list(cue_kinds(Document(normalize(text)), whole))


def test_structure_rules_only_warn(engine: ComplianceEngine) -> None:
    """Held for a reviewer, never blocked: an honest refusal may share the structure."""
    for rule in engine.rules:
        if rule.rule.id in RULES:
            assert rule.rule.severity == "warn"


def test_escalation_clears_the_helpless_warning(engine: ComplianceEngine) -> None:
    text = "这个我们这边暂时处理不了，我已经反馈给主管，今天下午回复您。"
    assert not _flagged(engine, text, "zh")


@pytest.mark.parametrize(
    "text",
    ["We are the No.1 brand in China.", "We are the No. 1 seller of air fryers on the platform."],
)
def test_a_ranking_claim_is_no_negated_store(engine: ComplianceEngine, text: str) -> None:
    """ "No.1" is a rank, not "no": the claim is the advertising-law finding, never a brush-off."""
    assert _structure(engine, text, "en") == []
    assert any(r.startswith("adlaw.") for r in _flagged(engine, text, "en"))
