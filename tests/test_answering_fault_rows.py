"""A fault table of symptom rows (no codes): a question describing one symptom gets that row, a question
about something else (a repeat repair, a replacement) gets none of them."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.answering.engine import AnswerEngine
from tests.kb import engine_over, write_kb

ROBOT = [
    {
        "商品ID": "R-1",
        "商品名称": "示例 扫地机器人 RX-5",
        "商品价格": 1299,
        "保修": "整机1年",
        "常见故障": [
            {
                "故障现象": "无法回充",
                "可能原因": "充电座周围有遮挡",
                "处理方法": "充电座两侧各留0.5米、前方留1.5米空间",
            },
            {"故障现象": "App连不上", "可能原因": "路由器为5GHz频段", "处理方法": "切换到2.4GHz Wi-Fi"},
        ],
    }
]
POLICY = "# 三包\n\n## 时限\n\n- 保修期内同一故障维修2次后仍不能正常使用：可以换同型号新品或退货。\n"


@pytest.fixture()
def engine(tmp_path: Path) -> AnswerEngine:
    root = write_kb(tmp_path / "kb", products={"robot.json": ROBOT}, policies={"warranty.md": POLICY})
    return engine_over(root)


def facts(engine: AnswerEngine, message: str, language: str = "zh") -> list[str]:
    return [f.text for f in engine.plan(message, language=language).facts]  # type: ignore[arg-type]


def test_a_described_symptom_gets_its_row(engine: AnswerEngine) -> None:
    assert any("回充" in t for t in facts(engine, "RX-5扫地机器人无法回充怎么办"))


def test_a_question_describing_no_symptom_of_the_table_gets_none_of_its_rows(engine: AnswerEngine) -> None:
    got = facts(engine, "RX-5扫地机器人修了两次又坏了，能换新吗")
    assert not any("回充" in t or "路由器" in t for t in got)
