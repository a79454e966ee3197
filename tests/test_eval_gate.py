"""Thresholds files: a gate QA writes must either mean something or be rejected (exit 2), never ignored."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.evaluation.gate import check, deltas, load_thresholds
from service.evaluation.golden import EvalInputError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "thresholds.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_sections_and_flat_metric_names(tmp_path: Path) -> None:
    t = load_thresholds(
        write(
            tmp_path,
            "key_fact_coverage: {min: 0.5}\n"  # flat: a golden-set metric
            "metrics:\n  hit_at_k: {min: 0.8, max_drop: 0.02}\n"
            "compliance:\n  block_recall: {min: 0.98}\n  recall.off_platform: {min: 0.9}\n",
        )
    )
    assert set(t.metrics) == {"key_fact_coverage", "hit_at_k"} and t.metrics["hit_at_k"].max_drop == 0.02
    assert set(t.compliance) == {"block_recall", "recall.off_platform"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("metrics:\n  key_fact_coverag: {min: 0.5}\n", "unknown metric metrics.key_fact_coverag"),
        ("compliance:\n  block_recal: {min: 0.5}\n", "unknown metric compliance.block_recal"),
        ("metrics:\n  hit_at_k: {}\n", "needs min, max, max_drop or target"),
        ("metrics:\n  hit_at_k: {min: 0.9, max: 0.5}\n", "min 0.9 is above max 0.5"),
        ("metrics:\n  hit_at_k: {minimum: 0.9}\n", "metrics.hit_at_k.minimum"),
        ("metrics:\n  hit_at_k: {max_drop: -1}\n", "max_drop"),
        ("hit_at_k: {min: 1}\nmetrics:\n  hit_at_k: {min: 0.5}\n", "both at the top level and under"),
        ("- hit_at_k\n", "expected a mapping"),
        ("metrics: [\n", "invalid thresholds file"),
    ],
)
def test_bad_thresholds_are_input_errors(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(EvalInputError) as err:
        load_thresholds(write(tmp_path, text))
    assert expected in str(err.value) and "thresholds.yaml" in str(err.value)


def test_lower_is_better_and_counts_are_neutral(tmp_path: Path) -> None:
    rules = load_thresholds(
        write(tmp_path, "metrics:\n  forbidden_rate: {max_drop: 0.01}\n  latency_p95_ms: {max: 100}\n")
    ).metrics
    rows = check("metrics", {"forbidden_rate": 0.05, "latency_p95_ms": 120.0}, rules, {"forbidden_rate": 0.0})
    assert [r["ok"] for r in rows] == [False, False]
    assert "worse than the baseline" in rows[0]["why"] and "above max 100" in rows[1]["why"]
    d = deltas({"cases": 10, "forbidden_rate": 0.0}, {"cases": 12, "forbidden_rate": 0.1})
    assert d["cases"]["regressed"] is False and d["cases"]["delta"] == -2  # a smaller set is not worse
    assert d["forbidden_rate"]["regressed"] is False
