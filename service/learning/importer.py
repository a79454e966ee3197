"""Reading a store's FAQ or macro library (YAML or CSV) into verified answers, all checked before any write.

YAML: a list of answers, or ``{answers: [...]}``; each answer has ``question`` and ``answer``, and may have
``language`` (zh | en | auto), ``intent``, ``product_ids`` and ``source_ids`` (lists).
CSV (UTF-8, header row): columns ``question`` and ``answer`` are required; ``language``, ``intent``,
``product_ids`` and ``source_ids`` are optional, ids separated by ``;``.
"""

from __future__ import annotations

import csv
import io
from typing import Any, Literal

import yaml
from pydantic import ValidationError

from service.learning.models import VerifiedInput

MAX_IMPORT_BYTES = 1_000_000
MAX_ITEMS = 5000
REQUIRED = ("question", "answer")
OPTIONAL = ("language", "intent", "product_ids", "source_ids")

Format = Literal["yaml", "csv"]


class ImportInputError(ValueError):
    """The file cannot be imported as a whole; the message names the item or row and the field."""


def format_of(name: str) -> Format:
    lower = name.lower()
    if lower.endswith((".yaml", ".yml")):
        return "yaml"
    if lower.endswith(".csv"):
        return "csv"
    raise ImportInputError(f"{name}: unknown format; use a .yaml, .yml or .csv file")


def parse(content: str | bytes, fmt: Format) -> list[VerifiedInput]:
    size = len(content.encode("utf-8") if isinstance(content, str) else content)
    if size > MAX_IMPORT_BYTES:
        raise ImportInputError(
            f"the file is {size} bytes; at most {MAX_IMPORT_BYTES} per import (split it into several)"
        )
    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ImportInputError(f"the file is not UTF-8 (byte {exc.start})") from None
    records = _yaml(content) if fmt == "yaml" else _csv(content)
    if not records:
        raise ImportInputError("the file holds no answers")
    if len(records) > MAX_ITEMS:
        raise ImportInputError(f"{len(records)} answers; at most {MAX_ITEMS} per import")
    items: list[VerifiedInput] = []
    for label, record in records:
        try:
            items.append(VerifiedInput.model_validate(record))
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'item'}: {e['msg']}" for e in exc.errors()
            )
            raise ImportInputError(f"{label}: {problems}") from None
    return items


def _yaml(content: str) -> list[tuple[str, Any]]:
    try:
        data = yaml.safe_load(content)
    except yaml.YAMLError as exc:
        raise ImportInputError(f"not valid YAML: {exc}") from None
    if isinstance(data, dict) and set(data) <= {"version", "answers"}:
        data = data.get("answers")
    if not isinstance(data, list):
        raise ImportInputError("YAML must be a list of answers, or a mapping with an `answers` list")
    return [(f"item {n}", record) for n, record in enumerate(data, start=1)]


def _csv(content: str) -> list[tuple[str, Any]]:
    reader = csv.DictReader(io.StringIO(content))
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ImportInputError(
            f"CSV is missing the column(s) {', '.join(missing)}; required: {', '.join(REQUIRED)}, "
            f"optional: {', '.join(OPTIONAL)}"
        )
    unknown = [h for h in header if h not in REQUIRED + OPTIONAL]
    if unknown:
        raise ImportInputError(f"CSV has unknown column(s): {', '.join(unknown)}")
    out: list[tuple[str, Any]] = []
    try:
        for row in reader:
            if None in row:
                raise ImportInputError(f"row {reader.line_num}: more cells than columns")
            record: dict[str, Any] = {}
            for key, value in row.items():
                key, value = key.strip(), (value or "").strip()
                if key in ("product_ids", "source_ids"):
                    record[key] = [v.strip() for v in value.split(";") if v.strip()]
                elif value:
                    record[key] = value
            out.append((f"row {reader.line_num}", record))
    except csv.Error as exc:
        raise ImportInputError(f"not valid CSV: {exc}") from None
    return out
