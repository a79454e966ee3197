"""Cross-lingual query expansion for the lexical half of retrieval.

Many stores write policies in Chinese only while some customers ask in English (and the other way round).
The multilingual embedding bridges languages only weakly: an English question lands on whatever English
text the store has, whatever its topic. BM25 cannot bridge them at all. So the terms of a query that a
bilingual glossary knows are translated, and the translated terms become a second BM25 query whose ranked
list joins the fusion. A query in the documents' own language gains nothing new from it, and a term the
glossary lacks simply adds nothing.

The glossary shipped here (glossary.yaml) is general online-retail vocabulary; a store adds its own terms
with ``REPLYDRAFT_RETRIEVAL_GLOSSARIES``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from service.errors import ErrorCode, ReplydraftError

DEFAULT_GLOSSARY = Path(__file__).with_name("glossary.yaml")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_WORD_START = re.compile(r"(?<![a-z0-9])[a-z0-9]")
MAX_GLOSSARY_BYTES = 2_000_000


@dataclass(frozen=True)
class _Concept:
    en: tuple[str, ...]
    zh: tuple[str, ...]


class Glossary:
    """Translates the terms of a query it knows into the other language (English <-> Chinese)."""

    def __init__(self, concepts: Sequence[_Concept]) -> None:
        self._concepts = list(concepts)
        self._zh_en: list[tuple[str, str]] | None = None
        phrases: dict[str, set[int]] = {}
        for i, concept in enumerate(self._concepts):
            for phrase in concept.en:
                phrases.setdefault(phrase, set()).add(i)
        # Longest phrases first, so "cash on delivery" wins over "delivery" where both would match.
        ordered = sorted(phrases, key=lambda p: (-len(p), p))
        self._en_index = [phrases[p] for p in ordered]
        pattern = "|".join(f"({re.escape(p)}(?:e?s)?)" for p in ordered)
        # Tried only at word starts (see translate): a leading look-behind would make re try every
        # alternative at every position, about 3 ms a query with this glossary.
        self._en = re.compile(rf"(?:{pattern})(?![a-z0-9])") if ordered else None
        self._zh = sorted(
            ((term, i) for i, c in enumerate(self._concepts) for term in c.zh), key=lambda t: -len(t[0])
        )
        # Per concept, whether the query names it in English anywhere (built once, not per query).
        self._en_concept = [
            re.compile(rf"(?<![a-z0-9])(?:{'|'.join(re.escape(p) for p in c.en)})(?:e?s)?(?![a-z0-9])")
            for c in self._concepts
        ]

    def alternatives(self, query: str) -> list[tuple[str, ...]]:
        """Per English phrase of ``query`` the glossary knows, its Chinese terms: alternatives for one
        word ("charger" -> 充电器 / 快充), of which a text holding any one has the customer's word."""
        text = query.lower()
        out: list[tuple[str, ...]] = []
        if self._en is None:
            return out
        end = 0
        for start in _WORD_START.finditer(text):
            match = self._en.match(text, start.start()) if start.start() >= end else None
            if match is not None and match.lastindex is not None:
                zh = [t for i in sorted(self._en_index[match.lastindex - 1]) for t in self._concepts[i].zh]
                out.append(tuple(dict.fromkeys(zh)))
                end = match.end()
        return out

    def __len__(self) -> int:
        return len(self._concepts)

    def zh_to_en(self) -> list[tuple[str, str]]:
        """(Chinese term, its concept's first English phrase), longest Chinese term first: how the
        offline drafter words a Chinese fact for an English customer."""
        if self._zh_en is None:
            pairs = {zh: c.en[0] for c in self._concepts for zh in c.zh}
            self._zh_en = sorted(pairs.items(), key=lambda kv: (-len(kv[0]), kv[0]))
        return self._zh_en

    @classmethod
    def load(cls, paths: Iterable[Path] = ()) -> Glossary:
        """The shipped glossary plus the store's own files; a bad file is a configuration error."""
        concepts: list[_Concept] = []
        for path in [DEFAULT_GLOSSARY, *paths]:
            concepts.extend(_read(Path(path)))
        return cls(concepts)

    def translate(self, query: str) -> str:
        """The other-language terms of the concepts ``query`` mentions, space-separated ('' if none)."""
        text = query.lower()
        found: list[int] = []
        if self._en is not None:
            end = 0  # left to right, a phrase found is not searched again inside (as finditer would)
            for start in _WORD_START.finditer(text):
                match = self._en.match(text, start.start()) if start.start() >= end else None
                if match is not None and match.lastindex is not None:
                    found.extend(sorted(self._en_index[match.lastindex - 1]))
                    end = match.end()
        if _HAN.search(text):
            rest = text
            for term, i in self._zh:
                if term in rest:
                    found.append(i)
                    rest = rest.replace(term, " ")
        terms: list[str] = []
        for i in dict.fromkeys(found):
            concept = self._concepts[i]
            # English words in a query lead to the Chinese terms, Chinese words to the English ones.
            terms.extend(concept.zh if self._en_concept[i].search(text) else ())
            terms.extend(concept.en if any(t in text for t in concept.zh) else ())
        return " ".join(dict.fromkeys(terms))


def _read(path: Path) -> list[_Concept]:
    try:
        if path.stat().st_size > MAX_GLOSSARY_BYTES:
            raise ReplydraftError(ErrorCode.CONFIG, f"glossary {path} is over {MAX_GLOSSARY_BYTES} bytes")
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ReplydraftError(ErrorCode.CONFIG, f"glossary {path} is unreadable: {exc}") from exc
    items = data.get("concepts") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise ReplydraftError(ErrorCode.CONFIG, f"glossary {path}: expected a 'concepts' list")
    concepts = []
    for n, item in enumerate(items, 1):
        en = item.get("en") if isinstance(item, dict) else None
        zh = item.get("zh") if isinstance(item, dict) else None
        if not isinstance(en, list) or not isinstance(zh, list) or not _terms(en) or not _terms(zh):
            raise ReplydraftError(
                ErrorCode.CONFIG, f"glossary {path}, concept {n}: needs non-empty 'en' and 'zh' lists of text"
            )
        en_terms = tuple(str(t).strip().lower() for t in en)
        zh_terms = tuple(str(t).strip().lower() for t in zh)
        if any(len(t) < 2 for t in zh_terms):
            raise ReplydraftError(
                ErrorCode.CONFIG, f"glossary {path}, concept {n}: Chinese terms need two characters or more"
            )
        concepts.append(_Concept(en_terms, zh_terms))
    return concepts


def _terms(value: object) -> bool:
    if not isinstance(value, list) or not value:
        return False
    return all(isinstance(t, str | int) and str(t).strip() for t in value)
