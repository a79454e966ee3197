"""Missing dependencies the suite promises: a skip on a developer's machine, a failure in CI.

`make test` promises PostgreSQL, a Chroma server, Chromium and the shared ECom-Bench data; CI
(``CI=true``) must not pass by quietly skipping what it claims to cover.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NoReturn

import pytest

ECOM_BENCH = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "ecom-bench"


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def unavailable(reason: str) -> NoReturn:
    if in_ci():
        pytest.fail(f"{reason} (required when CI=true)", pytrace=False)
    pytest.skip(reason)


def require_ecom_bench() -> Path:
    if not (ECOM_BENCH / "products.json").is_file():
        unavailable(f"the ECom-Bench export is not at {ECOM_BENCH}")
    return ECOM_BENCH
