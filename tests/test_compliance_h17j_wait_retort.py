"""Issue 13 (helper h17j): curt retorts, bare waits and an assured outcome.

- ``banned.zh.bare_dismissal`` gains a ``retort`` cue: an offhand imperative with 呗, a rhetorical 还…什么,
  干嘛, a reproach (您没看见吗), 想怎么样嘛, an impatient repeat, 有什么好问的,
  in a short reply with no follow-up. Polite questions (还有什么可以帮您的吗, 还需要什么尺码吗) and
  polite refusals (不能的哦) stay clean.
- ``banned.zh.bare_wait``: a short reply whose one request is 耐心等待, with no time, no action and no notice.
- ``banned.zh.just_wait`` also reads 等待退款就可以了 and a new message right after it (spaces between Chinese
  characters are gone once normalised).
- ``promise.zh.assured_outcome``: 放心 + 会…解决好/处理好 (the outcome, not the effort).
Sentences are written here, not taken from the eval batches."""

from __future__ import annotations

import pytest

from service.compliance.engine import ComplianceEngine


@pytest.fixture(scope="module")
def engine() -> ComplianceEngine:
    return ComplianceEngine.from_paths()


def _rules(engine: ComplianceEngine, text: str) -> set[str]:
    return {f.rule_id for f in engine.check(text, sources=[]).flags}


@pytest.mark.parametrize(
    "text",
    [
        "喜欢就下单呗。",
        "不会用就问百度呗。",
        "都快到了，还急什么。",
        "您自己不会看详情吗？",
        "问这么多干嘛。",
        "那你到底想怎么样嘛。",
        "好了好了，别说了。",
        "这有什么好犹豫的，拍就是了。",
    ],
)
def test_curt_retort_warns(engine: ComplianceEngine, text: str) -> None:
    assert {r for r in _rules(engine, text) if r.startswith("banned.")}, text


@pytest.mark.parametrize(
    "text",
    [
        "不能的哦",
        "不可以的亲，这款不支持定制。",
        "请问还有什么可以帮到您的吗？",
        "您还需要什么颜色吗？我帮您查库存。",
        "给小妹一个好评呗，谢谢亲。",
        "您还想看什么款式，我都可以推荐哦。",
        "好的，知道了，这边马上为您登记。",
    ],
)
def test_polite_reply_clean(engine: ComplianceEngine, text: str) -> None:
    assert not {r for r in _rules(engine, text) if r.startswith("banned.")}, text


@pytest.mark.parametrize("text", ["请您耐心等待哦", "亲 还请您耐心等待一下呢", "只能等待了"])
def test_bare_wait_warns(engine: ComplianceEngine, text: str) -> None:
    assert "banned.zh.bare_wait" in _rules(engine, text), text


@pytest.mark.parametrize(
    "text",
    [
        "请您稍等，我查一下",
        "感谢您的耐心等待",
        "预计明天送达，请您耐心等待",
        "已经为您提交申请了，请您耐心等待",
        "正在为您查询，请您耐心等待一下",
        "您耐心等待下退款",
        "请您耐心等待，审核通过后短信通知您",
        # a longer answer: only a short reply made of the wait alone counts
        "这款是预售商品，厂家按订单顺序生产，仓库收到货会按付款先后发出，还请您耐心等待哦，有变化会告诉您",
    ],
)
def test_wait_with_time_or_action_clean(engine: ComplianceEngine, text: str) -> None:
    assert "banned.zh.bare_wait" not in _rules(engine, text), text


def test_just_wait_reads_object_and_next_message(engine: ComplianceEngine) -> None:
    assert "banned.zh.just_wait" in _rules(engine, "您等待收货就可以了 您还可以关注物流")
    assert "banned.zh.just_wait" not in _rules(engine, "等一下就可以了吗")
    assert "banned.zh.just_wait" not in _rules(engine, "预计明天到，耐心等待就可以了。")


@pytest.mark.parametrize("text", ["您放心，会给您处理好的", "放心吧，我们能帮您解决好"])
def test_assured_outcome_warns(engine: ComplianceEngine, text: str) -> None:
    assert "promise.zh.assured_outcome" in _rules(engine, text), text


@pytest.mark.parametrize(
    "text", ["您放心，会尽快为您处理好的", "您的问题解决好了我就放心了", "放心，已经处理好了"]
)
def test_effort_or_done_clean(engine: ComplianceEngine, text: str) -> None:
    assert "promise.zh.assured_outcome" not in _rules(engine, text), text


def test_vague_answered_by_named_difference(engine: ComplianceEngine) -> None:
    # 差不多 followed, a clause or two later, by the one difference: an answer, not a dodge.
    assert "banned.zh.vague" not in _rules(engine, "这两款重量差不多，都很轻，主要是颜色不同。")
    assert "banned.zh.vague" in _rules(engine, "两个型号差不多，您随便挑。")


@pytest.mark.parametrize(
    "text", ["具体几点发货说不好的哦", "确实很抱歉暂时无法为您办理的呢", "也要您再等等的哦"]
)
def test_unknown_time_or_bare_cannot_warns(engine: ComplianceEngine, text: str) -> None:
    assert {"banned.zh.bare_dismissal", "banned.zh.bare_wait"} & _rules(engine, text), text


@pytest.mark.parametrize(
    "text",
    [
        "预计三天内有货，具体时间我们也无法确定",  # an estimate given
        "确实这么晚了无法联系到配送了",  # the reason given
        "具体以订单页面为准，这边确实无法查看的",  # where to look
        "不能的哦",
    ],
)
def test_unknown_or_cannot_with_answer_clean(engine: ComplianceEngine, text: str) -> None:
    assert "banned.zh.bare_dismissal" not in _rules(engine, text), text
