"""Optional LLM judge: an OpenAI-compatible model scores each reply on the seeds' service norms.

Pinned model, temperature 0, several runs averaged; the spread between runs is reported, because a judge
that disagrees with itself is not evidence.
"""

from __future__ import annotations

import json
import re
import statistics
from pathlib import Path
from typing import Any

from service.drafting.prompts import DEFAULT_DIR

CRITERIA = ("empathy", "accuracy", "actionability", "tone")
RUBRIC = DEFAULT_DIR / "judge_rubric.md"
_OBJECT = re.compile(r"\{.*\}", re.DOTALL)


def parse_scores(text: str) -> dict[str, float] | None:
    """The first JSON object with a 1–5 score for every criterion; None when the judge did not give one."""
    match = _OBJECT.search(text or "")
    if not match:
        return None
    try:
        data = json.loads(match.group(0))
    except json.JSONDecodeError:
        return None
    scores = {}
    for name in CRITERIA:
        value = data.get(name) if isinstance(data, dict) else None
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 1 <= value <= 5:
            return None
        scores[name] = float(value)
    return scores


def judge_results(
    results: list[dict[str, Any]],
    url: str,
    model: str,
    *,
    runs: int = 3,
    rubric: Path = RUBRIC,
    client: Any = None,
) -> dict[str, Any]:
    from openai import OpenAI

    system = rubric.read_text(encoding="utf-8")
    api = client or OpenAI(base_url=url, api_key="not-needed", timeout=120, max_retries=2)
    per_case: dict[str, Any] = {}
    failures = 0
    for case in results:
        if "draft" not in case:
            continue
        user = json.dumps({"customer_message": case["message"], "reply": case["draft"]}, ensure_ascii=False)
        got = []
        for _ in range(max(1, runs)):
            try:
                answer = api.chat.completions.create(
                    model=model,
                    temperature=0,
                    messages=[{"role": "system", "content": system}, {"role": "user", "content": user}],
                )
                scores = parse_scores(answer.choices[0].message.content or "")
            except Exception:
                scores = None
            if scores is None:
                failures += 1
            else:
                got.append(scores)
        if got:
            overall = [statistics.mean(s.values()) for s in got]
            per_case[case["id"]] = {
                "scores": {c: round(statistics.mean(s[c] for s in got), 2) for c in CRITERIA},
                "overall": round(statistics.mean(overall), 2),
                "spread": round(max(overall) - min(overall), 2),
                "runs": len(got),
            }
            case["judge"] = per_case[case["id"]]
    judged = list(per_case.values())
    summary: dict[str, Any] = {
        "judge_cases": len(judged),
        "judge_failures": failures,
        "judge_overall": round(statistics.mean(j["overall"] for j in judged), 3) if judged else None,
        "judge_disagreement": round(statistics.mean(j["spread"] for j in judged), 3) if judged else None,
    }
    for c in CRITERIA:
        summary[f"judge_{c}"] = round(statistics.mean(j["scores"][c] for j in judged), 3) if judged else None
    return {"model": model, "runs": runs, "metrics": summary}
