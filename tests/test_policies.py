"""Policy documents and the Chinese-aware text helpers behind their chunking."""

from __future__ import annotations

import itertools

import pytest

from service.knowledge.policies import render, split_sections
from service.knowledge.text import fit, is_english, shorten, split_sentences

RETURNS = """# 退换货政策

适用于本店全部商品。

## 七天无理由退货

签收之日起7天内可申请。定制商品不适用！

### 例外情况

鲜活易腐食品不适用；已拆封的个人护理用品不适用。

## 退款时效

验收后24小时内退款。
"""


def test_sections_carry_their_heading_path_and_the_title_is_the_first_h1() -> None:
    title, sections = split_sections(RETURNS)
    assert title == "退换货政策"
    assert [(s.path, s.text) for s in sections] == [
        ((), "适用于本店全部商品。"),
        (("七天无理由退货",), "签收之日起7天内可申请。定制商品不适用！"),
        (("七天无理由退货", "例外情况"), "鲜活易腐食品不适用；已拆封的个人护理用品不适用。"),
        (("退款时效",), "验收后24小时内退款。"),
    ]


def test_headings_in_code_fences_are_text_and_markup_is_stripped() -> None:
    title, sections = split_sections("# **发票** 说明\n\n```\n# 不是标题\n```\n\n## `电子`发票\n\n当天开具。")
    assert title == "发票 说明"
    assert sections[0].path == () and "# 不是标题" in sections[0].text
    assert sections[1].path == ("电子发票",)


def test_chunks_start_with_policy_title_and_section() -> None:
    chunks = render(RETURNS, source_id="policies/returns.md", fallback_title="returns", chunk_chars=450)
    assert [c.text.split("\n")[0] for c in chunks] == [
        "【政策】退换货政策",
        "【政策】退换货政策 › 七天无理由退货",
        "【政策】退换货政策 › 七天无理由退货 › 例外情况",
        "【政策】退换货政策 › 退款时效",
    ]
    assert [c.section for c in chunks] == [None, "七天无理由退货", "七天无理由退货 › 例外情况", "退款时效"]
    assert [c.ordinal for c in chunks] == [0, 1, 2, 3]
    assert all(c.source_type == "policy" and c.source_id == "policies/returns.md" for c in chunks)


def test_document_without_h1_uses_the_fallback_title_and_english_gets_english_tags() -> None:
    text = "## Dispatch\n\nOrders ship within 48 hours. Pre-orders ship on the stated date.\n"
    chunks = render(text, source_id="shipping.md", fallback_title="shipping", chunk_chars=450)
    assert chunks[0].text.startswith("[Policy] shipping › Dispatch\n")
    assert chunks[0].title == "shipping › Dispatch"


def test_long_sections_split_at_sentence_ends_within_the_budget() -> None:
    sentences = [f"第{i}条规定适用于第{i}类商品的售后处理，请以页面说明为准。" for i in range(1, 40)]
    doc = "# 售后\n\n## 细则\n\n" + "".join(sentences)
    chunks = render(doc, source_id="a.md", fallback_title="a", chunk_chars=200)
    assert len(chunks) > 3
    for c in chunks:
        body = c.text.split("\n", 1)[1]
        assert len(body) <= 200
        assert body.endswith("。")  # the full stop stays with its sentence
        assert not body.startswith(("。", "，"))
    joined = "".join(c.text.split("\n", 1)[1] for c in chunks)
    assert all(s in joined for s in sentences)  # nothing lost


def test_consecutive_chunks_overlap_a_little() -> None:
    doc = "# 规则\n\n" + "\n".join(f"第{i}行：这是一条关于退货与换货的细则说明。" for i in range(60))
    chunks = render(doc, source_id="a.md", fallback_title="a", chunk_chars=300)
    bodies = [c.text.split("\n", 1)[1] for c in chunks]
    assert any(a.split("\n")[-1] == b.split("\n")[0] for a, b in itertools.pairwise(bodies))


def test_split_sentences_keeps_marks_and_closing_quotes_and_decimal_points() -> None:
    assert split_sentences("他说：“可以退。”然后挂了。容量1.5L，功率3.0kW！真的吗？是；好") == [
        "他说：“可以退。”",
        "然后挂了。",
        "容量1.5L，功率3.0kW！",
        "真的吗？",
        "是；",
        "好",
    ]
    assert split_sentences("Ships in 2.5 days. Returns are free! OK") == [
        "Ships in 2.5 days.",
        "Returns are free!",
        "OK",
    ]


@pytest.mark.parametrize("budget", [10, 37, 100])
def test_fit_bounds_every_piece_and_loses_no_text(budget: int) -> None:
    text = "没有标点的很长很长的一段文字" * 20 + "，然后有逗号，还有句号。" * 5
    pieces = fit(text, budget)
    assert all(0 < len(p) <= budget for p in pieces)
    assert "".join(pieces) == text


def test_shorten_prefers_a_sentence_end() -> None:
    text = "第一句话比较短。第二句话要长得多，长到超过限制为止，后面还有很多内容。"
    assert shorten(text, 14) == "第一句话比较短。…"
    assert shorten("短句。", 20) == "短句。"
    assert len(shorten("x" * 500, 200)) == 200


def test_language_guess() -> None:
    assert is_english("Returns within 7 days of delivery.")
    assert not is_english("7天无理由退货，Apple产品除外。")
    assert not is_english("")
