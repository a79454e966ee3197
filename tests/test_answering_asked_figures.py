"""An English reply at its Chinese budget still states the figure the customer asked for.

A figure after mostly untranslatable words is normally left out (what it is of would be guessed), but when
the question asks for that unit ("how heavy" -> kg, "how much do I need to spend" -> yuan) the question
says what it is of, so the figure is said rather than lost."""

from __future__ import annotations

from service.answering import english
from service.answering.questions import split_parts

HEAVY = "80升机型注满水后总重约110公斤，必须挂在承重墙或实心砖墙上"
TIER = "等级：银卡会员，条件：近12个月累计实付满1000元，主要权益：积分1.2倍"


def asked(question: str) -> frozenset[str]:
    part = split_parts(question)[0]
    return english.asked_of(part.units, part.asks_money, part.asks_time)


def test_without_an_asked_unit_a_figure_after_unknown_words_is_left_out() -> None:
    said = english.figures_quote(HEAVY) or ""
    assert "110" not in said
    assert "80 L" in said  # a figure with nothing unknown before it is still said


def test_the_asked_unit_brings_the_figure_back() -> None:
    units = asked("How heavy is it once it is full of water?")
    assert "kg" in units
    said = english.figures_quote(HEAVY, units) or ""
    assert "110 kg" in said
    assert not english.CJK.search(said)


def test_only_the_asked_unit_is_said_not_every_figure() -> None:
    units = asked("How much do I need to spend to reach that tier?")
    said = english.figures_quote(TIER, units) or ""
    assert "1000 yuan" in said
    assert "12 months" not in said  # a time figure after unknown words: not what was asked
    assert "110" not in (english.figures_quote(HEAVY, units) or "")  # kg is not what a money question asks


def test_a_negated_clause_stays_out_even_in_the_asked_unit() -> None:
    units = asked("How much does it cost?")
    assert english.figures_quote("非承重墙不收取支架费用50元", units) is None


FEES = "超出部分例如打混凝土墙 30 元/点、加长电源线 10 元/米、上门拆旧 80 元、加装减压阀 80-120 元"


def test_a_long_fee_list_keeps_its_asked_rows_while_a_part_asking_money_is_rendered() -> None:
    """A quote the reply's Chinese budget cannot carry is shortened to the rows it can translate; while the
    composer renders a part asking "how much", rows whose item name cannot be translated keep their price."""
    short = english.short_quote(FEES) or ""
    assert "30 yuan" not in short and "80 yuan;" not in short  # the untranslatable rows were dropped
    with english.asking(asked("My wall is concrete, how much per hole?")):
        asked_rows = english.short_quote(FEES) or ""
    assert "30 yuan" in asked_rows and "80 yuan" in asked_rows
    assert "10 yuan per metre" in asked_rows
    assert english.ASKED.get() == frozenset()  # the asked units do not outlive the part
