"""Product sheets: find product records in any structure, read their roles, render them to chunks.

Field names are free (Chinese or English); a few *roles* (id, name, price, status, category, aliases) are
recognised by exact key match after folding case, spaces, underscores and hyphens. Everything else is a
descriptive field rendered under its own key. Every chunk starts with a header naming the product and its
id, so a passage about 安装费 read alone still says which product it belongs to.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from service.knowledge.models import Chunk, ProductFacts, stable_id
from service.knowledge.text import (
    clean_block,
    clean_inline,
    fit,
    has_cjk,
    pack,
    shorten,
    unify_dashes,
)

ROLE_KEYS: dict[str, frozenset[str]] = {
    "id": frozenset(
        {"id", "sku", "product_id", "productid", "item_id", "商品id", "商品编号", "货号", "编号", "sku编码"}
    ),
    "name": frozenset(
        {"name", "title", "product_name", "productname", "商品名称", "名称", "品名", "商品名", "产品名称"}
    ),
    "price": frozenset({"price", "sale_price", "价格", "商品价格", "售价", "单价", "现价"}),
    "status": frozenset({"status", "状态", "商品状态", "上架状态"}),
    "category": frozenset({"category", "类目", "分类", "品类", "类别", "商品类目"}),
    "aliases": frozenset({"model", "model_no", "型号", "aliases", "别名"}),
}


def _fold(key: str) -> str:
    return re.sub(r"[\s_\-]+", "", key).lower()


_ROLE_BY_KEY: dict[str, str] = {_fold(k): role for role, keys in ROLE_KEYS.items() for k in keys}

FACT_CHARS = 200  # value length in ProductFacts.facts (a prompt table, not the full text)
MAX_FACTS = 24
SHORT_FIELD_CHARS = 120  # a field whose one-line rendering fits this goes into the overview chunk
MIN_BODY_CHARS = 60

# Model codes customers type: letters+digits joined by hyphens (F6033-UD3(HE), KT-170T, JSQ30-M9 Pro), or a
# letter-led alphanumeric run of 4+ characters (AK7PRO). Number+unit tokens (3300W, 1.5L) are not codes.
_CODE = re.compile(
    r"(?<![A-Za-z0-9.])"
    r"(?P<core>[A-Za-z0-9][A-Za-z0-9.]*(?:-[A-Za-z0-9.]+)+|[A-Za-z][A-Za-z0-9.]*\d[A-Za-z0-9.]*)"
    r"(?P<paren>\([A-Za-z0-9]{1,6}\))?"
    r"(?P<variant>\s?(?:Pro|Max|Ultra|Plus|Mini|Lite|SE|Air)\b)?",
    re.IGNORECASE,
)
_ALIAS_SPLIT = re.compile(r"\s*[,，、;；|/]\s*")
_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")


def role_of(key: str) -> str | None:
    return _ROLE_BY_KEY.get(_fold(key))


def _is_scalar(v: Any) -> bool:
    return isinstance(v, str | int | float | bool | dt.date) and not (
        isinstance(v, float) and not math.isfinite(v)
    )


def _has_value(v: Any) -> bool:
    if v is None:
        return False
    if isinstance(v, str):
        return bool(v.strip())
    if isinstance(v, list | dict):
        return bool(v)
    return True


def looks_like_product(node: Mapping[Any, Any]) -> bool:
    """A mapping with a name-like key AND (an id-like key OR a price-like key), all holding scalars."""
    roles = {role_of(str(k)): v for k, v in node.items() if _is_scalar(v) and _has_value(v)}
    return "name" in roles and ("id" in roles or "price" in roles)


def find_product_records(data: Any) -> Iterator[dict[Any, Any]]:
    """Every product record in a parsed document, in document order; a record's own nested data (an
    'exchangeable products' list) stays with it rather than becoming products of its own."""
    stack: list[Any] = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if looks_like_product(node):
                yield node
                continue
            stack.extend(reversed(list(node.values())))
        elif isinstance(node, list):
            stack.extend(reversed(node))


# ---------------------------------------------------------------------------------------------- values


def scalar_text(v: Any, english: bool) -> str:
    if isinstance(v, bool):
        return ("yes" if v else "no") if english else ("是" if v else "否")
    if isinstance(v, float):
        if math.isfinite(v) and v == int(v) and abs(v) < 1e15:
            return str(int(v))
        return f"{v:.10g}"
    if isinstance(v, dt.datetime | dt.date):
        return v.isoformat()
    if v is None:
        return ""
    return clean_inline(str(v))


class _Style:
    """Separators for one sheet's language: Chinese sheets use full-width list punctuation."""

    def __init__(self, english: bool) -> None:
        self.english = english
        self.list_sep = ", " if english else "、"
        self.pair_sep = "; " if english else "；"
        self.inner_sep = ", " if english else "，"


def inline(v: Any, style: _Style, depth: int = 0, *, item: bool = False) -> str:
    """A value on one line: lists joined, mappings as 'label: value' pairs, nested ones in parentheses."""
    if isinstance(v, dict):
        sep = style.pair_sep if depth == 0 or item else style.inner_sep
        parts = [
            f"{clean_inline(str(k))}: {inline(x, style, depth + 1)}" for k, x in v.items() if _has_value(x)
        ]
        text = sep.join(parts)
        return f"({text})" if depth > 0 and len(parts) > 1 and not item else text
    if isinstance(v, list):
        items = [x for x in v if _has_value(x)]
        if all(_is_scalar(x) for x in items):
            return style.list_sep.join(scalar_text(x, style.english) for x in items)
        return " ".join(f"{i}) {inline(x, style, depth + 1, item=True)}" for i, x in enumerate(items, 1))
    return scalar_text(v, style.english)


def block(v: Any, style: _Style) -> str:
    """A value as readable lines: text keeps its paragraphs, list items are numbered, mappings give one
    'label: value' line per key."""
    if isinstance(v, str):
        return clean_block(v)
    if isinstance(v, list):
        items = [x for x in v if _has_value(x)]
        return "\n".join(f"{i}. {inline(x, style)}" for i, x in enumerate(items, 1))
    if isinstance(v, dict):
        return "\n".join(
            f"{clean_inline(str(k))}: {inline(x, style, 1)}" for k, x in v.items() if _has_value(x)
        )
    return scalar_text(v, style.english)


def parse_price(v: Any) -> float | None:
    """A number, or the first number in a string such as '¥1,299.00' or '199元'."""
    if isinstance(v, bool):
        return None
    if isinstance(v, int | float):
        return float(v) if math.isfinite(v) and v >= 0 else None
    if isinstance(v, str):
        m = _NUMBER.search(v)
        if m:
            return float(m.group(0).replace(",", ""))
    return None


def normalise_id(v: Any) -> str:
    if isinstance(v, float) and math.isfinite(v) and v == int(v):
        v = int(v)
    return clean_inline(str(v))


def model_codes(name: str) -> list[str]:
    """Model codes written in a product name, as customers would type them: 'F6033-UD3(HE)' gives
    'F6033-UD3(HE)' and 'F6033-UD3'; 'JSQ30-M9 Pro' gives 'JSQ30-M9 Pro', 'JSQ30-M9Pro' and 'JSQ30-M9'."""
    codes: list[str] = []
    for m in _CODE.finditer(unify_dashes(name)):
        core = m.group("core").rstrip(".")
        variant = (m.group("variant") or "").strip()
        paren = m.group("paren") or ""
        if not re.search(r"\d", core) or not re.search(r"[A-Za-z]", core):
            continue
        if "-" not in core and not (core[0].isalpha() and (len(core) >= 4 or variant)):
            continue
        forms = [f"{core}{paren} {variant}" if variant else f"{core}{paren}"]
        if variant:
            forms.append(f"{core}{paren}{variant}")
        if paren:
            forms.append(f"{core} {variant}" if variant else core)
        if variant and "-" in core:  # the bare series code; a bare short code (M9) would be too ambiguous
            forms.append(core)
        for code in forms:
            if code not in codes:
                codes.append(code)
    return codes


def _alias_values(v: Any) -> list[str]:
    items = v if isinstance(v, list) else [v]
    out: list[str] = []
    for item in items:
        if _is_scalar(item):
            out.extend(p for p in _ALIAS_SPLIT.split(scalar_text(item, True)) if p)
    return out


# ---------------------------------------------------------------------------------------------- sheets


@dataclass
class ProductSheet:
    """One product record with its roles read out; `fields` keeps every field in sheet order."""

    product_id: str
    name: str
    fields: list[tuple[str, Any]]
    roles: dict[str, str]  # role -> the key that carried it
    price: float | None = None
    status: str | None = None
    category: str | None = None
    aliases: tuple[str, ...] = ()
    english: bool = False
    id_derived: bool = False
    truncated: list[str] = field(default_factory=list)  # "field 'X' cut from N to M characters"


def _truncate(v: Any, limit: int, path: str, notes: list[str]) -> Any:
    if isinstance(v, str):
        if len(v) > limit:
            notes.append(f"field '{path}' cut from {len(v):,} to {limit:,} characters")
            return v[:limit]
        return v
    if isinstance(v, list):
        return [_truncate(x, limit, path, notes) for x in v]
    if isinstance(v, dict):
        return {str(k): _truncate(x, limit, f"{path}.{k}", notes) for k, x in v.items()}
    return v


def _keys_english(keys: list[str]) -> bool:
    cjk = sum(1 for k in keys if has_cjk(k))
    return len(keys) - cjk > cjk


def read_sheet(
    record: Mapping[Any, Any], *, folder_category: str | None, max_field_chars: int
) -> ProductSheet:
    """Roles and fields of one product record (which `looks_like_product`)."""
    truncated: list[str] = []
    fields: list[tuple[str, Any]] = []
    roles: dict[str, str] = {}
    for raw_key, raw_value in record.items():
        key = clean_inline(str(raw_key)) or "-"
        value = _truncate(raw_value, max_field_chars, key, truncated)
        fields.append((key, value))
        role = role_of(key)
        usable = role == "aliases" or _is_scalar(value) or (role == "category" and isinstance(value, list))
        if role and role not in roles and _has_value(value) and usable:
            roles[role] = key
    values = dict(fields)
    name = shorten(scalar_text(values[roles["name"]], False), 300)
    english = _keys_english([k for k, _ in fields]) and not has_cjk(name)
    id_derived = "id" not in roles
    product_id = (
        "p-" + stable_id("product-name", name)[:12] if id_derived else normalise_id(values[roles["id"]])
    )
    price = parse_price(values[roles["price"]]) if "price" in roles else None
    status = scalar_text(values[roles["status"]], english) if "status" in roles else None
    category = folder_category
    if "category" in roles:
        cat = values[roles["category"]]
        items = cat if isinstance(cat, list) else [cat]
        category = "/".join(scalar_text(x, english) for x in items if _is_scalar(x)) or folder_category
    aliases: list[str] = []
    if "aliases" in roles:
        aliases.extend(_alias_values(values[roles["aliases"]]))
    aliases.extend(model_codes(name))
    aliases = [a for a in dict.fromkeys(aliases) if a and a != product_id and a != name]
    return ProductSheet(
        product_id=product_id,
        name=name,
        fields=fields,
        roles=roles,
        price=price,
        status=status or None,
        category=category or None,
        aliases=tuple(aliases),
        english=english,
        id_derived=id_derived,
        truncated=truncated,
    )


def header(sheet: ProductSheet) -> str:
    if sheet.english:
        return f"[Product] {sheet.name} (ID: {sheet.product_id})"
    return f"【商品】{sheet.name}（商品ID: {sheet.product_id}）"


def _descriptive(sheet: ProductSheet) -> list[tuple[str, Any]]:
    role_keys = set(sheet.roles.values())
    return [(k, v) for k, v in sheet.fields if k not in role_keys and _has_value(v)]


def facts(sheet: ProductSheet, source_id: str) -> ProductFacts:
    style = _Style(sheet.english)
    table: dict[str, str] = {}
    for key, value in _descriptive(sheet)[:MAX_FACTS]:
        table[shorten(key, 40)] = shorten(inline(value, style), FACT_CHARS)
    return ProductFacts(
        product_id=sheet.product_id,
        name=sheet.name,
        source_id=source_id,
        price=sheet.price,
        status=sheet.status,
        category=sheet.category,
        aliases=sheet.aliases,
        facts=table,
        sheet=tuple((key, _jsonable(value)) for key, value in sheet.fields),
    )


def _jsonable(v: Any) -> Any:
    """A field value as JSON data: dates become ISO text, non-finite floats and other objects text."""
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_jsonable(x) for x in v]
    if v is None or isinstance(v, bool | int | str):
        return v
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    return scalar_text(v, True)


def _overview_lines(
    sheet: ProductSheet, style: _Style, chunk_chars: int
) -> tuple[list[str], list[tuple[str, str]]]:
    """Lines for the overview (roles and short flat fields) and the fields left for their own chunks
    (long text, tables: lists of mappings and nested mappings)."""
    values = dict(sheet.fields)
    lines: list[str] = []
    for role in ("price", "status", "category", "aliases"):
        key = sheet.roles.get(role)
        if key is not None:
            lines.append(f"{key}: {inline(values[key], style)}")
        elif role == "category" and sheet.category:
            lines.append(f"{'Category' if sheet.english else '类目'}: {sheet.category}")
    long_fields: list[tuple[str, str]] = []
    short = min(SHORT_FIELD_CHARS, chunk_chars // 3)
    for key, value in _descriptive(sheet):
        one_line = inline(value, style)
        flat = _is_scalar(value) or (isinstance(value, list) and all(_is_scalar(x) for x in value))
        if flat and len(one_line) + len(key) + 2 <= short:
            lines.append(f"{key}: {one_line}")
        else:
            long_fields.append((key, block(value, style)))
    return lines, long_fields


def render(
    sheet: ProductSheet, source_id: str, chunk_chars: int, product_facts: ProductFacts | None = None
) -> list[Chunk]:
    """Chunks of one product: an overview (carrying the facts) first, then each long field in pieces of at
    most `chunk_chars` characters after the header. Ids are set by the ingester."""
    style = _Style(sheet.english)
    head = header(sheet)
    overview_label = "Overview" if sheet.english else "概览"
    facts_json = (product_facts or facts(sheet, source_id)).to_json()
    lines, long_fields = _overview_lines(sheet, style, chunk_chars)
    if not lines:
        lines = [f"{'Name' if sheet.english else '名称'}: {sheet.name}"]
    bodies: list[tuple[str, str]] = [(overview_label, body) for body in pack(lines, chunk_chars, "\n")]
    for key, text in long_fields:
        label = shorten(key, 60)
        budget = max(chunk_chars - len(label) - 2, MIN_BODY_CHARS)
        sep = "\n" if "\n" in text else " "
        for piece in fit(text, budget):
            bodies.append((key, f"{label}:{sep}{piece}"))
    chunks: list[Chunk] = []
    for i, (section, body) in enumerate(bodies):
        chunks.append(
            Chunk(
                id="",
                text=f"{head}\n{body}",
                source_id=source_id,
                source_type="product",
                title=sheet.name,
                ordinal=i,
                product_id=sheet.product_id,
                product_name=sheet.name,
                category=sheet.category,
                price=sheet.price,
                status=sheet.status,
                section=section,
                facts_json=facts_json if i == 0 else None,
            )
        )
    return chunks
