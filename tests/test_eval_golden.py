"""Golden files and fact matching: what QA writes must load with clear errors and match fairly."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.evaluation.gate import Rule, case_deltas, check, deltas
from service.evaluation.golden import AnyOf, EvalInputError, Regex, load_golden
from service.evaluation.matching import matches, prepare

DATA = Path(__file__).parent / "data" / "eval"


def write(tmp_path: Path, text: str, name: str = "g.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_yaml_and_jsonl_load_with_defaults() -> None:
    golden = load_golden(DATA / "golden_small.yaml")
    assert [c.id for c in golden.cases] == ["price", "refund", "remote", "unknown"]
    assert golden.cases[0].expect.verdict == ["pass", "warn"]  # from defaults
    assert isinstance(golden.cases[0].expect.facts[0], AnyOf)
    jsonl = load_golden(DATA / "golden_small.jsonl")
    assert jsonl.cases[0].id == "jsonl-1" and isinstance(jsonl.cases[0].expect.facts[0], Regex)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("cases:\n  - {id: a, message: hi}\n  - {id: a, message: ho}\n", "duplicate case id 'a'"),
        ("cases:\n  - {id: a}\n", "case a: message"),
        ("cases:\n  - {id: a, message: hi, expect: {facts: [{regex: '('}]}}\n", "invalid regular expression"),
        ("cases:\n  - {id: a, message: '   '}\n", "must not be blank"),
        ("cases:\n  - {id: a, message: hi, colour: red}\n", "case a: colour"),
        ("cases: [\n", "invalid YAML"),
        ("just text\n", "expected a mapping with a 'cases' list"),
        ("cases:\n  - {id: a, message: hi, expect: {verdict: maybe}}\n", "case a: expect.verdict"),
    ],
)
def test_bad_golden_files_name_the_case_and_field(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(EvalInputError) as err:
        load_golden(write(tmp_path, text))
    assert expected in str(err.value) and "g.yaml" in str(err.value)


def test_bad_jsonl_line_is_named(tmp_path: Path) -> None:
    path = write(tmp_path, '{"id": "a", "message": "hi"}\n{oops\n', "g.jsonl")
    with pytest.raises(EvalInputError, match=r"g.jsonl:2: invalid JSON"):
        load_golden(path)


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(EvalInputError, match="cannot read golden file"):
        load_golden(tmp_path / "nope.yaml")


@pytest.mark.parametrize(
    ("draft", "item", "expected"),
    [
        ("退款会在 24 小时内原路退回[2]。", "24小时", True),  # spaces and markers ignored
        ("退款会在２４小时内原路退回。", "24小时", True),  # full-width digits
        ("售价 ¥159。", AnyOf(any=["159元", Regex(regex=r"(?<![\d.])159(?![\d.])")]), True),
        ("售价1590元。", AnyOf(any=["159元", Regex(regex=r"(?<![\d.])159(?![\d.])")]), False),
        ("最高 100℃", "100°C", True),  # NFKC folds ℃
        ("Refunds take 24 HOURS", Regex(regex=r"24\s*hours"), True),  # case-insensitive
        ("签收后七天内可以退货", AnyOf(any=["7天", "七天"]), True),
        ("签收后十天内可以退货", AnyOf(any=["7天", "七天"]), False),
        ("见[1]与[2]", Regex(regex=r"\d"), False),  # citation markers are not content
    ],
)
def test_fact_matching(draft: str, item: str | Regex | AnyOf, expected: bool) -> None:
    assert matches(prepare(draft), item) is expected


def test_thresholds_and_baseline_deltas() -> None:
    rules = {"key_fact_coverage": Rule(min=0.5, max_drop=0.02), "forbidden_rate": Rule(max=0.0)}
    rows = check(
        "metrics", {"key_fact_coverage": 0.6, "forbidden_rate": 0.0}, rules, {"key_fact_coverage": 0.65}
    )
    assert [r["ok"] for r in rows] == [False, True] and "worse than the baseline" in rows[0]["why"]
    rows = check("metrics", {"key_fact_coverage": 0.4}, rules, None)
    assert not rows[0]["ok"] and "below min" in rows[0]["why"]
    assert not rows[1]["ok"] and "missing" in rows[1]["why"]
    d = deltas(
        {"key_fact_coverage": 0.6, "latency_p95_ms": 90.0}, {"key_fact_coverage": 0.5, "latency_p95_ms": 80}
    )
    assert d["key_fact_coverage"]["regressed"] is False and d["latency_p95_ms"]["regressed"] is True
    changed = case_deltas(
        [{"id": "a", "passed": False, "coverage": 0.5}, {"id": "b", "passed": True, "coverage": 1.0}],
        [{"id": "a", "passed": True, "coverage": 1.0}, {"id": "b", "passed": False, "coverage": 0.5}],
    )
    assert [(c["id"], c["regressed"]) for c in changed] == [("a", True), ("b", False)]


def test_reply_language_is_judged_on_the_text_itself() -> None:
    from service.evaluation.runner import _written_in

    assert _written_in("Hello! Refunds arrive within 24 hours [1]. Anything else?", "en")
    quoting = "Hello! 仓库收到退货并验收后24小时内原路退款 [1]. Anything else?"
    assert not _written_in(quoting, "en")
    assert _written_in("亲，您好！退款会在24小时内原路退回[1]，KT-170T 支持。", "zh")
    assert not _written_in("Hello, your refund arrives within 24 hours.", "zh")


def test_defaults_fill_every_expect_field_and_cases_win(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "defaults:\n  verdict: pass\n  forbidden: ['亲']\ncases:\n"
        "  - {id: a, message: hi}\n"
        "  - {id: b, message: ho, expect: {forbidden: [{regex: '微信'}], verdict: [warn, block]}}\n",
    )
    a, b = load_golden(path).cases
    assert a.expect.forbidden == ["亲"] and a.expect.verdict == ["pass"]
    assert b.expect.forbidden == [Regex(regex="微信")] and b.expect.verdict == ["warn", "block"]


def test_a_typo_in_defaults_is_an_error_not_ignored(tmp_path: Path) -> None:
    path = write(tmp_path, "defaults:\n  forbiden: ['亲']\ncases:\n  - {id: a, message: hi}\n")
    with pytest.raises(EvalInputError, match=r"defaults\.forbiden"):
        load_golden(path)


def test_encodings(tmp_path: Path) -> None:
    latin = tmp_path / "g.yaml"
    latin.write_bytes("cases:\n  - {id: a, message: '多少钱'}\n".encode("gb18030"))
    with pytest.raises(EvalInputError, match="not UTF-8"):
        load_golden(latin)
    bom = tmp_path / "g.jsonl"
    bom.write_bytes('\ufeff{"id": "a", "message": "多少钱"}\n'.encode())
    assert load_golden(bom).cases[0].message == "多少钱"


@pytest.mark.parametrize(
    "path",
    ["eval/golden.yaml", "eval/examples/ecom-bench.yaml", "tests/data/eval/golden_small.yaml"],
)
def test_shipped_golden_files_load(path: str) -> None:
    golden = load_golden(Path(__file__).parents[1] / path)
    assert golden.cases and all(c.expect.verdict for c in golden.cases)
