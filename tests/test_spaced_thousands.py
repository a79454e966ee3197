"""Prices printed with a space as the thousands separator ("¥1 699", as the ECom-Bench export writes some of
its prices) are one amount for the answer engine, its English rendering and the compliance claim check; a
space between digits elsewhere ("400 889 1234", a hotline) joins nothing."""

from __future__ import annotations

from service.answering import english
from service.answering.facts import quantities
from service.compliance.numbers import extract


def test_the_engine_reads_one_price() -> None:
    assert [(q.value, q.unit) for q in quantities("京东自营日常价约¥1 699")] == [(1699.0, "yuan")]
    assert [q.value for q in quantities("客服热线 400 889 1234")] == [400.0, 889.0, 1234.0]


def test_the_english_reply_states_the_same_price() -> None:
    said = english.numbers_en("日常价约¥1 699")
    assert "1699 yuan" in said and "1 yuan" not in said
    assert english.figures_gloss("日常价约¥1 699") == " (1699 yuan)"


def test_the_claim_check_reads_the_same_price_and_ranges() -> None:
    assert [q.values for q in extract("京东自营日常价约¥1 699")] == [(1699.0,)]
    assert [q.values for q in extract("¥1 000-1 300")] == [(1000.0, 1300.0)]
    assert extract("热线 400 889 1234") == []
