"""A long message reaches retrieval as its most informative sentences, within the token budget."""

from __future__ import annotations

from service.drafting.focus import focus_query
from service.drafting.models import DraftRequest, Turn
from service.drafting.pipeline import DraftPipeline
from service.drafting.text import estimate_tokens
from service.settings import Settings
from tests.drafting_fakes import FakeIndex, PassCompliance

FILLER_ZH = "我上周五下午在家里收拾房间的时候突然想起来这件事情，"
QUESTION_ZH = "请问温控水壶开封后还可以退货吗？"


def test_short_message_is_searched_unchanged() -> None:
    assert focus_query("  退款多久到账？ ", 128) == "退款多久到账？"


def test_long_message_is_cut_to_the_budget_keeping_the_question() -> None:
    story = "。".join(f"{FILLER_ZH}第{i}天我一直在想这个问题" for i in range(80))
    message = f"{story}。{QUESTION_ZH}{story}。"
    assert len(message) > 3000
    query = focus_query(message, 64)
    assert estimate_tokens(query) <= 64
    assert QUESTION_ZH in query


def test_repeated_sentences_are_searched_once() -> None:
    message = "Can I return the KT-170T kettle after opening it? " * 80 + "How long does the refund take?"
    query = focus_query(message, 128)
    assert query.count("KT-170T") == 1
    assert "How long does the refund take?" in query
    assert estimate_tokens(query) <= 128


def test_text_without_any_break_is_still_bounded() -> None:
    for message in ("退" * 4000, "x" * 4000, "a,b " * 1000):
        assert 0 < estimate_tokens(focus_query(message, 100)) <= 100


def test_pipeline_bounds_the_retrieval_query_of_a_long_message_and_its_history() -> None:
    settings = Settings(embedder="fake", retrieval_query_tokens=48)
    index = FakeIndex()
    pipeline = DraftPipeline(settings=settings, index=index, llm=None, compliance=PassCompliance())
    long_turn = (FILLER_ZH * 100)[:3900] + QUESTION_ZH
    pipeline.generate(DraftRequest(customer_message=long_turn))
    pipeline.generate(
        DraftRequest(customer_message="那呢？", conversation=[Turn(role="customer", text=long_turn)])
    )
    assert len(index.calls) >= 2
    for query, _k, _filters in index.calls:
        assert estimate_tokens(query) <= 48
    assert QUESTION_ZH in index.calls[0][0]
    assert index.calls[-1][0].endswith("那呢？")
