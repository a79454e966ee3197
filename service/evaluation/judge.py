"""Optional LLM judge: an OpenAI-compatible model scores each reply on the seeds' service norms.

Pinned model, temperature 0 (and a fixed seed), several runs averaged; the disagreement between runs is
reported (mean range and mean standard deviation), because a judge that disagrees with itself is not
evidence. The rubric is a prompt file (prompts/judge_rubric.md), so QA can change it without code.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from service.drafting.prompts import DEFAULT_DIR

CRITERIA = ("empathy", "accuracy", "actionability", "tone")
RUBRIC = DEFAULT_DIR / "judge_rubric.md"
METRICS = (
    "judge_cases",
    "judge_failures",
    "judge_overall",
    "judge_disagreement",
    "judge_disagreement_stdev",
    *(f"judge_{c}" for c in CRITERIA),
)
_DECODER = json.JSONDecoder()


def _score(value: Any) -> float | None:
    """A 1–5 grade; a number written as text ("4") counts, a boolean or anything out of range does not."""
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 1 <= value <= 5:
        return None
    return float(value)


def parse_scores(text: str) -> dict[str, float] | None:
    """The first JSON object in the answer that grades every criterion 1–5; None when there is none.

    Models wrap JSON in prose or code fences, or think aloud with braces first, so every ``{`` is tried as
    the start of an object rather than trusting the first one or a greedy regular expression.
    """
    text = text or ""
    start = text.find("{")
    while start != -1:
        try:
            data, _ = _DECODER.raw_decode(text, start)
        except json.JSONDecodeError:
            data = None
        if isinstance(data, dict):
            grades = {c: _score(data.get(c)) for c in CRITERIA}
            if all(v is not None for v in grades.values()):
                return {c: float(v) for c, v in grades.items() if v is not None}
        start = text.find("{", start + 1)
    return None


def _mean(values: list[float], digits: int = 3) -> float | None:
    return round(statistics.mean(values), digits) if values else None


def judge_results(
    results: list[dict[str, Any]],
    url: str,
    model: str,
    *,
    runs: int = 3,
    rubric: Path = RUBRIC,
    client: Any = None,
    workers: int = 1,
    seed: int = 0,
    on_done: Callable[[], None] = lambda: None,
) -> dict[str, Any]:
    """Scores every drafted case (adds ``case['judge']``) and returns the judge's headline metrics."""
    from openai import OpenAI

    system = rubric.read_text(encoding="utf-8")
    api = client or OpenAI(base_url=url, api_key="not-needed", timeout=120, max_retries=2)

    def grade(case: dict[str, Any]) -> tuple[list[dict[str, float]], int]:
        user = json.dumps({"customer_message": case["message"], "reply": case["draft"]}, ensure_ascii=False)
        got, failed = [], 0
        try:
            for _ in range(max(1, runs)):
                try:
                    answer = api.chat.completions.create(
                        model=model,
                        temperature=0,
                        seed=seed,
                        messages=[{"role": "system", "content": system}, {"role": "user", "content": user}],
                    )
                    scores = parse_scores(answer.choices[0].message.content or "")
                except Exception:
                    scores = None
                if scores is None:
                    failed += 1
                else:
                    got.append(scores)
        finally:
            on_done()
        return got, failed

    drafted = [c for c in results if "draft" in c]
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        graded = list(pool.map(grade, drafted))
    failures = 0
    per_case: list[dict[str, Any]] = []
    for case, (got, failed) in zip(drafted, graded, strict=True):
        failures += failed
        if not got:
            continue
        overall = [statistics.mean(s.values()) for s in got]
        case["judge"] = {
            "scores": {c: round(statistics.mean(s[c] for s in got), 2) for c in CRITERIA},
            "overall": round(statistics.mean(overall), 2),
            "spread": round(max(overall) - min(overall), 2),
            "stdev": round(statistics.pstdev(overall), 3),
            "runs": len(got),
        }
        per_case.append(case["judge"])
    summary: dict[str, Any] = {
        "judge_cases": len(per_case),
        "judge_failures": failures,
        "judge_overall": _mean([j["overall"] for j in per_case]),
        "judge_disagreement": _mean([j["spread"] for j in per_case]),
        "judge_disagreement_stdev": _mean([j["stdev"] for j in per_case]),
    }
    for c in CRITERIA:
        summary[f"judge_{c}"] = _mean([j["scores"][c] for j in per_case])
    return {"model": model, "runs": runs, "seed": seed, "rubric": str(rubric), "metrics": summary}
