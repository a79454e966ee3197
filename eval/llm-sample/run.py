"""Run a golden file case by case and keep each scored result as it finishes (JSON lines), so a slow
model on a shared CPU still leaves numbers for every case it drafted; then print the summary.

Same pipeline, scoring and metrics as `replydraft eval` (service.evaluation.runner / metrics), one case at
a time (a local model serves one request at once anyway):

    python eval/llm-sample/run.py eval/llm-sample/golden.ecom.yaml --source ../shared/data/ecom-bench \
        --llm-url http://127.0.0.1:8765/v1 --out /tmp/ecom-llm.jsonl
    python eval/llm-sample/run.py eval/llm-sample/golden.ecom.yaml --summary /tmp/ecom-llm.jsonl

A rerun with the same --out skips the cases already there.
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path

from service.evaluation import metrics, runner
from service.evaluation.golden import load_golden
from service.evaluation.suite import EvalOptions, eval_container
from service.settings import load_settings

HEADLINE = (
    "cases",
    "errors",
    "key_fact_coverage",
    "pass_rate",
    "wrong_product_facts",
    "wrong_product_unflagged",
    "repairs_total",
    "irrelevant_sentence_rate",
    "answered_parts_rate",
    "customer_text_marks",
    "language_match",
    "latency_p50_ms",
    "first_text_p50_ms",
    "llm_drafts",
    "fallback_drafts",
)


def summary(path: Path) -> dict[str, object]:
    results = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    s = metrics.summarise(results)
    out: dict[str, object] = {k: s.get(k) for k in HEADLINE}
    latencies = [r["latency_ms"] for r in results if "error" not in r]
    out["latency_median_ms"] = round(statistics.median(latencies), 1) if latencies else None
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("golden", type=Path)
    ap.add_argument("--source", type=Path)
    ap.add_argument("--llm-url")
    ap.add_argument("--llm-model", default="local")
    ap.add_argument("--out", type=Path)
    ap.add_argument("--summary", type=Path)
    args = ap.parse_args()
    if args.summary:
        print(json.dumps(summary(args.summary), ensure_ascii=False, indent=1))
        return
    golden = load_golden(args.golden)
    done = set()
    if args.out.exists():
        done = {json.loads(x)["id"] for x in args.out.read_text(encoding="utf-8").splitlines() if x.strip()}
    opts = EvalOptions(
        golden=args.golden,
        report_dir=args.out.parent,
        source=args.source,
        llm_url=args.llm_url,
        llm_model=args.llm_model if args.llm_url else None,
        workers=1,
    )
    with eval_container(load_settings(), opts, lambda *_: None) as container:
        for case in golden.cases:
            if case.id in done:
                continue
            result = runner.run_case(container.drafter, case, opts.k)
            with args.out.open("a", encoding="utf-8") as f:
                f.write(json.dumps(result, ensure_ascii=False, default=str) + "\n")
            print(
                case.id, result.get("provider"), result.get("coverage"), result.get("latency_ms"), flush=True
            )
    print(json.dumps(summary(args.out), ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
