"""Knowledge source (a folder) -> products and chunks, following notes/kb-format.md.

Ingestion is tolerant by default: a file that cannot be used becomes an `IngestIssue` (file and reason)
and is skipped, so one bad export does not block a reindex; `strict=True` turns the first issue into an
error for operators who prefer a failed run to a partial one. Output order is fully determined by the
sorted relative paths and the order inside each file, so the same source always gives the same ids and
digest.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path, PurePosixPath
from typing import Any

from service.errors import ErrorCode, ReplydraftError
from service.knowledge import policies, products
from service.knowledge.loaders import CsvFile, DataFile, LoadError, MarkdownFile, load
from service.knowledge.models import Chunk, IngestIssue, IngestResult, ProductFacts, stable_id
from service.knowledge.text import clean_block, is_english

# Files a source may carry to document itself; never knowledge.
_META_STEMS = frozenset({"readme", "license", "licence", "copying", "notice"})
_META_EXT = frozenset({"", ".md", ".txt", ".markdown", ".rst"})
INDEX_FORMAT = "chunks+sheets-v2"
NO_RECORDS = "no product records found (a product needs a name field and an id or price field)"


def _is_meta_file(name: str) -> bool:
    stem, ext = os.path.splitext(name.lower())
    return stem in _META_STEMS and ext in _META_EXT


def iter_source_files(root: Path, skipped: list[tuple[str, str]] | None = None) -> Iterator[tuple[Path, str]]:
    """(path, relative posix path) of every candidate file, sorted; hidden entries and README/LICENSE
    files are skipped. Symlinked folders are never followed (one inside ``root`` is read where it lies),
    and a symlinked file is used only when its target lies inside ``root``: a link to a system file must
    not become retrievable text. Each link that points outside is added to ``skipped`` as (relative path,
    reason)."""
    base = root.resolve()
    found: list[tuple[str, Path]] = []
    for folder, dirs, files in os.walk(root, followlinks=False):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in sorted(dirs):
            path = Path(folder) / name
            if path.is_symlink() and not _inside(path, base) and skipped is not None:
                rel = path.relative_to(root).as_posix()
                skipped.append((rel, _link_reason(path, base, "folder")))
        for name in files:
            if name.startswith(".") or _is_meta_file(name):
                continue
            path = Path(folder) / name
            rel = path.relative_to(root).as_posix()
            if path.is_symlink() and not _inside(path, base):
                if skipped is not None:
                    skipped.append((rel, _link_reason(path, base, "file")))
                continue
            found.append((rel, path))
    for rel, path in sorted(found):
        yield path, rel


def _inside(path: Path, base: Path) -> bool:
    try:
        return path.resolve().is_relative_to(base)
    except (OSError, RuntimeError):  # a dangling link or a loop
        return False


def _link_reason(path: Path, base: Path, kind: str) -> str:
    try:
        target = str(path.resolve())
    except (OSError, RuntimeError):
        target = "an unreadable target"
    if kind == "folder":
        return f"symlinked folder resolves outside the source folder ({target}): not followed"
    return f"symlink resolves outside the source folder ({target}): skipped"


class _Collector:
    """Gathers products, chunks and issues for one run; raises on the first issue in strict mode."""

    def __init__(self, strict: bool) -> None:
        self.strict = strict
        self.issues: list[IngestIssue] = []
        self.chunks: list[Chunk] = []
        self.products: list[ProductFacts] = []
        self.product_sources: dict[str, str] = {}
        self.documents = 0

    def issue(self, path: str, reason: str) -> None:
        if self.strict:
            raise ReplydraftError(ErrorCode.SOURCE_INVALID, f"{path}: {reason}", path=path, reason=reason)
        self.issues.append(IngestIssue(path=path, reason=reason))

    def add_chunks(self, chunks: list[Chunk]) -> int:
        """Give chunks their ids (dropping exact repeats within one source) and ordinals."""
        seen: set[str] = set()
        kept = 0
        for chunk in chunks:
            cid = stable_id(chunk.source_id, chunk.text)
            if cid in seen:
                continue
            seen.add(cid)
            self.chunks.append(replace(chunk, id=cid, ordinal=kept))
            kept += 1
        return kept


def _folder_category(rel: str) -> str | None:
    parent = PurePosixPath(rel).parent
    return parent.name if parent.name else None


def _markdown_record(md: MarkdownFile) -> dict[str, Any]:
    """Front matter fields plus one field per body section (heading path = label)."""
    record: dict[str, Any] = dict(md.front_matter or {})
    english = is_english(" ".join(record))
    _, sections = policies.split_sections(md.body)
    for section in sections:
        label = policies.SECTION_SEP.join(section.path) or ("Description" if english else "描述")
        key, n = label, 2
        while key in record:
            key, n = f"{label} ({n})", n + 1
        record[key] = section.text
    return record


def _ingest_records(
    run: _Collector,
    rel: str,
    records: list[dict[Any, Any]],
    *,
    chunk_chars: int,
    max_field_chars: int,
) -> int:
    made = 0
    category = _folder_category(rel)
    for record in records:
        sheet = products.read_sheet(record, folder_category=category, max_field_chars=max_field_chars)
        source_id = f"{rel}#{sheet.product_id}"
        first = run.product_sources.get(sheet.product_id)
        if first is not None:
            run.issue(
                source_id, f"duplicate product id '{sheet.product_id}' (first in {first}); kept the first"
            )
            continue
        run.product_sources[sheet.product_id] = rel
        for note in sheet.truncated:
            run.issue(source_id, note)
        product_facts = products.facts(sheet, source_id)
        run.products.append(product_facts)
        made += run.add_chunks(products.render(sheet, source_id, chunk_chars, product_facts))
    return made


def _ingest_file(
    run: _Collector, path: Path, rel: str, *, chunk_chars: int, max_file_bytes: int, max_field_chars: int
) -> int:
    loaded = load(path, max_file_bytes)
    if isinstance(loaded, DataFile):
        records = list(products.find_product_records(loaded.data))
        if not records:
            raise LoadError(NO_RECORDS)
        return _ingest_records(run, rel, records, chunk_chars=chunk_chars, max_field_chars=max_field_chars)
    if isinstance(loaded, CsvFile):
        for problem in loaded.problems:
            run.issue(rel, problem)
        records = []
        for i, row in enumerate(loaded.rows, 1):
            if products.looks_like_product(row):
                records.append(row)
            else:
                run.issue(rel, f"data row {i}: not a product (needs a name and an id or price)")
        if not records:
            raise LoadError(NO_RECORDS)
        return _ingest_records(run, rel, records, chunk_chars=chunk_chars, max_field_chars=max_field_chars)
    front = loaded.front_matter or {}
    if front and products.looks_like_product(front):
        record = _markdown_record(loaded)
        return _ingest_records(run, rel, [record], chunk_chars=chunk_chars, max_field_chars=max_field_chars)
    body = loaded.body
    if not clean_block(body):
        raise LoadError("no text")
    fallback = str(front.get("title") or "").strip() or PurePosixPath(rel).stem
    chunks = policies.render(body, source_id=rel, fallback_title=fallback, chunk_chars=chunk_chars)
    if not chunks:
        raise LoadError("no text")
    return run.add_chunks(chunks)


def ingest_source(
    root: Path,
    *,
    chunk_chars: int = 450,
    max_file_bytes: int = 5_000_000,
    max_field_chars: int = 20_000,
    strict: bool = False,
) -> IngestResult:
    """Read every product sheet and policy under `root` into chunks (ids stable across runs).

    Raises SOURCE_INVALID when root is not a folder, when nothing usable is found, or (strict) on the
    first unusable file or record.
    """
    root = Path(root)
    if not root.exists():
        raise ReplydraftError(ErrorCode.SOURCE_INVALID, f"knowledge source not found: {root}", path=str(root))
    if not root.is_dir():
        raise ReplydraftError(
            ErrorCode.SOURCE_INVALID, f"knowledge source is not a folder: {root}", path=str(root)
        )
    run = _Collector(strict)
    skipped: list[tuple[str, str]] = []
    files = list(iter_source_files(root, skipped))
    for rel, reason in skipped:
        run.issue(rel, reason)
    for path, rel in files:
        try:
            rel.encode("utf-8")
        except UnicodeEncodeError:
            run.issue(rel.encode("utf-8", "backslashreplace").decode("utf-8"), "file name is not valid UTF-8")
            continue
        if not path.is_file():
            run.issue(rel, "not a regular file")
            continue
        try:
            made = _ingest_file(
                run,
                path,
                rel,
                chunk_chars=chunk_chars,
                max_file_bytes=max_file_bytes,
                max_field_chars=max_field_chars,
            )
        except LoadError as exc:
            run.issue(rel, str(exc))
            continue
        if made:
            run.documents += 1
    if not run.chunks:
        raise ReplydraftError(
            ErrorCode.SOURCE_INVALID,
            f"empty source: no product sheets or policies found in {root}",
            path=str(root),
            issues=[{"path": i.path, "reason": i.reason} for i in run.issues[:20]],
        )
    # The format tag makes an index built before a change to what chunks carry (the product sheet in
    # facts_json, read by the answer engine) count as changed, so a plain reindex upgrades it.
    digest = hashlib.sha256(
        "\n".join([INDEX_FORMAT, *(c.id for c in run.chunks)]).encode("ascii")
    ).hexdigest()
    return IngestResult(
        chunks=run.chunks,
        products=run.products,
        documents=run.documents,
        issues=run.issues,
        digest=digest,
    )
