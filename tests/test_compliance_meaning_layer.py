"""The meaning layer (service/compliance/meaning): a cue prefilter, then exemplar k-NN on sentence vectors.

The real model is not loaded here: a stub embedder with the calibrated model id maps sentences to fixed
directions, so the tier logic (who is embedded, when a sentence is flagged, how the finding looks) is tested
without the model's numbers. The thresholds themselves are measured in eval (docs/decisions.md).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from service.compliance.engine import ComplianceEngine
from service.compliance.meaning import (
    CALIBRATED_MODEL,
    EXEMPLARS,
    MeaningLayer,
    candidate_sentences,
    load_exemplars,
    meaning_from_settings,
)
from service.compliance.models import Severity, Verdict
from service.embeddings.fake import FakeEmbedder
from service.settings import Settings

_GROUPS = load_exemplars()


class StubEmbedder:
    """Exemplars point along their group's axis; a sentence points along the axis its marker names
    (B = brush-off, P = promise, otherwise innocent), so the nearest group is known in advance."""

    model_id = CALIBRATED_MODEL
    dim = 3

    def __init__(self) -> None:
        self.embedded: list[str] = []

    def _axis(self, text: str) -> np.ndarray:
        for i, group in enumerate(("brushoff", "promise", "innocent")):
            if text in _GROUPS[group]:
                return np.eye(3, dtype=np.float32)[i]
        if "自己去" in text or "yourself" in text:
            return np.array([1.0, 0.0, 0.1], dtype=np.float32)
        if "保证" in text or "swap" in text:
            return np.array([0.0, 1.0, 0.1], dtype=np.float32)
        return np.array([0.0, 0.1, 1.0], dtype=np.float32)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        self.embedded += [t for t in texts if not any(t in g for g in _GROUPS.values())]
        return np.vstack([self._axis(t) for t in texts])

    def embed_query(self, text: str) -> np.ndarray:
        return self._axis(text)


def _engine(stub: object) -> ComplianceEngine:
    return ComplianceEngine.from_paths(meaning=MeaningLayer(lambda: stub))  # type: ignore[arg-type,return-value]


def test_exemplar_file_has_every_group_in_both_languages() -> None:
    import yaml

    raw = yaml.safe_load(EXEMPLARS.read_text(encoding="utf-8"))
    for group in ("brushoff", "promise", "innocent"):
        assert raw[group]["zh"] and raw[group]["en"]


def test_cue_prefilter_picks_only_sentences_with_a_cue() -> None:
    text = "您好,已为您下单。这个问题您自己去问厂家吧。祝您生活愉快!"
    spans = candidate_sentences(text)
    assert [text[s:e] for s, e in spans] == ["这个问题您自己去问厂家吧。"]
    assert candidate_sentences("您好,已为您下单。祝您生活愉快!") == []


def test_a_draft_without_cues_never_loads_the_model() -> None:
    calls = []

    def factory() -> StubEmbedder:
        calls.append(1)
        return StubEmbedder()

    engine = ComplianceEngine.from_paths(meaning=MeaningLayer(factory))  # type: ignore[arg-type]
    assert engine.check("您好,已为您下单,祝您生活愉快!").verdict == Verdict.PASS
    assert calls == []


def test_a_sentence_nearer_the_brushoffs_warns_as_a_banned_phrase() -> None:
    stub = StubEmbedder()
    result = _engine(stub).check("亲,这个维修您自己去外面看看哈。其他还有问题吗?")
    flags = [f for f in result.flags if f.rule_id == "meaning.brushoff"]
    assert result.verdict == Verdict.WARN and len(flags) == 1
    assert flags[0].category == "banned_phrase" and flags[0].severity == Severity.WARN
    assert "自己去" in flags[0].matched and "示例" in flags[0].message


def test_a_sentence_nearer_the_promises_warns_as_a_promise() -> None:
    result = _engine(StubEmbedder()).check("We will swap it for you whenever you like, that's a promise.")
    assert [f.rule_id for f in result.flags] == ["meaning.promise"]
    assert result.flags[0].category == "promise"


def test_innocent_sentences_with_cues_pass() -> None:
    stub = StubEmbedder()
    assert _engine(stub).check("我来帮您联系快递,今天给您回复。").verdict == Verdict.PASS
    assert stub.embedded  # it was a candidate, and the exemplars kept it clean


def test_sentences_a_rule_already_flagged_are_not_embedded_again() -> None:
    stub = StubEmbedder()
    result = _engine(stub).check("爱买不买,您自己去看详情。")
    assert result.verdict == Verdict.BLOCK
    assert stub.embedded == []


def test_store_policy_quoted_from_the_sources_is_not_judged() -> None:
    stub = StubEmbedder()
    policy = "定制商品我们保证按图制作,不支持无理由退货。"
    result = _engine(stub).check("定制商品我们保证按图制作,不支持无理由退货。", sources=[policy])
    assert not [f for f in result.flags if f.rule_id.startswith("meaning.")]
    assert stub.embedded == []


def test_another_embedder_turns_the_layer_off() -> None:
    layer = MeaningLayer(FakeEmbedder)
    engine = ComplianceEngine.from_paths(meaning=layer)
    assert engine.check("我来帮您联系快递,今天给您回复。").verdict == Verdict.PASS
    assert layer.disabled_reason and CALIBRATED_MODEL in layer.disabled_reason


@pytest.mark.parametrize(("value", "on"), [("off", False), ("warn", True)])
def test_setting_decides_whether_the_product_path_has_the_layer(value: str, on: bool) -> None:
    settings = Settings(compliance_meaning=value)  # type: ignore[arg-type]
    assert (meaning_from_settings(settings) is not None) is on
    assert (ComplianceEngine.from_settings(settings).meaning is not None) is on


def test_off_by_default() -> None:
    assert Settings().compliance_meaning == "off"
