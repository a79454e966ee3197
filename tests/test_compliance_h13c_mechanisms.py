"""Issue 13, pass h13c: mechanisms over classes, not spellings. Symbols and emoji between two single Latin
letters and CJK brackets between Chinese characters are separators; any dot-like character or bracketed dot
between domain labels is a disguised dot; a claim put first and denied right after (全网最低价我们不能保证)
is not made; 不存在 negates; a link named in a fraud warning is not offered; brush-offs by structure (the
store side + any verb + 不了/不到, the customer sent to any party, 爱X不X, "between you and X", the customer
told to put up with it or to settle it themselves). Sentences are written here, not taken from eval batches.
"""

from __future__ import annotations

import pytest

from service.compliance.engine import ComplianceEngine
from service.compliance.normalize import normalize


@pytest.fixture(scope="module")
def engine() -> ComplianceEngine:
    return ComplianceEngine.from_paths(allowed_domains=["jd.com"])


def _cats(engine: ComplianceEngine, text: str, lang: str = "zh") -> set[str]:
    return {f.category for f in engine.check(text, sources=[], language=lang).flags}


@pytest.mark.parametrize("sep", ["❤", "★", " ▪ ", "🌸🌸", " ✨ ", "·", "〔〕"])
@pytest.mark.parametrize(("left", "right"), [("v", "x"), ("q", "q"), ("w", "x")])
def test_symbols_between_single_letters_are_dropped(sep: str, left: str, right: str) -> None:
    norm = normalize(f"加我 {left}{sep}{right}：shop_kf")
    assert f"{left}{right}:" in norm.text
    start, end = norm.to_original(norm.text.index(left + right), norm.text.index(left + right) + 2)
    assert norm.original[start:end].startswith(left) and norm.original[start:end].endswith(right)


@pytest.mark.parametrize("text", ["型号 V-X8", "尺码 S/M", "I ❤ NY T恤", "A&B 两款", "看《最强大脑》同款"])
def test_words_codes_and_titles_keep_their_form(text: str) -> None:
    assert normalize(text).text == text.lower()


@pytest.mark.parametrize("sep", ["【】", "〔 〕", "「」", "❤❤❤❤❤❤❤❤"])
def test_any_run_of_separators_inside_a_contact_word(engine: ComplianceEngine, sep: str) -> None:
    assert "off_platform" in _cats(engine, f"加我微{sep}信 kf_2024 详聊。")


_DOTS = ["〔.〕", "。。", " · ", "丶", "‧", "・", " ⋅ ", "〈点〉", "［.］", "{dot}", "<.>"]


@pytest.mark.parametrize("dot", _DOTS)
@pytest.mark.parametrize("tld", ["com", "top"])
def test_any_dot_substitute_between_domain_labels(engine: ComplianceEngine, dot: str, tld: str) -> None:
    assert "off_platform" in _cats(engine, f"退款请打开 pay-back{dot}{tld} 填写银行卡。")


@pytest.mark.parametrize(
    "text",
    [
        "您可以登录 jd。com 查看订单。",
        "版本号是 v2 . 3 . 1。",
        "说明书 manual · pdf 在详情页下载。",
        "尺码 M·L 有货。",
    ],
)
def test_dots_that_are_no_foreign_domain(engine: ComplianceEngine, text: str) -> None:
    assert "off_platform" not in _cats(engine, text)


def test_a_claim_denied_right_after_it_is_not_made(engine: ComplianceEngine) -> None:
    assert "ad_law" not in _cats(engine, "全网最低价我们不敢保证，不过品质有保障。")
    assert "ad_law" not in _cats(engine, "行业第一这种说法我们不能说哦。")
    # Not a denial: a new clause that affirms, or a verb phrase that goes on (不会说谎).
    assert "ad_law" in _cats(engine, "全网最低价，我们保证。")
    assert "ad_law" in _cats(engine, "这款是全网最低价不会说谎的。")


def test_does_not_exist_negates_and_warnings_name_links(engine: ComplianceEngine) -> None:
    assert not _cats(engine, "本店不存在私下加QQ领红包的活动。")
    assert "off_platform" not in _cats(engine, "请不要点击任何让您去 pay-back dot top 退款的短信链接。")
    assert "off_platform" in _cats(engine, "不要错过 pay-back.top 的活动。")
    assert "off_platform" in _cats(engine, "不存在的，加我微信吧。")


@pytest.mark.parametrize("verb", ["开", "查", "修", "补", "改", "退"])
@pytest.mark.parametrize("party", ["物业", "开户行", "售后部门", "那家店"])
def test_store_cannot_and_customer_sent_to_any_party(engine: ComplianceEngine, verb: str, party: str) -> None:
    assert "banned_phrase" in _cats(engine, f"这个您直接去找{party}要，我们这边{verb}不了。")
    # The agent stays involved: clean.
    assert "banned_phrase" not in _cats(engine, f"我们这边{verb}不了，我已经帮您联系{party}，今天给您回复。")


@pytest.mark.parametrize("verb", ["买", "要", "信", "退", "等"])
def test_ai_x_bu_x_is_dismissal(engine: ComplianceEngine, verb: str) -> None:
    assert "banned_phrase" in _cats(engine, f"就这样了，您爱{verb}不{verb}。")


@pytest.mark.parametrize(
    "text",
    [
        "您跟房东之间的纠纷，请你们自行商量。",
        "颜色有点偏差，您就凑合着穿吧。",
        "您下单前应该先问清楚的，现在已经晚了。",
        "签收的时候是他们代收的，您去找门卫问吧。",
        "价格我说了也不算，您去投诉吧。",
    ],
)
def test_brushoffs_by_structure(engine: ComplianceEngine, text: str) -> None:
    assert "banned_phrase" in _cats(engine, text)


@pytest.mark.parametrize(
    "text",
    [
        "您和家人商量一下再决定也可以。",
        "我这边查不到物流，我这就去问快递，半小时内回复您。",
        "颜色有点偏差的话可以申请换货，运费我们承担。",
        "这个型号爱不释手的顾客很多。",
    ],
)
def test_near_misses_stay_clean(engine: ComplianceEngine, text: str) -> None:
    assert "banned_phrase" not in _cats(engine, text)


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("We're not responsible once it ships; you'll have to sort it out with them yourself.", True),
        ("You'll need to deal with the bank on your own.", True),
        ("You don't need to sort anything out yourself; we'll handle it.", False),
    ],
)
def test_english_told_to_handle_it_yourself(engine: ComplianceEngine, text: str, flagged: bool) -> None:
    assert ("banned_phrase" in _cats(engine, text, "en")) is flagged


@pytest.mark.parametrize("party", ["小区物业", "房东", "开户行", "那家维修店"])
def test_a_plain_send_off_to_any_party_warns(engine: ComplianceEngine, party: str) -> None:
    result = engine.check(f"您直接找{party}就行。", sources=[], language="zh")
    assert [f.severity for f in result.flags if f.category == "banned_phrase"] == ["warn"]
    # The store itself, or the agent following up in the same sentence: clean.
    assert not _cats(engine, "您直接找我就行。")
    assert not _cats(engine, f"您需要联系一下{party}吧，我这边也帮您查着。")
