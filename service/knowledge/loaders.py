"""Reading one knowledge file: size and encoding checks, then YAML / JSON / CSV / Markdown parsing.

Every failure is a `LoadError` whose message says what is wrong in words an ops person can act on; the
ingester turns it into an issue (or a failed run in strict mode). Nothing here knows what a product is
beyond "a mapping"; classification happens in products.py.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

PRODUCT_DATA_EXT = frozenset({".yaml", ".yml", ".json"})
CSV_EXT = frozenset({".csv"})
MARKDOWN_EXT = frozenset({".md", ".markdown"})
TEXT_EXT = frozenset({".txt"})
SUPPORTED_EXT = PRODUCT_DATA_EXT | CSV_EXT | MARKDOWN_EXT | TEXT_EXT

# A YAML alias bomb or a pathological export must not hang a reindex: bound the expanded structure.
MAX_NODES = 2_000_000
MAX_DEPTH = 64

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)

try:  # the C loader is ~10x faster; fall back when libyaml is absent
    _YamlLoader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _YamlLoader = yaml.SafeLoader


class LoadError(Exception):
    """A file that cannot be used; the message is the reason shown to the operator."""


@dataclass
class DataFile:
    """A parsed YAML/JSON document (any structure)."""

    data: Any


@dataclass
class CsvFile:
    rows: list[dict[str, Any]]
    header: list[str]
    problems: list[str] = field(default_factory=list)  # row-level, e.g. "row 4: 2 cells more than the header"


@dataclass
class MarkdownFile:
    """Markdown or plain text, with its YAML front matter (if any) split off."""

    body: str
    front_matter: dict[str, Any] | None


def read_text(path: Path, max_file_bytes: int) -> str:
    size = path.stat().st_size
    if size > max_file_bytes:
        raise LoadError(f"file is {size:,} bytes, over the limit of {max_file_bytes:,} bytes")
    raw = path.read_bytes()
    if not raw.strip():
        raise LoadError("file is empty")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LoadError(
            f"not UTF-8 text (invalid byte 0x{raw[exc.start]:02x} at offset {exc.start}); save it as UTF-8"
        ) from None
    if "\x00" in text:
        raise LoadError("binary content (NUL bytes) in a text file")
    return text


def check_structure(data: Any) -> None:
    """Reject structures that are too deep or expand too far (YAML aliases) to walk safely."""
    stack: list[tuple[Any, int]] = [(data, 0)]
    nodes = 0
    while stack:
        node, depth = stack.pop()
        nodes += 1
        if nodes > MAX_NODES:
            raise LoadError(f"structure too large: more than {MAX_NODES:,} values (check YAML aliases)")
        if depth > MAX_DEPTH:
            raise LoadError(f"structure nested deeper than {MAX_DEPTH} levels")
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node)


def _yaml_error(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    return f"invalid YAML{where}: {problem}"


def parse_yaml(text: str) -> Any:
    try:
        docs = [d for d in yaml.load_all(text, Loader=_YamlLoader) if d is not None]
    except yaml.YAMLError as exc:
        raise LoadError(_yaml_error(exc)) from None
    except RecursionError:
        raise LoadError(f"structure nested deeper than {MAX_DEPTH} levels") from None
    return docs[0] if len(docs) == 1 else docs


def parse_json(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise LoadError(f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    except RecursionError:
        raise LoadError(f"structure nested deeper than {MAX_DEPTH} levels") from None


def _cell(value: str) -> Any:
    """A cell holding a JSON list/object becomes nested data; anything else stays text."""
    v = value.strip()
    if v[:1] in "[{" and v[-1:] in "]}":
        try:
            return json.loads(v)
        except json.JSONDecodeError:
            return v
    return v


def parse_csv(text: str) -> CsvFile:
    try:
        reader = csv.reader(io.StringIO(text, newline=""))
        header_row = next(reader, None)
        if header_row is None:
            raise LoadError("CSV has no header row")
        header = [h.strip() for h in header_row]
        if not any(header):
            raise LoadError("CSV header row is empty")
        rows: list[dict[str, Any]] = []
        problems: list[str] = []
        for row in reader:
            line = reader.line_num
            if not any(c.strip() for c in row):
                continue
            if len(row) > len(header):
                extra = row[len(header) :]
                if any(c.strip() for c in extra):
                    problems.append(f"row at line {line}: {len(extra)} cell(s) beyond the header ignored")
            record: dict[str, Any] = {}
            for key, value in zip(header, row, strict=False):
                if key and value.strip():
                    record[key] = _cell(value)
            rows.append(record)
    except csv.Error as exc:
        raise LoadError(f"invalid CSV: {exc}") from None
    return CsvFile(rows=rows, header=header, problems=problems)


def parse_markdown(text: str) -> MarkdownFile:
    m = _FRONT_MATTER.match(text)
    if not m:
        return MarkdownFile(body=text, front_matter=None)
    try:
        meta = yaml.load(m.group(1) or "", Loader=_YamlLoader)
    except yaml.YAMLError as exc:
        raise LoadError(f"front matter: {_yaml_error(exc)}") from None
    if meta is not None and not isinstance(meta, dict):
        raise LoadError("front matter is not a mapping of fields")
    front = {str(k): v for k, v in (meta or {}).items()}
    check_structure(front)
    return MarkdownFile(body=text[m.end() :], front_matter=front)


def load(path: Path, max_file_bytes: int) -> DataFile | CsvFile | MarkdownFile:
    """Read and parse one file by its extension; raise LoadError with the reason when it is unusable."""
    ext = path.suffix.lower()
    if ext not in SUPPORTED_EXT:
        kind = f"'{path.suffix}'" if path.suffix else "without an extension"
        raise LoadError(
            f"unsupported file type {kind} (expected .yaml, .yml, .json, .csv, .md, .markdown or .txt)"
        )
    try:
        text = read_text(path, max_file_bytes)
    except OSError as exc:
        raise LoadError(f"cannot read file: {exc.strerror or exc}") from None
    if ext in PRODUCT_DATA_EXT:
        data = parse_json(text) if ext == ".json" else parse_yaml(text)
        check_structure(data)
        return DataFile(data=data)
    if ext in CSV_EXT:
        return parse_csv(text)
    if ext in TEXT_EXT:
        return MarkdownFile(body=text, front_matter=None)
    return parse_markdown(text)
