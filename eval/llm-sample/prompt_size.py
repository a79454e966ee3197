"""The prompt each golden case sends a model, and its size: characters, the drafting code's token estimate
and, with --llm-url of a llama.cpp server (llama-cpp-python's /extras/tokenize), the model's own token
count of the chat-formatted prompt. No completion is requested, so this is cheap and machine-independent:
prompt tokens are what the prefill (the first-text time on a CPU) is made of. ``reused`` is the prefix a
prompt shares with the case before (the tokens a llama.cpp server does not prefill again when the cases
run in this order), ``prefill`` the rest.

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


def server_tokens(url: str, text: str) -> list[int] | None:
    base = url.rstrip("/").removesuffix("/v1")
    req = urllib.request.Request(
        f"{base}/extras/tokenize",
        data=json.dumps({"input": text}).encode(),
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(req, timeout=30) as res:
            return list(json.loads(res.read())["tokens"])
    except OSError:
        return None


def common_prefix(a: list[int], b: list[int]) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


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
    before: list[int] = []
    with eval_container(load_settings(), opts, lambda *_: None) as container:
        pipeline = container.drafter
        for i, case in enumerate(golden.cases):
            prep = pipeline.prepare(_request(case))
            messages = prep.prompt.messages
            text = chatml(messages)
            system = messages[0]["content"]
            ids = server_tokens(args.llm_url, text) if args.llm_url else None
            system_ids = server_tokens(args.llm_url, chatml(messages[:1])) if args.llm_url else None
            # what a server that keeps the previous prompt's evaluated tokens prefills for this one
            reused = common_prefix(before, ids) if ids is not None else None
            row = {
                "id": case.id,
                "chars": len(text),
                "system_chars": len(system),
                "estimate": estimate_tokens(text),
                "facts": len(prep.model_sources or []),
                "tokens": len(ids) if ids is not None else None,
                "system_tokens": len(system_ids) if system_ids is not None else None,
                "reused": reused,
                "prefill": len(ids) - reused if ids is not None and reused is not None else None,
            }
            before = ids or []
            rows.append(row)
            print(json.dumps(row, ensure_ascii=False), flush=True)
            if i < args.show:
                print(text)
    if args.out:
        args.out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    for key in ("chars", "estimate", "tokens", "system_tokens", "reused", "prefill", "facts"):
        values = [r[key] for r in rows if r[key] is not None]
        if values:
            print(key, "median", statistics.median(values), "mean", round(statistics.mean(values), 1))


if __name__ == "__main__":
    main()
