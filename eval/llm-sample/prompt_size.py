"""The prompt each golden case sends a model, and its size: characters, the drafting code's token estimate
and, with --llm-url of a llama.cpp server (llama-cpp-python's /extras/tokenize), the model's own token
count of the chat-formatted prompt. No completion is requested, so this is cheap and machine-independent:
prompt tokens are what the prefill (the first-text time on a CPU) is made of.

    python eval/llm-sample/prompt_size.py eval/llm-sample/golden.ecom.yaml \
        --source ../shared/data/ecom-bench [--llm-url http://127.0.0.1:8765/v1] [--show 2] \
        [--out /tmp/ecom-prompts.jsonl]
"""

from __future__ import annotations

import argparse
import json
import statistics
import urllib.request
from pathlib import Path
from typing import Any

from service.drafting.text import estimate_tokens
from service.evaluation.golden import load_golden
from service.evaluation.runner import _request
from service.evaluation.suite import EvalOptions, eval_container
from service.settings import load_settings


def chatml(messages: list[dict[str, Any]]) -> str:
    """The prompt as a Qwen2.5 chat template lays it out (what a llama.cpp server prefills)."""
    body = "".join(f"<|im_start|>{m['role']}\n{m['content']}<|im_end|>\n" for m in messages)
    return body + "<|im_start|>assistant\n"


def server_tokens(url: str, text: str) -> int | None:
    base = url.rstrip("/").removesuffix("/v1")
    req = urllib.request.Request(
        f"{base}/extras/tokenize",
        data=json.dumps({"input": text}).encode(),
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(req, timeout=30) as res:
            return len(json.loads(res.read())["tokens"])
    except OSError:
        return None


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("golden", type=Path)
    ap.add_argument("--source", type=Path)
    ap.add_argument("--llm-url")
    ap.add_argument("--show", type=int, default=0, help="print the first N prompts whole")
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    golden = load_golden(args.golden)
    opts = EvalOptions(golden=args.golden, report_dir=Path("/tmp"), source=args.source, workers=1)
    rows: list[dict[str, Any]] = []
    with eval_container(load_settings(), opts, lambda *_: None) as container:
        pipeline = container.drafter
        for i, case in enumerate(golden.cases):
            prep = pipeline.prepare(_request(case))
            messages = prep.prompt.messages
            text = chatml(messages)
            system = messages[0]["content"]
            row = {
                "id": case.id,
                "chars": len(text),
                "system_chars": len(system),
                "estimate": estimate_tokens(text),
                "facts": len(prep.model_sources or []),
                "tokens": server_tokens(args.llm_url, text) if args.llm_url else None,
                "system_tokens": server_tokens(args.llm_url, chatml(messages[:1])) if args.llm_url else None,
            }
            rows.append(row)
            print(json.dumps(row, ensure_ascii=False), flush=True)
            if i < args.show:
                print(text)
    if args.out:
        args.out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    for key in ("chars", "estimate", "tokens", "system_tokens", "facts"):
        values = [r[key] for r in rows if r[key] is not None]
        if values:
            print(key, "median", statistics.median(values), "mean", round(statistics.mean(values), 1))


if __name__ == "__main__":
    main()
