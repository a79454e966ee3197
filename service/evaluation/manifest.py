"""The eval suite's manifest (``eval/suite.yaml``): every quality set, split into dev and test.

A ``dev`` split is what engineers read and tune on; a ``test`` split is written once, from the sources, by
someone who did not look at drafter output, and is never tuned on. Reports show both, so a number measured
on fitted data can no longer pass for the product's quality. Paths are relative to the manifest's folder.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from service.evaluation.golden import EvalInputError

Split = Literal["dev", "test"]
Required = Literal["always", "ci", "never"]
SPLITS: tuple[Split, ...] = ("dev", "test")
_NAME = r"^[a-z][a-z0-9_-]{0,40}$"


Files = list[Path]


def _as_list(value: object) -> object:
    return [value] if isinstance(value, (str, Path)) else value


class SplitFiles(BaseModel):
    """A split may be several files (a store's golden cases and its safety cases), read as one set."""

    model_config = ConfigDict(extra="forbid")
    dev: Files = Field(default_factory=list)
    test: Files = Field(default_factory=list)

    @field_validator("dev", "test", mode="before")
    @classmethod
    def _listify(cls, value: object) -> object:
        return _as_list(value)

    def items(self) -> list[tuple[Split, Files]]:
        pairs: list[tuple[Split, Files]] = [("dev", self.dev), ("test", self.test)]
        return [(s, p) for s, p in pairs if p]


class StoreSets(BaseModel):
    """One store: its knowledge folder, indexed once, and the golden and retrieval sets asked of it."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(pattern=_NAME)
    source: Path
    # "ci": data a user's clone may not have (a third-party export beside the repo) but CI has: skipped
    # when absent, except with CI=true, where a missing dependency fails instead of skipping quietly.
    # "never": opt-in data that must be fetched by hand (a public set rebuilt with a script).
    required: Required = "always"
    golden: SplitFiles = Field(default_factory=SplitFiles)
    retrieval: SplitFiles = Field(default_factory=SplitFiles)


class ComplianceSets(SplitFiles):
    name: str = Field(pattern=_NAME)
    required: Required = "always"


class Manifest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: int = 1
    description: str = ""
    stores: list[StoreSets] = Field(default_factory=list, max_length=20)
    compliance: list[ComplianceSets] = Field(default_factory=list, max_length=20)
    # Largest dev-minus-test difference per metric before the report flags the gap (the dev split is
    # fitted; a large gap means the dev number overstates the product).
    gap: dict[str, float] = Field(default_factory=dict)
    folder: Path = Path(".")

    @field_validator("stores", "compliance")
    @classmethod
    def _unique(cls, value: list[StoreSets] | list[ComplianceSets]) -> list[StoreSets] | list[ComplianceSets]:
        names = [s.name for s in value]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"duplicate set names: {', '.join(dupes)}")
        return value

    def path(self, relative: Path) -> Path:
        return relative if relative.is_absolute() else (self.folder / relative)


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def load_manifest(path: Path) -> Manifest:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise EvalInputError(f"{path}: cannot read the suite manifest ({exc.strerror})") from exc
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise EvalInputError(f"{path}: invalid suite manifest ({exc})") from exc
    if not isinstance(data, dict):
        raise EvalInputError(f"{path}: expected a mapping with 'stores' and 'compliance'")
    try:
        manifest = Manifest.model_validate({**data, "folder": path.parent})
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:10])
        raise EvalInputError(f"{path}: invalid suite manifest ({problems})") from exc
    return manifest


def _absent(kind: str, name: str, required: Required, absent: list[str]) -> tuple[str | None, str | None]:
    what = f"{name} ({kind}): {', '.join(absent)} not found"
    if required == "never" or (required == "ci" and not in_ci()):
        return None, what
    return what + (" (required when CI=true)" if required == "ci" else ""), None


def missing_inputs(manifest: Manifest) -> tuple[list[str], list[str]]:
    """(problems that are bad input, sets that are absent and will be skipped, saying so in the report)."""
    errors: list[str] = []
    skipped: list[str] = []
    checks: list[tuple[str, str, Required, list[Path]]] = [
        (
            "store",
            s.name,
            s.required,
            [manifest.path(s.source)]
            + [manifest.path(p) for _, files in s.golden.items() + s.retrieval.items() for p in files],
        )
        for s in manifest.stores
    ] + [
        ("compliance set", c.name, c.required, [manifest.path(p) for _, files in c.items() for p in files])
        for c in manifest.compliance
    ]
    for kind, name, required, paths in checks:
        absent = [str(p) for p in paths if not p.exists()]
        if absent:
            error, skip = _absent(kind, name, required, absent)
            errors += [error] if error else []
            skipped += [skip] if skip else []
    return errors, skipped
