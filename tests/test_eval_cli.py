"""`replydraft eval` end to end: a fresh index of a knowledge folder, real pipeline, reports, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from service.cli import app
from service.evaluation.judge import parse_scores
from tests.ci import require_ecom_bench
from tests.conftest import INDEX_KB
from tests.fake_llm import FakeLLM, fake_llm  # noqa: F401

GOLDEN = Path(__file__).parent / "data" / "eval" / "golden_small.yaml"
runner = CliRunner()


@pytest.fixture(autouse=True)
def offline_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("REPLYDRAFT_EMBEDDER", "fake")
    monkeypatch.setenv("REPLYDRAFT_DATA_DIR", str(tmp_path / "live"))  # must stay untouched with --source
    monkeypatch.delenv("REPLYDRAFT_LLM_BASE_URL", raising=False)


def run_eval(tmp_path: Path, *extra: str, name: str = "reports") -> tuple[int, str, dict]:  # type: ignore[type-arg]
    out = tmp_path / name
    result = runner.invoke(
        app, ["eval", "--golden", str(GOLDEN), "--source", str(INDEX_KB), "--report-dir", str(out), *extra]
    )
    report = (
        json.loads((out / "report.json").read_text(encoding="utf-8"))
        if (out / "report.json").exists()
        else {}
    )
    return result.exit_code, result.output, report


def thresholds(tmp_path: Path, rules: dict) -> str:  # type: ignore[type-arg]
    path = tmp_path / "thresholds.yaml"
    path.write_text(yaml.safe_dump(rules), encoding="utf-8")
    return str(path)


def test_offline_run_writes_three_reports_and_scores_the_cases(tmp_path: Path) -> None:
    code, output, report = run_eval(tmp_path)
    assert code == 0, output
    folder = tmp_path / "reports"
    assert {p.name for p in folder.iterdir()} == {"report.json", "summary.md", "report.html"}
    m = report["metrics"]
    assert m["cases"] == 4 and m["errors"] == 0 and m["offline_drafts"] == 4 and m["llm_drafts"] == 0
    cases = {c["id"]: c for c in report["cases"]}
    assert cases["refund"]["facts"] == [{"fact": r"/24\s*小时/", "matched": True}]
    assert cases["refund"]["retrieval"]["hit"] is True
    assert cases["price"]["retrieval"]["rank"] == 1 and cases["price"]["coverage"] == 1.0
    assert cases["unknown"]["retrieval"] is None  # no expectation: not in retrieval metrics
    assert m["retrieval_cases"] == 3 and 0.0 <= m["key_fact_coverage"] <= 1.0
    assert m["language_match"] == 1.0 and m["citation_validity"] == 1.0
    prov = report["provenance"]
    assert prov["index_version"] and len(prov["source_digest"]) == 64 and prov["packages"]["chromadb"]
    assert not (tmp_path / "live").exists()  # the fresh index lived in a temporary folder
    page = (folder / "report.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page  # customer text escaped
    assert "<svg" in page and "http://" not in page.replace("http://www.w3.org", "")  # self-contained
    assert "| key-fact coverage |" in (folder / "summary.md").read_text(encoding="utf-8")


def test_run_is_reproducible_and_the_baseline_shows_no_change(tmp_path: Path) -> None:
    _, _, first = run_eval(tmp_path, name="one")
    code, output, second = run_eval(tmp_path, "--baseline", str(tmp_path / "one" / "report.json"), name="two")
    assert code == 0, output
    assert [c["draft"] for c in first["cases"]] == [c["draft"] for c in second["cases"]]
    regressed = [name for name, d in second["baseline"]["metrics"].items() if d["regressed"]]
    assert all(name.startswith("latency") for name in regressed), regressed  # only timing may vary
    assert second["baseline"]["cases"] == []


def test_missed_threshold_exits_1_and_is_reported(tmp_path: Path) -> None:
    rules = thresholds(tmp_path, {"metrics": {"key_fact_coverage": {"min": 1.01}, "hit_at_k": {"min": 0.5}}})
    code, output, report = run_eval(tmp_path, "--thresholds", rules)
    assert code == 1
    assert "threshold missed: key_fact_coverage" in output
    failed = [r["metric"] for r in report["gate"]["rules"] if not r["ok"]]
    assert failed == ["key_fact_coverage"] and report["gate"]["ok"] is False
    assert "FAIL" in (tmp_path / "reports" / "summary.md").read_text(encoding="utf-8")


def test_a_broken_retriever_fails_against_the_baseline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, _ = run_eval(tmp_path, name="good")
    assert code == 0
    rules = thresholds(
        tmp_path, {"metrics": {"hit_at_k": {"max_drop": 0.02}, "key_fact_coverage": {"max_drop": 0.02}}}
    )
    monkeypatch.setattr("service.index.manager.IndexManager.retrieve", lambda self, *a, **kw: [])
    # and no fact store either, so the drafter has only what retrieval gives it (the answer engine would
    # otherwise still answer product questions from its facts)
    monkeypatch.setattr("service.drafting.pipeline.DraftPipeline.engine", lambda self: None)
    code, output, report = run_eval(
        tmp_path, "--baseline", str(tmp_path / "good" / "report.json"), "--thresholds", rules, name="broken"
    )
    assert code == 1, output
    assert report["baseline"]["metrics"]["hit_at_k"]["regressed"] is True
    worse = [c["id"] for c in report["baseline"]["cases"] if c["regressed"]]
    assert worse
    summary = (tmp_path / "broken" / "summary.md").read_text(encoding="utf-8")
    assert f"`{worse[0]}` **(worse)**" in summary and "| retrieval hit@k |" in summary
    assert "worse: " + worse[0] in " ".join(output.split())
    page = (tmp_path / "broken" / "report.html").read_text(encoding="utf-8")
    assert 'class="worse"><td>' + worse[0] in page.replace("\n", "")


@pytest.mark.parametrize("bad", ["golden", "thresholds", "baseline", "source"])
def test_bad_input_exits_2_with_a_message(tmp_path: Path, bad: str) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("metrics: [", encoding="utf-8")
    args = {
        "golden": ["--golden", str(broken)],
        "thresholds": ["--golden", str(GOLDEN), "--thresholds", str(broken)],
        "baseline": ["--golden", str(GOLDEN), "--baseline", str(broken)],
        "source": ["--golden", str(GOLDEN), "--source", str(tmp_path / "missing")],
    }[bad]
    extra = [] if bad == "source" else ["--source", str(INDEX_KB)]
    result = runner.invoke(app, ["eval", *args, *extra, "--report-dir", str(tmp_path / "r")])
    assert result.exit_code == 2, result.output
    assert "error:" in result.output and not (tmp_path / "r").exists()


def test_with_a_model_counts_llm_drafts_tokens_and_fallbacks(tmp_path: Path, fake_llm: FakeLLM) -> None:  # noqa: F811
    fake_llm.default.text = "您好，KT-170T 售价159元[1]。"
    fake_llm.default.usage = {"prompt_tokens": 100, "completion_tokens": 10, "total_tokens": 110}
    fake_llm.error(400)  # one case falls back to the offline drafter
    code, output, report = run_eval(
        tmp_path, "--llm-url", fake_llm.base_url, "--llm-model", "fake-model", "--workers", "1"
    )
    assert code == 0, output
    m = report["metrics"]
    assert m["llm_drafts"] == 3 and m["fallback_drafts"] == 1 and m["tokens_total"] == 330
    assert report["config"]["llm_model"] == "fake-model"
    assert all((r.body or {}).get("temperature") == 0 for r in fake_llm.chat_requests)


def test_judge_scores_are_averaged_and_disagreement_reported(tmp_path: Path, fake_llm: FakeLLM) -> None:  # noqa: F811
    fake_llm.default.text = '{"empathy": 4, "accuracy": 5, "actionability": 3, "tone": 5}'
    # case 1: two runs that disagree; case 2: the first run is not a grade
    fake_llm.reply('好的，评分如下：{"empathy": 2, "accuracy": 5, "actionability": 3, "tone": 4}')
    fake_llm.reply('{"empathy": 4, "accuracy": 5, "actionability": 3, "tone": 5}')
    fake_llm.reply("I cannot grade this.")
    code, output, report = run_eval(
        tmp_path,
        *("--judge-url", fake_llm.base_url, "--judge-model", "judge", "--judge-runs", "2", "--workers", "1"),
    )
    assert code == 0, output
    judge = report["judge"]["metrics"]
    assert judge["judge_cases"] == 4 and judge["judge_failures"] == 1
    assert judge["judge_disagreement"] > 0 and judge["judge_disagreement_stdev"] > 0  # case 1 disagreed
    assert 1 <= judge["judge_overall"] <= 5
    assert report["cases"][0]["judge"]["spread"] == 0.75 and report["cases"][0]["judge"]["stdev"] == 0.375
    assert report["cases"][1]["judge"]["runs"] == 1
    judge_calls = [r for r in fake_llm.chat_requests if "reply" in r.prompt_text]
    assert len(judge_calls) == 8 and all(r.body and r.body["temperature"] == 0 for r in judge_calls)
    assert "empathy" in judge_calls[0].messages[0]["content"]  # the rubric file is the system prompt


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ('{"empathy": 4, "accuracy": 5, "actionability": 3, "tone": 5}', True),
        ('```json\n{"empathy": 4, "accuracy": 5, "actionability": 3, "tone": 5}\n```', True),
        ('{"empathy": 9, "accuracy": 5, "actionability": 3, "tone": 5}', False),
        ('Thinking {about it}. {"empathy": "4", "accuracy": 5, "actionability": 3, "tone": 5} ok', True),
        ('{"scores": 1} then {"empathy": 4, "accuracy": 5, "actionability": 3, "tone": 5}', True),
        ('{"empathy": true, "accuracy": 5, "actionability": 3, "tone": 5}', False),
        ('{"empathy": 4}', False),
        ("no json", False),
    ],
)
def test_judge_answers_are_parsed_strictly(text: str, ok: bool) -> None:
    assert (parse_scores(text) is not None) is ok


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--judge-url", "http://127.0.0.1:9/v1"], "--judge-url needs --judge-model"),
        (["--thresholds", "TYPO"], "unknown metric metrics.key_fact_coverag"),
        (["--compliance-set", "MISSING"], "invalid labelled compliance set"),
    ],
)
def test_bad_options_exit_2_before_any_drafting(tmp_path: Path, extra: list[str], message: str) -> None:
    typo = thresholds(tmp_path, {"metrics": {"key_fact_coverag": {"min": 0.5}}})
    extra = [{"TYPO": typo, "MISSING": str(tmp_path / "nope.yaml")}.get(a, a) for a in extra]
    code, output, report = run_eval(tmp_path, *extra)
    assert code == 2 and message in " ".join(output.split()), output
    assert report == {}


def test_compliance_set_is_scored_per_category_and_gated(tmp_path: Path) -> None:
    shipped = Path(__file__).parents[1] / "eval" / "compliance_set.yaml"
    rules = thresholds(
        tmp_path, {"compliance": {"recall.off_platform": {"min": 1.01}, "block_recall": {"min": 0.5}}}
    )
    code, output, report = run_eval(tmp_path, "--compliance-set", str(shipped), "--thresholds", rules)
    assert code == 1, output
    comp = report["compliance_set"]
    assert comp["items"] > 100 and comp["per_category"]["off_platform"]["support"] > 0
    assert (
        report["compliance_metrics"]["recall.off_platform"] == comp["per_category"]["off_platform"]["recall"]
    )
    assert [r["metric"] for r in report["gate"]["rules"] if not r["ok"]] == ["recall.off_platform"]


def test_another_store_with_its_own_golden_file(tmp_path: Path) -> None:
    ECOM_BENCH = require_ecom_bench()
    golden = Path(__file__).parents[1] / "eval" / "examples" / "ecom-bench.yaml"
    result = runner.invoke(
        app, ["eval", "--golden", str(golden), "--source", str(ECOM_BENCH), "--report-dir", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert report["metrics"]["cases"] == 5 and report["metrics"]["errors"] == 0
    assert any(s["product_id"] == "100112573665" for s in report["cases"][0]["retrieved"])
