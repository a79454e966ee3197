"""`replydraft eval --suite`: every set with dev and test splits, one gate (targets reported, regressions
fail), dev-test gaps flagged, required data that is missing fails under CI=true."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from service.cli import app
from tests.conftest import INDEX_KB

DATA = Path(__file__).parent / "data" / "eval"
COMPLIANCE = Path(__file__).parents[1] / "eval" / "compliance_set.yaml"
runner = CliRunner()


@pytest.fixture(autouse=True)
def offline_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("REPLYDRAFT_EMBEDDER", "fake")
    monkeypatch.setenv("REPLYDRAFT_DATA_DIR", str(tmp_path / "live"))
    monkeypatch.delenv("REPLYDRAFT_LLM_BASE_URL", raising=False)
    monkeypatch.delenv("CI", raising=False)


def _golden(path: Path, cases: list[dict[str, Any]]) -> Path:
    path.write_text(yaml.safe_dump({"version": 1, "cases": cases}, allow_unicode=True), encoding="utf-8")
    return path


def make_suite(tmp_path: Path, *, extra_store: dict[str, Any] | None = None) -> Path:
    """dev: cases the fixture store answers; test: the same questions asked so that one misses."""
    folder = tmp_path / "suite"
    folder.mkdir()
    shutil.copy(COMPLIANCE, folder / "labelled.dev.yaml")
    (folder / "labelled.test.yaml").write_text(
        yaml.safe_dump(
            {
                "items": [
                    {
                        "id": "t1",
                        "lang": "zh",
                        "text": "加我微信 abc12345 详聊",
                        "expected": {"verdict": "block", "categories": ["off_platform"]},
                        "technique": "plain",
                    },
                    {
                        "id": "t2",
                        "lang": "zh",
                        "text": "您好，订单已发货。",
                        "expected": {"verdict": "pass"},
                        "technique": "plain",
                    },
                ]
            },
            allow_unicode=True,
        ),
        encoding="utf-8",
    )
    refund = {"message": "退货后退款多久到账？", "expect": {"facts": [{"regex": r"24\s*小时"}]}}
    _golden(folder / "dev.yaml", [{"id": "d1", **refund}])
    _golden(
        folder / "test.yaml",
        [
            {"id": "t1", **refund},
            {"id": "t2", "message": "你们老板叫什么？", "expect": {"facts": ["明天上午十点前答复"]}},
        ],
    )
    stores: list[dict[str, Any]] = [
        {"name": "demo", "source": str(INDEX_KB), "golden": {"dev": "dev.yaml", "test": "test.yaml"}}
    ]
    if extra_store:
        stores.append(extra_store)
    manifest = {
        "version": 1,
        "stores": stores,
        "compliance": [{"name": "labelled", "dev": "labelled.dev.yaml", "test": "labelled.test.yaml"}],
        "gap": {"key_fact_coverage": 0.2},
    }
    path = folder / "suite.yaml"
    path.write_text(yaml.safe_dump(manifest, allow_unicode=True), encoding="utf-8")
    return path


def run(tmp_path: Path, manifest: Path, *extra: str, name: str = "out") -> tuple[int, str, dict[str, Any]]:
    out = tmp_path / name
    result = runner.invoke(app, ["eval", "--suite", str(manifest), "--report-dir", str(out), *extra])
    path = out / "report.json"
    return result.exit_code, result.output, json.loads(path.read_text("utf-8")) if path.exists() else {}


def rules(tmp_path: Path, data: dict[str, Any]) -> str:
    path = tmp_path / "thresholds.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return str(path)


def test_dev_and_test_are_reported_apart_and_a_gap_is_flagged(tmp_path: Path) -> None:
    code, output, report = run(tmp_path, make_suite(tmp_path))
    assert code == 0, output
    assert set(report["golden"]) == {"demo.dev", "demo.test"}
    assert report["golden"]["demo.dev"]["key_fact_coverage"] == 1.0
    assert report["golden"]["demo.test"]["key_fact_coverage"] == 0.5
    gap = next(g for g in report["gaps"] if g["metric"] == "key_fact_coverage")
    assert gap["flagged"] and gap["gap"] == 0.5
    assert set(report["compliance"]) == {"labelled.dev", "labelled.test"}
    assert report["compliance"]["labelled.test"]["block_recall"] == 1.0
    summary = (tmp_path / "out" / "summary.md").read_text("utf-8")
    assert "demo.test" in summary and "Dev-test gaps" in summary
    assert (tmp_path / "out" / "demo.test" / "report.html").is_file()


def test_a_target_is_reported_but_a_regression_fails(tmp_path: Path) -> None:
    manifest = make_suite(tmp_path)
    target_only = rules(tmp_path, {"golden": {"key_fact_coverage": {"target": 0.9}}})
    code, output, report = run(tmp_path, manifest, "--thresholds", target_only)
    assert code == 0, output
    below = {r["section"] for r in report["gate"]["below_target"]}
    assert below == {"golden:demo.test"}
    # The dev run as the baseline: the test split is then a regression of its own... compare test to a
    # baseline in which it was perfect.
    base = dict(report)
    base["golden"] = {
        **report["golden"],
        "demo.test": {**report["golden"]["demo.test"], "key_fact_coverage": 1.0},
    }
    baseline = tmp_path / "baseline.json"
    baseline.write_text(json.dumps(base), encoding="utf-8")
    guarded = rules(tmp_path, {"golden": {"key_fact_coverage": {"target": 0.9, "max_drop": 0.02}}})
    code, output, report = run(
        tmp_path, manifest, "--thresholds", guarded, "--baseline", str(baseline), name="o2"
    )
    assert code == 1
    failed = [r for r in report["gate"]["rules"] if not r["ok"]]
    assert [(r["section"], r["metric"]) for r in failed] == [("golden:demo.test", "key_fact_coverage")]
    assert "worse than the baseline" in failed[0]["why"]


def test_split_dev_runs_no_test_case(tmp_path: Path) -> None:
    code, output, report = run(tmp_path, make_suite(tmp_path), "--split", "dev")
    assert code == 0, output
    assert set(report["golden"]) == {"demo.dev"} and set(report["compliance"]) == {"labelled.dev"}


def test_missing_ci_data_is_skipped_locally_and_fails_in_ci(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    absent = {
        "name": "other",
        "source": str(tmp_path / "nowhere"),
        "required": "ci",
        "golden": {"dev": "dev.yaml"},
    }
    manifest = make_suite(tmp_path, extra_store=absent)
    code, output, report = run(tmp_path, manifest, "--split", "dev")
    assert code == 0, output
    assert report["skipped"] and "other" in report["skipped"][0]
    monkeypatch.setenv("CI", "true")
    code, output, _ = run(tmp_path, manifest, "--split", "dev", name="ci")
    assert code == 2 and "required when CI=true" in output


def test_bad_manifest_is_input_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("stores:\n  - name: Demo Store\n    source: x\n", encoding="utf-8")
    code, output, _ = run(tmp_path, bad)
    assert code == 2 and "name" in output
    code, output, _ = run(tmp_path, make_suite(tmp_path), "--split", "both")
    assert code == 2 and "--split" in output
