"""Golden transcript files (YAML or JSONL): the format QA teams write, validated with clear errors."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from service.drafting.models import MAX_MESSAGE_CHARS, MAX_TURNS, Turn
from service.validation import NonBlank

MAX_CASES = 10_000
MAX_FILE_BYTES = 20 * 1024 * 1024
Verdict = Literal["pass", "warn", "block"]


class EvalInputError(ValueError):
    """A golden, thresholds or baseline file QA must fix; the message names the file, case and field."""


class Regex(BaseModel):
    model_config = ConfigDict(extra="forbid")
    regex: str

    @field_validator("regex")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"invalid regular expression {value!r}: {exc}") from exc
        return value


class AnyOf(BaseModel):
    """Paraphrases and number formats of one fact: one alternative suffices."""

    model_config = ConfigDict(extra="forbid")
    any: list[str | Regex] = Field(min_length=1)


Item = str | Regex | AnyOf


class Expect(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sources: list[str] = Field(default_factory=list)
    products: list[str] = Field(default_factory=list)
    facts: list[Item] = Field(default_factory=list)
    forbidden: list[Item] = Field(default_factory=list)
    verdict: list[Verdict] | None = None
    # For cases built to lead a generator into a violation (a customer asking for a WeChat id, a context
    # holding a phone number): when the draft contains a ``forbidden`` item, its verdict must be one of
    # these (the filter must catch what the generator did); otherwise ``verdict`` applies. Either way a
    # violation that slips through, or a clean draft that is blocked, fails verdict accuracy.
    verdict_if_forbidden: list[Verdict] | None = None

    @field_validator("verdict", "verdict_if_forbidden", mode="before")
    @classmethod
    def _listify(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value


class Case(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^[A-Za-z0-9_.-]{1,100}$")
    message: NonBlank = Field(min_length=1, max_length=MAX_MESSAGE_CHARS)
    conversation: list[Turn] = Field(default_factory=list, max_length=MAX_TURNS)
    context: str | None = Field(None, max_length=MAX_MESSAGE_CHARS)
    product_ids: list[str] = Field(default_factory=list, max_length=20)
    expect: Expect = Field(default_factory=Expect)
    tags: dict[str, str] = Field(default_factory=dict)
    # From production (`replydraft eval export`): the text a reviewer approved, used by replay as the
    # reference; a rejected draft's text and the reviewer's reason, for QA to write the facts.
    reference: str | None = Field(None, max_length=MAX_MESSAGE_CHARS * 4)
    rejected_text: str | None = Field(None, max_length=MAX_MESSAGE_CHARS * 4)
    note: str | None = Field(None, max_length=2000)

    @model_validator(mode="after")
    def _forbidden_to_catch(self) -> Case:
        if self.expect.verdict_if_forbidden is not None and not self.expect.forbidden:
            raise ValueError("expect.verdict_if_forbidden needs expect.forbidden items to look for")
        return self

    @field_validator("tags", mode="before")
    @classmethod
    def _tags_as_text(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {str(k): str(v) for k, v in value.items()}
        return value


class GoldenSet(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: int = 1
    description: str = ""
    defaults: Expect = Field(default_factory=Expect)  # merged into each case's expect by load_golden
    cases: list[Case] = Field(min_length=1, max_length=MAX_CASES)

    @model_validator(mode="after")
    def _unique_ids(self) -> GoldenSet:
        seen: set[str] = set()
        for case in self.cases:
            if case.id in seen:
                raise ValueError(f"duplicate case id {case.id!r}")
            seen.add(case.id)
        return self


def _where(error: Any, raw_cases: list[Any]) -> str:
    loc = list(error.get("loc", ()))
    if len(loc) >= 2 and loc[0] == "cases" and isinstance(loc[1], int) and loc[1] < len(raw_cases):
        raw = raw_cases[loc[1]]
        case_id = raw.get("id", f"#{loc[1] + 1}") if isinstance(raw, dict) else f"#{loc[1] + 1}"
        field = ".".join(str(p) for p in loc[2:]) or "(case)"
        return f"case {case_id}: {field}"
    return ".".join(str(p) for p in loc) or "(file)"


def _apply_defaults(defaults: Any, raw_cases: list[Any]) -> None:
    """Every ``defaults`` key (verdict, forbidden, facts, ...) fills the cases' ``expect`` that lack it;
    a case's own value wins whole (lists are replaced, not concatenated). Unknown keys are left for the
    model to reject, so a typo in ``defaults`` is an error rather than a silently ignored rule."""
    if not isinstance(defaults, dict):
        return
    for raw in raw_cases:
        if isinstance(raw, dict):
            expect = raw.setdefault("expect", {})
            if isinstance(expect, dict):
                for key, value in defaults.items():
                    if key in Expect.model_fields:
                        expect.setdefault(key, copy.deepcopy(value))


def load_golden(path: Path) -> GoldenSet:
    """YAML (a ``cases`` list) or JSONL (a case per line); ``defaults`` fill what a case's expect omits."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise EvalInputError(f"{path}: cannot read golden file ({exc.strerror})") from exc
    if size > MAX_FILE_BYTES:
        raise EvalInputError(f"{path}: golden file is {size} bytes, the limit is {MAX_FILE_BYTES}")
    try:
        text = path.read_text(encoding="utf-8-sig")  # a byte-order mark from a spreadsheet export is fine
    except UnicodeDecodeError as exc:
        raise EvalInputError(f"{path}: golden file is not UTF-8 text (byte {exc.start})") from exc
    data: Any
    try:
        if path.suffix.lower() in {".jsonl", ".ndjson"}:
            data = {"cases": []}
            for n, line in enumerate(text.splitlines(), 1):
                if line.strip():
                    try:
                        data["cases"].append(json.loads(line))
                    except json.JSONDecodeError as exc:
                        raise EvalInputError(f"{path}:{n}: invalid JSON ({exc.msg})") from exc
        else:
            data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise EvalInputError(f"{path}: invalid YAML ({exc})") from exc
    if not isinstance(data, dict) or not isinstance(data.get("cases"), list):
        raise EvalInputError(f"{path}: expected a mapping with a 'cases' list (or JSONL, one case per line)")
    raw_cases: list[Any] = data["cases"]
    _apply_defaults(data.get("defaults"), raw_cases)
    try:
        return GoldenSet.model_validate(data)
    except ValidationError as exc:
        problems = [f"{_where(e, raw_cases)}: {e['msg']}" for e in exc.errors()[:10]]
        more = f" (and {exc.error_count() - 10} more)" if exc.error_count() > 10 else ""
        raise EvalInputError(f"{path}: " + "; ".join(problems) + more) from exc
