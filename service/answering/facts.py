"""The fact store: every answerable statement of the knowledge base as a typed, citable fact.

Built from the index version's own data (the product sheets carried in each product's first chunk and the
policy chunks), so it always belongs to exactly one index version. Product sheets become one fact per
field, per record of a nested list (a gift, a fee row, a fault code), per entry of a table (a size), and per
clause of a long text field; policy documents become one fact per sentence. Each fact has a kind
(service/answering/kinds.py), the path of its field, the text as written, the quantities it states
(number + unit, for claim checks) and a digest that changes whenever its source, field or text changes.

Policy sentences are embedded once per index version (at build time, stored beside the BM25 cache), so
choosing the policy sentence that answers a question costs one query embedding, not a pass over the text.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from service.answering.kinds import classify_fact, is_descriptive
from service.drafting.passages import sentences as chunk_sentences
from service.knowledge.models import Chunk, ProductFacts
from service.knowledge.products import model_codes, role_of, scalar_text
from service.knowledge.text import has_cjk

log = logging.getLogger("replydraft.answering")

FACT_CHARS = 300  # a clause longer than this is cut at a comma
SHORT_VALUE_CHARS = 60  # a value this short (and without sentence punctuation) is one fact as it stands
VECTORS_FILE = "policy_vectors.npy"
META_FILE = "policy_vectors.json"


@dataclass(frozen=True)
class Quantity:
    """A number with its unit as stated ("3年" -> 3.0, "年", "3年"); units are normalised (瓦 -> W)."""

    value: float
    unit: str
    text: str


@dataclass(frozen=True)
class Fact:
    product_id: str | None  # None for a policy fact
    source_id: str
    kind: str
    field: str  # path in the sheet ("维修说明/内胆") or "<policy file>#<section>"
    label: str  # human label of the field
    text: str  # the fact as written in the source
    quantities: tuple[Quantity, ...]
    digest: str  # sha256 of source_id, field and text
    chunk_id: str | None = None  # the policy chunk the sentence came from (product facts: None)
    pairs: tuple[tuple[str, str], ...] = ()  # a record's label-value pairs (a gift, a fault row)
    english: bool = False  # written in English


@dataclass(frozen=True)
class ProductRef:
    product_id: str
    name: str
    codes: tuple[str, ...]  # model codes and aliases
    source_id: str
    category: str | None = None
    status: str | None = None
    price: float | None = None
    sizes: tuple[Quantity, ...] = ()  # capacities, volumes, weights named in the product's name


def fact_digest(source_id: str, field: str, text: str) -> str:
    return hashlib.sha256("\x1f".join((source_id, field, text)).encode("utf-8")).hexdigest()


# ---------------------------------------------------------------------------------------------- quantities

_UNITS: dict[str, str] = {
    "个工作日": "workday", "工作日": "workday", "business days": "workday", "business day": "workday",
    "working days": "workday", "working day": "workday",
    "个自然日": "day", "自然日": "day", "天": "day", "日": "day", "days": "day", "day": "day",
    "个小时": "hour", "小时": "hour", "hours": "hour", "hour": "hour", "h": "hour",
    "分钟": "minute", "minutes": "minute", "minute": "minute", "mins": "minute", "min": "minute",
    "周": "week", "星期": "week", "weeks": "week", "week": "week",
    "个月": "month", "月": "month", "months": "month", "month": "month",
    "年": "year", "years": "year", "year": "year",
    "元/次": "yuan/time", "元/公里": "yuan/km", "元/米": "yuan/m", "元": "yuan", "块钱": "yuan", "块": "yuan",
    "yuan": "yuan", "rmb": "yuan", "cny": "yuan",
    "%": "%", "percent": "%", "折": "折",
    "千瓦": "kW", "kw": "kW", "瓦": "W", "w": "W",
    "升": "L", "l": "L", "litres": "L", "liters": "L", "litre": "L", "liter": "L", "毫升": "ml", "ml": "ml",
    "公斤": "kg", "千克": "kg", "kg": "kg", "克": "g", "g": "g", "斤": "jin",
    "厘米": "cm", "cm": "cm", "毫米": "mm", "mm": "mm", "公里": "km", "km": "km", "米": "m", "m": "m",
    "℃": "°C", "°c": "°C", "度": "°C",
    "套": "set", "次": "times", "times": "time", "件": "piece", "袋": "bag", "个": "piece", "人": "person",
    "岁": "age",
    "平方米": "m2", "平米": "m2", "㎡": "m2", "m²": "m2", "m2": "m2",
    "db": "dB", "分贝": "dB", "m³/min": "m3/min", "m3/min": "m3/min", "立方米/分钟": "m3/min",
    "立方/分钟": "m3/min", "mpa": "MPa", "兆帕": "MPa",
    "mah": "mAh", "v": "V", "伏": "V", "hz": "Hz", "寸": "inch", "英寸": "inch", "inch": "inch",
}  # fmt: skip
_UNIT_ALT = "|".join(re.escape(u) for u in sorted(_UNITS, key=len, reverse=True))
_QTY = re.compile(
    rf"(?P<cur>[¥￥$])?\s*(?<![A-Za-wyz0-9.])(?P<num>\d[\d,]*(?:\.\d+)?)(?![\d.])"
    # a Latin unit ends at a letter (60lb is no 60 l); a CJK one may touch a code (80升UDpro)
    # (an English compound joins them with a hyphen: a 60-litre tank)
    rf"(?:(?:\s*|-(?=[A-Za-z]))(?P<unit>{_UNIT_ALT})(?:(?<=[A-Za-z])(?![A-Za-z])|(?<![A-Za-z])))?",
    re.IGNORECASE,
)
_ZH_DIGITS = {"一": 1, "两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_ZH_QTY = re.compile(r"(?P<num>十[一二三四五六七八九]?|[一两二三四五六七八九]十?[一二三四五六七八九]?)\s*"
                     r"(?P<unit>个工作日|工作日|个自然日|自然日|天|个小时|小时|周|个月|年"
                     r"|升|公斤|千克)")  # fmt: skip


def _zh_number(text: str) -> int | None:
    if text == "十":
        return 10
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (_ZH_DIGITS.get(tens, 1) if tens else 1) * 10 + (_ZH_DIGITS.get(ones, 0) if ones else 0)
    return _ZH_DIGITS.get(text)


# a price written with a space as the thousands separator ("¥1 699", as some exports print it): one amount
_SPACED_PRICE = re.compile(r"(?<=[¥￥])(\s?\d{1,3})((?: \d{3})+)(?![\d.,])")


def join_thousands(text: str) -> str:
    """¥1 699 -> ¥1699: only after a currency sign (elsewhere "400 889" may begin a phone number)."""
    return _SPACED_PRICE.sub(lambda m: m.group(1) + m.group(2).replace(" ", ""), text)


def quantities(text: str) -> tuple[Quantity, ...]:
    """Numbers with their units ("3年", "150元", "¥1,299", "¥1 699", "七天", "3300W"); a bare number has
    unit ""."""
    out: list[Quantity] = []
    text = join_thousands(text)
    for m in _QTY.finditer(text):
        try:
            value = float(m.group("num").replace(",", ""))
        except ValueError:
            continue
        if not math.isfinite(value):
            continue
        unit_raw = (m.group("unit") or "").lower()
        unit = _UNITS.get(unit_raw, unit_raw)
        if m.group("cur") and not unit:
            unit = "yuan" if m.group("cur") in "¥￥" else "$"
        out.append(Quantity(value, unit, m.group(0).strip()))
    for m in _ZH_QTY.finditer(text):
        n = _zh_number(m.group("num"))
        if n is not None:
            out.append(Quantity(float(n), _UNITS[m.group("unit")], m.group(0)))
    return tuple(out)


# ---------------------------------------------------------------------------------------------- products

_CLAUSE_END = re.compile(r"(?<=[。！？!?；;\n])|(?<=\.)(?=\s)")
_LEAD_LABEL = re.compile(r"^\s*(?:【([^】]{1,12})】|([^：:，,。；;\d]{2,12})[：:])\s*(?=\S)")
_NUMBERING = re.compile(r"^\s*(?:\d{1,2}[.、)）](?!\d)|[（(]\d{1,2}[)）]|[-•*◎]|[\u2460-\u2473])\s*")


_HEADER = re.compile(r"^\s*【([^】]{1,12})】\s*")


_RULE_KINDS = frozenset({"return", "exchange", "refund"})  # a sheet's after-sales rule, stated case by case


def _clauses(text: str) -> list[tuple[str, str]]:
    """(label, clause) pieces of a long text: split at sentence and semicolon ends; a clause that starts
    with "标签：" gives its label to the numbered items after it ("额外收费项目：1.… ；2.…"), and a
    "【标签】" section header to every clause up to the next header ("【保修政策】整机8年；面板2年")."""
    out: list[tuple[str, str]] = []
    label = ""
    section = ""
    text = text.replace("\\n", "\n")  # an export's escaped line breaks are line breaks
    for raw in _CLAUSE_END.split(text):
        piece = raw.strip().rstrip("。；;!?！？").strip()
        if not piece:
            continue
        header = _HEADER.match(piece)
        if header:
            section = header.group(1).strip()
            piece = piece[header.end() :]
            label = ""
            if not piece:
                continue  # a header alone is no fact: it names the clauses after it
        numbered = bool(_NUMBERING.match(piece))
        m = _LEAD_LABEL.match(piece)
        if m:
            label = (m.group(1) or m.group(2)).strip()
            piece = piece[m.end() :]
        elif not numbered:
            label = ""
        piece = _NUMBERING.sub("", piece).strip()
        if len(piece) < 2:
            continue
        # the section names the kind (【安装费用】), the label the item list inside it (额外项目：①…)
        sub = f"{section}/{label}" if section and label and label != section else (label or section)
        while len(piece) > FACT_CHARS:
            cut = max(piece.rfind("，", 0, FACT_CHARS), piece.rfind(", ", 0, FACT_CHARS))
            cut = cut if cut > FACT_CHARS // 3 else FACT_CHARS
            out.append((sub, piece[:cut].strip()))
            piece = piece[cut + 1 :].strip()
        if piece:
            out.append((sub, piece))
    return out


def _scalar(v: Any) -> bool:
    return v is None or isinstance(v, str | int | float | bool)


def _flat(v: Any, english: bool) -> str:
    if isinstance(v, dict):
        sep = "; " if english else "；"
        return sep.join(f"{k}: {_flat(x, english)}" for k, x in v.items() if x not in (None, "", [], {}))
    if isinstance(v, list):
        sep = ", " if english else "、"
        return sep.join(_flat(x, english) for x in v if x not in (None, "", [], {}))
    return scalar_text(v, english) if v is not None else ""


class _SheetReader:
    def __init__(self, product: ProductFacts, english: bool) -> None:
        self.p = product
        self.english = english
        self.out: list[Fact] = []

    def add(
        self,
        path: str,
        label: str,
        text: str,
        pairs: tuple[tuple[str, str], ...] = (),
        kind: str | None = None,
    ) -> None:
        text = " ".join(text.split())
        if not text:
            return
        self.out.append(
            Fact(
                product_id=self.p.product_id,
                source_id=self.p.source_id,
                kind=kind or classify_fact(path, label, text),
                field=path,
                label=label,
                text=text,
                quantities=quantities(text),
                digest=fact_digest(self.p.source_id, path, text),
                pairs=pairs,
                english=self.english and not has_cjk(text),
            )
        )

    def value(self, path: str, label: str, v: Any) -> None:
        if v is None or v == "" or v == [] or v == {}:
            return
        if isinstance(v, str):
            text = v.replace("\\n", "\n").strip()
            if len(text) <= SHORT_VALUE_CHARS and not re.search(r"[。！？；;\n]|\.\s", text):
                self.add(path, label, text)
                return
            # a clause with no kind of its own in a field stating an after-sales rule ("拆封后非质量问题不退"
            # after "未拆封可7天无理由退货") is a case of that rule (an installation or spec note's other
            # clauses tell things of their own: "台面承重需不少于30公斤" is no installation fee)
            whole = None if is_descriptive(path) else classify_fact(path, label, text)
            whole = whole if whole in _RULE_KINDS else None
            for n, (sub, clause) in enumerate(_clauses(text), 1):
                sub_path = f"{path}/{sub}" if sub else f"{path}#{n}"
                sub_label = sub.split("/")[-1] if sub else label
                kind = classify_fact(sub_path, sub_label, clause)
                self.add(sub_path, sub_label, clause, kind=whole if kind == "other" and whole else kind)
            return
        if _scalar(v):
            self.add(path, label, scalar_text(v, self.english))
            return
        if isinstance(v, list):
            if all(_scalar(x) for x in v):
                self.add(path, label, _flat(v, self.english))
                return
            for i, item in enumerate(v, 1):
                self.record(f"{path}/{i}", label, item)
            return
        if isinstance(v, dict):
            for key, x in v.items():
                key = str(key)
                if isinstance(x, dict) and all(_scalar(y) for y in x.values()):
                    # a table row (a size "M" with its measures): one fact, keyed by the row name
                    self.record(f"{path}/{key}", label, x, row=key)
                else:
                    self.value(f"{path}/{key}", key, x)

    def record(self, path: str, label: str, item: Any, row: str | None = None) -> None:
        if not isinstance(item, dict):
            self.value(path, label, item)
            return
        pairs = tuple(
            (str(k), _flat(x, self.english)) for k, x in item.items() if x not in (None, "", [], {})
        )
        if row is not None:
            pairs = ((label, row), *pairs)
        sep = "; " if self.english else "；"
        text = sep.join(f"{k}: {x}" for k, x in pairs)
        self.add(path, label, text, pairs)


def product_facts(product: ProductFacts) -> list[Fact]:
    """The facts of one product sheet (from its full fields, or the short fact table of an older index)."""
    fields: list[tuple[str, Any]] = list(product.sheet) or list(product.facts.items())
    keys = [k for k, _ in fields]
    english = sum(1 for k in keys if not has_cjk(k)) > len(keys) / 2 and not has_cjk(product.name)
    reader = _SheetReader(product, english)
    price_key = next((k for k in keys if role_of(k) == "price"), "price")
    status_key = next((k for k in keys if role_of(k) == "status"), "status")
    if product.price is not None:
        raw = next((v for k, v in fields if k == price_key), product.price)
        text = scalar_text(raw, english) if _scalar(raw) else f"{product.price:g}"
        reader.add(price_key, price_key, text, kind="price")
        if not any(q.value == product.price for q in reader.out[-1].quantities):
            reader.add(price_key, price_key, f"{product.price:g}", kind="price")
    if product.status:
        reader.add(status_key, status_key, product.status, kind="stock")
    name_key = next((k for k in keys if role_of(k) == "name"), None)
    if name_key and product.name:
        # a sheet often states its headline specs only in the title (28风量, 3300W, 16升): a spec fact,
        # quoted only when it holds the asked words or unit
        reader.add(name_key, name_key, product.name, kind="spec")
    for key, value in fields:
        if role_of(key) in ("id", "name", "price", "status", "category"):
            continue
        if role_of(key) == "aliases":
            continue
        reader.value(key, key, value)
    return reader.out


def product_ref(product: ProductFacts) -> ProductRef:
    codes = tuple(dict.fromkeys([*product.aliases, *model_codes(product.name)]))
    sizes = tuple(q for q in quantities(product.name) if q.unit in ("L", "ml", "kg", "g", "W", "inch"))
    return ProductRef(
        product_id=product.product_id,
        name=product.name,
        codes=codes,
        source_id=product.source_id,
        category=product.category,
        status=product.status,
        price=product.price,
        sizes=sizes,
    )


# ---------------------------------------------------------------------------------------------- policies


def policy_facts(chunks: Iterable[Chunk]) -> list[Fact]:
    """One fact per sentence (or table row) of the policy chunks, each once (chunks may overlap)."""
    out: list[Fact] = []
    seen: set[tuple[str, str]] = set()
    for chunk in sorted(chunks, key=lambda c: (c.source_id, c.ordinal, c.id)):
        if chunk.source_type != "policy":
            continue
        section = chunk.title
        for sentence in chunk_sentences(chunk.text, chunk.title, whole_items=True):
            text = " ".join(sentence.split()).rstrip("。；;")
            if len(text) < 4 or (chunk.source_id, text) in seen:
                continue
            seen.add((chunk.source_id, text))
            field = f"{chunk.source_id}#{section}"
            label = section.split(" › ")[-1]
            out.append(
                Fact(
                    product_id=None,
                    source_id=chunk.source_id,
                    kind=classify_fact(section, "", text),
                    field=field,
                    label=label,
                    text=text,
                    quantities=quantities(text),
                    digest=fact_digest(chunk.source_id, field, text),
                    chunk_id=chunk.id,
                    english=not has_cjk(text),
                )
            )
    return out


# ---------------------------------------------------------------------------------------------- store


class Embedding(Protocol):
    """What the store needs of an embedder (service.embeddings.base.Embedder satisfies it)."""

    model_id: str

    def embed_passages(self, texts: Sequence[str]) -> Any: ...

    def embed_query(self, text: str) -> Any: ...


class FactStore:
    """The facts of one index version, with the policy sentences' embeddings."""

    def __init__(self, refs: Sequence[ProductRef], by_product: dict[str, list[Fact]], policy: list[Fact]):
        self._refs = list(refs)
        self._by_product = by_product
        self._policy = policy
        # where each product's facts start among the vector rows (after the policy sentences)
        self._rows: dict[str, tuple[int, int]] = {}
        start = len(policy)
        for ref in self._refs:
            size = len(by_product.get(ref.product_id, ()))
            self._rows[ref.product_id] = (start, size)
            start += size
        self._vectors: np.ndarray | None = None
        self._vectors_model: str | None = None
        self._digests: set[str] | None = None
        self._lock = threading.Lock()

    @classmethod
    def build(cls, products: Iterable[ProductFacts], chunks: Iterable[Chunk]) -> FactStore:
        refs: list[ProductRef] = []
        by_product: dict[str, list[Fact]] = {}
        for p in products:
            if p.product_id in by_product:
                continue
            refs.append(product_ref(p))
            by_product[p.product_id] = product_facts(p)
        return cls(refs, by_product, policy_facts(chunks))

    @classmethod
    def from_chunks(cls, chunks: Sequence[Chunk]) -> FactStore:
        """The store of an index version from its chunks alone (product sheets ride in facts_json)."""
        products = [ProductFacts.from_json(c.facts_json) for c in chunks if c.facts_json]
        return cls.build(products, chunks)

    # --- reading ---------------------------------------------------------------------------------
    def products(self) -> list[ProductRef]:
        return list(self._refs)

    def product(self, product_id: str) -> ProductRef | None:
        return next((r for r in self._refs if r.product_id == product_id), None)

    def product_facts(self, product_id: str) -> list[Fact]:
        return list(self._by_product.get(product_id, ()))

    def policy_facts(self) -> list[Fact]:
        return list(self._policy)

    def present(self, digests: Iterable[str]) -> set[str]:
        """Which of these fact digests this store holds (a cited fact still says the same)."""
        if self._digests is None:
            self._digests = {f.digest for f in self.all_facts()}
        return {d for d in digests if d in self._digests}

    def all_facts(self) -> list[Fact]:
        return [f for facts in self._by_product.values() for f in facts] + self._policy

    # --- sentence vectors (policy sentences, then every product's facts) ----------------------------
    def has_vectors(self, embedder: Embedding) -> bool:
        return self._vectors is not None and self._vectors_model == embedder.model_id

    def _embedded(self) -> list[Fact]:
        """The facts that get a vector, in row order: policy sentences first, then each product's facts
        (a question no field name or word matches, "能上飞机？", is still close in meaning to its field)."""
        return [*self._policy, *(f for r in self._refs for f in self._by_product.get(r.product_id, ()))]

    def _embed_texts(self) -> list[str]:
        # the label is prefixed so a sentence keeps its topic ("期限: 签收次日起7天内…", "flight: 可登机")
        return [f"{f.label}: {f.text}" if f.label else f.text for f in self._embedded()]

    def embed_policy(self, embedder: Embedding, batch: int = 32, reuse_from: Path | None = None) -> int:
        """Embed the policy sentences (index time), reusing the vectors a previous version stored for the
        same sentence text and model; returns how many were computed."""
        texts = self._embed_texts()
        keys = [_key(t) for t in texts]
        old = _read_vectors(reuse_from, embedder.model_id) if reuse_from is not None else {}
        rows: list[np.ndarray | None] = [old.get(k) for k in keys]
        todo = [i for i, row in enumerate(rows) if row is None]
        for start in range(0, len(todo), max(1, batch)):
            idx = todo[start : start + batch]
            got = np.asarray(embedder.embed_passages([texts[i] for i in idx]), dtype=np.float32)
            for i, vec in zip(idx, got, strict=True):
                rows[i] = vec
        vectors = np.vstack([r for r in rows if r is not None]) if rows else np.zeros((0, 1), np.float32)
        with self._lock:
            self._vectors = vectors.astype(np.float32)
            self._vectors_model = embedder.model_id
        return len(todo)

    def ensure_vectors(self, embedder: Embedding, folder: Path | None = None) -> None:
        """Vectors for this version: loaded from ``folder`` when stored there for the same sentences and
        model, else computed once (and stored)."""
        if self.has_vectors(embedder):
            return
        with self._lock:
            if self._vectors is not None and self._vectors_model == embedder.model_id:
                return
            if folder is not None and self._load_locked(folder, embedder.model_id):
                return
        log.info("embedding %d sentences and product facts for the fact store", len(self._embedded()))
        self.embed_policy(embedder)
        if folder is not None:
            self.save_vectors(folder)

    def policy_similarity(self, query_vector: np.ndarray) -> np.ndarray:
        """Cosine similarity of every policy fact to a query vector (vectors are normalised)."""
        return self._similarity(0, len(self._policy), query_vector)

    def product_similarity(self, product_id: str, query_vector: np.ndarray) -> np.ndarray:
        """Cosine similarity of each of a product's facts (in ``product_facts`` order) to a query vector."""
        start, size = self._rows.get(product_id, (0, 0))
        return self._similarity(start, size, query_vector)

    def _similarity(self, start: int, size: int, query_vector: np.ndarray) -> np.ndarray:
        vectors = self._vectors
        if vectors is None or not size or vectors.shape[0] < start + size:
            return np.zeros(size, dtype=np.float32)
        rows = vectors[start : start + size]
        return np.asarray(rows @ np.asarray(query_vector, dtype=np.float32).reshape(-1))

    def save_vectors(self, folder: Path) -> None:
        if self._vectors is None:
            return
        try:
            folder.mkdir(parents=True, exist_ok=True)
            np.save(folder / VECTORS_FILE, self._vectors)
            meta = {
                "model": self._vectors_model,
                "keys": [_key(t) for t in self._embed_texts()],
            }
            (folder / META_FILE).write_text(json.dumps(meta), encoding="utf-8")
        except OSError as exc:
            log.warning("policy sentence vectors not saved", extra={"error": str(exc)})

    def load_vectors(self, folder: Path, model_id: str) -> bool:
        """Take stored vectors when they were made for exactly these sentences by this model."""
        with self._lock:
            return self._load_locked(folder, model_id)

    def _load_locked(self, folder: Path, model_id: str) -> bool:
        stored = _read_vectors(folder, model_id)
        rows = [stored.get(_key(t)) for t in self._embed_texts()]
        if any(r is None for r in rows):
            return False
        self._vectors = (
            np.vstack([r for r in rows if r is not None]) if rows else np.zeros((0, 1), np.float32)
        )
        self._vectors_model = model_id
        return True


def _key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _read_vectors(folder: Path, model_id: str) -> dict[str, np.ndarray]:
    """Stored sentence vectors by text key ({} when absent, unreadable or made by another model)."""
    try:
        meta = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
        if meta.get("model") != model_id:
            return {}
        vectors = np.load(folder / VECTORS_FILE)
    except (OSError, ValueError):
        return {}
    keys = meta.get("keys") or []
    if not isinstance(keys, list) or len(keys) != vectors.shape[0]:
        return {}
    return {str(k): vectors[i].astype(np.float32) for i, k in enumerate(keys)}
