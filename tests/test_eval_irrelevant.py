# ruff: noqa: E501  (real quoted sentences, kept whole)
"""The eval's irrelevant-sentence judge (service/evaluation/answers.py), on real dev drafts' sentences
hand-labelled as answering or not answering the question they were quoted for (issue 12 audit)."""

from __future__ import annotations

import pytest

from service.evaluation.answers import _relevant, question_kinds, question_parts


def irrelevant(question: str, sentence: str) -> bool:
    kinds = question_kinds(question)
    return bool(kinds) and not _relevant(sentence, kinds, [question, *question_parts(question)])


def test_how_much_before_a_noun_is_not_a_price_question() -> None:
    assert "price" not in question_kinds(
        "How much space should I leave around the MR-421WUFPZE on the sides?"
    )
    assert "price" not in question_kinds("also how much water does it use per wash")
    assert "price" in question_kinds("How much do I need to spend to become a gold member?")
    assert "price" in question_kinds("F8025JE4 install - my wall is concrete, how much per hole?")
    assert "price" in question_kinds("How much is the F8033-JE6 80 litre heater?")
    # the cost of having it installed is the installation's price, the product named in between
    kinds = question_kinds("How much does it cost to have the AK7PRO range hood installed?")
    assert "install_fee" in kinds and "price" not in kinds
    assert not irrelevant(
        "How much does it cost to have the AK7PRO range hood installed?",
        "Installation fee: the basic installation fee is at most 300 yuan.",
    )


@pytest.mark.parametrize(
    ("question", "sentence", "expected"),
    [
        # answering, judged irrelevant before
        ("How much space should I leave around the MR-421WUFPZE on the sides and on top?",
         "Basic requirements: left and right each 5cm; top 10cm .", False),
        ("How much does installation of the AK7PRO range hood cost?",
         "Installation fee: the basic installation fee is at most 300 yuan .", False),
        ("how big and how heavy is the MK6 gas heater", "Weight: the product sheet says “裸机 8.5 kg” .", False),
        ("my order already shipped yesterday, can i still cancel it?",
         "Cancelling the order is only possible when the order is “pending payment” or “paid” or “processing” .",
         False),
        ("how much is installation for the F6.6-20CB kitchen heater? my pipes need to be a bit longer too",
         "Installation: the basic installation fee is 100 yuan .", False),
        # not answering, judged irrelevant before and after
        ("I booked installation for my range hood but need to cancel it. How much notice do you need?",
         "Installation: the product sheet says “止逆阀35元/个，拆除旧机50元/台” (35 yuan each; 50 yuan per unit) .",
         True),
        ("How much do I need to spend to become a gold member?", "Per 1 piece; 15 yuan .", True),
        ("How much is the F8033-JE6 80 litre heater?", "Specifications: rated power 3300 W| .", True),
        ("what size cabinet space do i need for the 18 place x6s max",
         "Specifications: promotion price 4599 yuan .", True),
        ("F8025JE4 install - my wall is concrete, how much per hole? and to take away my old heater?",
         "Notes: the product sheet says “勿擅自拆机以免失去免费保修” .", True),
        ("UD5 60升的机身高度多少", "基本要求：需单独16 A漏保插座，线径≥2.5 mm²，且线缆进墙预埋高度建议 1.8 m。", True),
        # not answering, judged relevant before: the product's price for the price of an installation or part
        ("how much is installation for the F6.6-20CB kitchen heater? my pipes need to be a bit longer too",
         "The price of this model is 386 yuan .", True),
        ("LN7 Ultra install: how much is extra flue pipe? i'm in shenzhen if that matters",
         "Price: gas water heater 2899 yuan .", True),
        # answering, relevant before and after
        ("How much is the F8033-JE6 80 litre heater?", "The price of this model is 979 yuan .", False),
        ("80升的UDmini什么价", "这款的价格是2199元。", False),
        ("80升的热水器整机保几年", "整机3年，内胆8年。", False),
        ("MK1S 14升多重？出故障E2怎么办？", "尺寸规格：产品净重11千克，适合安装在厨房等空间。", False),
    ],
)  # fmt: skip
def test_irrelevant_sentence_judge(question: str, sentence: str, expected: bool) -> None:
    assert irrelevant(question, sentence) is expected
