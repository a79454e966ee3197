"""`python -m eval.diagnose`: which stage of the answer engine lost each missed key fact.

    PYTHONPATH=$PWD python -m eval.diagnose --suite eval/suite.yaml --split dev [--only demo|ecom]
        [--file golden.dev5] [--cases] [--json out.json]

Prints, per store and golden file, the key-fact coverage of the offline drafter and the misses counted by
stage (product, kind, not chosen, composition, and knowledge / golden gaps apart); ``--cases`` adds one
line per miss (the rank and score of the holding fact among its part's candidates when it was scored).
See service/evaluation/diagnose.py for how a miss is attributed.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from service.evaluation.diagnose import as_json, format_report, run
from service.settings import load_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.diagnose", description=__doc__.splitlines()[0])
    parser.add_argument("--suite", type=Path, default=Path("eval/suite.yaml"))
    parser.add_argument("--split", choices=("dev", "test"), default="dev")
    parser.add_argument("--only", action="append", default=[], help="store name (repeatable)")
    parser.add_argument("--file", action="append", default=[], help="golden files whose path contains this")
    parser.add_argument("--cases", action="store_true", help="one line per missed fact")
    parser.add_argument("--json", type=Path, default=None, help="write the misses as JSON here")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    report = run(
        load_settings(),
        args.suite,
        split=args.split,
        only=args.only,
        files=args.file,
        workers=args.workers,
        progress=lambda msg: print(msg, file=sys.stderr, flush=True),
    )
    print(format_report(report, cases=args.cases))
    if args.json is not None:
        args.json.write_text(json.dumps(as_json(report), ensure_ascii=False, indent=1), "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
