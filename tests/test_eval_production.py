"""Eval cases from production: `replydraft eval export` and `replydraft eval replay` on a real store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from service.cli import app
from service.container import Container
from service.evaluation.golden import load_golden
from service.evaluation.production import key_facts, normalised_distance
from service.settings import Settings
from tests.conftest import INDEX_KB
from tests.test_review_support import REVIEWER, generated

runner = CliRunner()


@pytest.fixture
def store(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A data folder with a live index of the fixture store and a reviewed history."""
    data = tmp_path / "data"
    monkeypatch.setenv("REPLYDRAFT_DATA_DIR", str(data))
    monkeypatch.setenv("REPLYDRAFT_EMBEDDER", "fake")
    monkeypatch.delenv("REPLYDRAFT_LLM_BASE_URL", raising=False)
    container = Container(Settings(data_dir=data, embedder="fake", knowledge_dir=INDEX_KB))
    container.db.upgrade()
    container.index.reindex(INDEX_KB)
    s = container.reviews
    asked = "KT-170T 多少钱？保修多久？我电话13812345678"
    src = ["【商品】KT-170T 温控水壶\n保修: 整机保修1年"]
    a = s.create_draft(generated("KT-170T 整机保修2年[1]", customer=asked, source_texts=src))
    s.approve(a.id, version=1, text="KT-170T 整机保修1年，请放心[1]", principal=REVIEWER)
    dup = s.create_draft(
        generated("KT-170T 整机保修1年[1]", customer=asked.replace("？", "?"), source_texts=src)
    )
    s.approve(dup.id, version=1, principal=REVIEWER)  # the same question again: one case (the latest)
    b = s.create_draft(generated("退货请联系快递[1]", customer="退货后退款多久到账？"))
    s.reject(b.id, version=1, reason="答非所问，电话 13912345678", principal=REVIEWER)
    container.close()
    return data


def test_key_facts_are_numbers_with_units_prices_and_model_codes() -> None:
    assert key_facts("KT-170T 售价¥159，整机保修1 年，功率1800W，7天无理由") == [
        "¥159",
        "1年",
        "1800W",
        "7天",
        "KT-170T",
    ]
    assert normalised_distance("保修1年[1]", "保修1年") == 0.0


def test_export_masks_personal_data_dedupes_and_loads_as_golden(store: Path, tmp_path: Path) -> None:
    out = tmp_path / "exported.yaml"
    result = runner.invoke(app, ["eval", "export", "--since", "2000-01-01", "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text("utf-8")
    assert "13812345678" not in text and "13912345678" not in text
    data = yaml.safe_load(text)
    by_review = {c["tags"]["review"]: c for c in data["cases"]}
    assert len(data["cases"]) == 2  # the repeated question is one case (the latest review)
    approved = by_review["approved"]
    assert (
        approved["reference"] == "KT-170T 整机保修1年"
        and approved["tags"]["generator"] == "openai-compatible"
    )
    assert approved["expect"]["facts"] == ["1年", "KT-170T"] and "<" in approved["message"]
    rejected = by_review["rejected"]
    assert "facts" not in rejected["expect"] and "答非所问" in rejected["note"]
    assert len(load_golden(out).cases) == 2
    # `replydraft eval --golden` accepts the export as it is
    run = runner.invoke(
        app, ["eval", "--golden", str(out), "--source", str(INDEX_KB), "--report-dir", str(tmp_path / "r")]
    )
    assert run.exit_code in {0, 1}, run.output
    assert json.loads((tmp_path / "r" / "report.json").read_text("utf-8"))["metrics"]["cases"] == 2


def test_export_rejects_bad_options(store: Path) -> None:
    assert runner.invoke(app, ["eval", "export", "--since", "yesterday"]).exit_code == 2
    assert (
        runner.invoke(app, ["eval", "export", "--since", "2000-01-01", "--status", "pending"]).exit_code == 2
    )


def test_replay_compares_new_drafts_with_what_reviewers_approved(store: Path, tmp_path: Path) -> None:
    out = tmp_path / "replay.json"
    result = runner.invoke(app, ["eval", "replay", "--since", "2000-01-01", "--out", str(out)])
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text("utf-8"))
    assert report["cases"] == 2 and report["errors"] == 0
    first = next(r for r in report["rows"] if "2年" in r["old_draft"])
    assert first["old_distance"] == normalised_distance("KT-170T 整机保修2年", "KT-170T 整机保修1年，请放心")
    assert 0.0 <= report["new_median_distance"] <= 1.0
    assert report["fact_retention"] is not None
