"""`replydraft check`: output, exit codes (0 pass/warn, 1 block, 2 bad input or configuration)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from service.cli import app

runner = CliRunner()


@pytest.fixture(autouse=True)
def _env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("REPLYDRAFT_SETTINGS_FILE", "REPLYDRAFT_COMPLIANCE_PACKS", "REPLYDRAFT_ALLOWED_DOMAINS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("REPLYDRAFT_DATA_DIR", str(tmp_path / "data"))


def test_block_prints_findings_and_exits_1() -> None:
    result = runner.invoke(app, ["check", "这是最好的热水器，加我微信"])
    assert result.exit_code == 1, result.output
    assert "verdict: block (ad_law, off_platform)" in result.output
    assert "最好" in result.output and "微信" in result.output


def test_pass_exits_0() -> None:
    result = runner.invoke(app, ["check", "非常抱歉，我马上为您登记补发。"])
    assert result.exit_code == 0, result.output
    assert "verdict: pass" in result.output


def test_warn_exits_0() -> None:
    result = runner.invoke(app, ["check", "这个操作很简单。"])
    assert result.exit_code == 0, result.output
    assert "verdict: warn" in result.output


def test_json_output_with_source_file_and_context(tmp_path: Path) -> None:
    source = tmp_path / "returns.md"
    source.write_text("签收后7天无理由退货。", encoding="utf-8")
    args = [
        "check",
        "支持七天无理由退货，实付268元。",
        "--source",
        str(source),
        "--context",
        "实付268元",
        "--json",
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"verdict": "pass", "findings": []}
    unsupported = runner.invoke(app, ["check", "支持15天无理由退货。", "-s", str(source), "--json"])
    assert unsupported.exit_code == 1
    body = json.loads(unsupported.output)
    assert body["verdict"] == "block"
    assert body["findings"][0]["matched"] == "15天"


def test_text_from_stdin() -> None:
    result = runner.invoke(app, ["check", "-", "--json"], input="加我微信\n")
    assert result.exit_code == 1
    assert json.loads(result.output)["findings"][0]["category"] == "off_platform"


def test_bad_input_exits_2(tmp_path: Path) -> None:
    assert runner.invoke(app, ["check", "   "]).exit_code == 2
    assert runner.invoke(app, ["check", "你好", "--source", str(tmp_path / "missing.md")]).exit_code == 2
    assert runner.invoke(app, ["check", "你好", "--language", "fr"]).exit_code == 2
    assert runner.invoke(app, ["check"]).exit_code == 2


def test_bad_custom_pack_exits_2_naming_file_and_rule(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pack = tmp_path / "store.yaml"
    pack.write_text(
        "pack: store\nrules:\n  - id: store.bad\n    category: ad_law\n    severity: block\n"
        "    language: zh\n    description: d\n    suggestion: s\n    matcher: {regex: '(unclosed'}\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("REPLYDRAFT_COMPLIANCE_PACKS", json.dumps([str(pack)]))
    result = runner.invoke(app, ["check", "你好"])
    assert result.exit_code == 2
    message = " ".join(result.output.split())
    assert "store.yaml" in message and "store.bad" in message


def test_custom_pack_rule_applies_and_list_rules_shows_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pack = tmp_path / "store.yaml"
    pack.write_text(
        "pack: store\nrules:\n  - id: store.competitor\n    category: banned_phrase\n    severity: block\n"
        "    language: zh\n    description: 不提竞品\n    suggestion: 删掉\n    matcher: {phrases: [某东]}\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("REPLYDRAFT_COMPLIANCE_PACKS", json.dumps([str(pack)]))
    result = runner.invoke(app, ["check", "某东更贵", "--json"])
    assert result.exit_code == 1
    assert json.loads(result.output)["findings"][0]["rule_id"] == "store.competitor"
    listed = runner.invoke(app, ["check", "--list-rules", "--json"])
    assert listed.exit_code == 0
    rules = {r["id"]: r for r in json.loads(listed.output)}
    assert rules["store.competitor"]["pack"] == str(pack)
    assert "banned.zh.dismissive" in rules  # built-in packs still load
    assert runner.invoke(app, ["check", "--list-rules"]).exit_code == 0
