"""Compliance speed in instructions per check: machine-independent, unlike the wall-clock median.

    python -m bench.compliance_instructions [--drafts 100]      # runs valgrind itself, prints M/check
    python -m bench.compliance_instructions --checks N          # the measured program (under callgrind)

The shared machine is too noisy for the 2 ms target to be judged by wall clock, so the filter's cost is
counted with ``valgrind --tool=callgrind``: the same program is run with N checks and with none (start-up,
pack compilation and the labelled set's loading are common to both), and the difference divided by N is
the cost of one check of one of ``bench.compliance_bench``'s 500-character drafts, with its sources and
context. Calibration (docs/performance.md): 18.1 M instructions was a median of about 1.8 ms.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.compliance_bench import DEFAULT_SET, make_drafts

_TOTALS = re.compile(r"^(?:summary|totals):\s+(\d+)", re.MULTILINE)


def run_checks(n: int, labelled_set: Path = DEFAULT_SET) -> None:
    """Build the engine as the benchmark does and check the first ``n`` benchmark drafts once each."""
    from service.compliance.engine import ComplianceEngine
    from service.compliance.scoring import load_labelled_set

    labelled = load_labelled_set(labelled_set)
    engine = ComplianceEngine.from_paths(allowed_domains=labelled.allowed_domains)
    drafts = make_drafts(labelled.items, 100)
    for d in drafts[:n]:
        engine.check(d["text"], sources=d["sources"], context=d["context"])


def instructions(n: int, out_dir: Path) -> int:
    """Instructions of the whole program with ``n`` checks, counted by callgrind."""
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (Debian: apt-get install valgrind)")
    out = out_dir / f"callgrind.{n}.out"
    cmd = [
        "valgrind",
        "--tool=callgrind",
        f"--callgrind-out-file={out}",
        sys.executable,
        "-m",
        "bench.compliance_instructions",
        "--checks",
        str(n),
    ]
    env = {**os.environ, "PYTHONHASHSEED": "0"}  # same set iteration order in both runs
    subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    m = _TOTALS.search(out.read_text(encoding="utf-8", errors="replace"))
    if m is None:
        raise RuntimeError(f"no totals in {out}")
    return int(m[1])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--checks", type=int, help="check this many drafts and exit (the measured program)")
    parser.add_argument("--drafts", type=int, default=100, help="drafts in the measured run (max 100)")
    parser.add_argument("--keep", type=Path, help="keep the callgrind files here (for callgrind_annotate)")
    args = parser.parse_args(argv)
    if args.checks is not None:
        run_checks(args.checks)
        return
    n = max(1, min(args.drafts, 100))
    with tempfile.TemporaryDirectory() as tmp:
        out_dir = args.keep or Path(tmp)
        out_dir.mkdir(parents=True, exist_ok=True)
        base = instructions(0, out_dir)
        total = instructions(n, out_dir)
    per_check = (total - base) / n
    print(f"callgrind: {total:,} instructions with {n} checks, {base:,} with none")
    print(f"instructions per check: {per_check / 1e6:.2f} M  (target <= 17 M; 18.1 M ~ 1.8 ms)")


if __name__ == "__main__":
    main()
