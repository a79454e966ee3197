"""Issue 13, brush-offs in a short reply (helper h16j): a reply at most ``max_text`` characters long that
offers no answer beyond a dismissal and no follow-up anywhere warns (``banned.zh.bare_dismissal`` /
``banned.en.bare_dismissal``); the same words inside a longer answer, or next to any offer of help, a time or
a number, do not. Sentences are written here, not taken from the eval batches."""

from __future__ import annotations

import pytest

from service.compliance.engine import ComplianceEngine

RULES = {"banned.zh.bare_dismissal", "banned.en.bare_dismissal"}


@pytest.fixture(scope="module")
def engine() -> ComplianceEngine:
    return ComplianceEngine.from_paths()


def _rules(engine: ComplianceEngine, text: str) -> set[str]:
    return {f.rule_id for f in engine.check(text, sources=[]).flags} & RULES


@pytest.mark.parametrize(
    "text",
    [
        "退货地址这事谁也说不好。",  # nobody can say
        "赠品的事没啥可谈的。",  # nothing to discuss
        "发票晚了我们能有什么办法。",  # rhetorical
        "尺码表自己翻翻就知道了。",  # the answer left to the customer
        "您这是找错地方了。",  # sent elsewhere
        "急也没用，慢慢等。",  # wait it out
        "Nobody can tell when the restock comes.",
        "Returns? Try somewhere else.",
    ],
)
def test_short_dismissal_warns(engine: ComplianceEngine, text: str) -> None:
    assert _rules(engine, text), text


@pytest.mark.parametrize(
    "text",
    [
        "不能的哦",  # a plain answer to a yes/no question
        "我们只有自己店铺的信息，其他店铺的信息就没有了的哦",  # a limit with its reason, no sending away
        "谁也说不准几点到，我帮您联系配送员问一下。",  # help offered
        "具体时间说不准，预计明天下午送达。",  # an estimate
        "没什么好担心的，我已经帮您申请了补发。",  # help offered
        "别急，我这边马上帮您催一下快递。",
        "其他店的价格我们看不到，这款支持价保，降价了可以申请。",  # a limit, then a policy offered
        # inside a longer answer the same words are ordinary wording
        "这款是京东自营商品，下单后一般次日送达，偏远地区会慢一点，什么时候到谁也说不准的情况很少，您放心下单就好。",
        "Nobody can say for sure, but I'll check with the courier for you.",
    ],
)
def test_answer_or_help_passes(engine: ComplianceEngine, text: str) -> None:
    assert not _rules(engine, text), text
