"""The products of one index version, and detection of the products a text names.

Customers name products by id, by model code or by full name; an Aho-Corasick automaton over all of those
finds every mention in one pass, whatever the catalogue size.
"""

from __future__ import annotations

from collections.abc import Iterable

import ahocorasick

from service.index.tokenize import normalise
from service.knowledge.models import Chunk, ProductFacts

MIN_KEY_CHARS = 3


def _is_word_char(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


class Catalogue:
    def __init__(self, products: Iterable[ProductFacts]) -> None:
        self._by_id: dict[str, ProductFacts] = {}
        self._auto = ahocorasick.Automaton()
        keys: dict[str, set[str]] = {}
        for p in products:
            self._by_id.setdefault(p.product_id, p)
            for key in (p.product_id, p.name, *p.aliases):
                k = normalise(key).strip()
                if len(k) >= MIN_KEY_CHARS:
                    keys.setdefault(k, set()).add(p.product_id)
        for k, ids in keys.items():
            self._auto.add_word(k, (k, tuple(sorted(ids))))
        if keys:
            self._auto.make_automaton()
        self._empty = not keys

    @classmethod
    def from_chunks(cls, chunks: Iterable[Chunk]) -> Catalogue:
        return cls(ProductFacts.from_json(c.facts_json) for c in chunks if c.facts_json)

    def __len__(self) -> int:
        return len(self._by_id)

    def get(self, product_id: str) -> ProductFacts | None:
        return self._by_id.get(product_id)

    def all(self) -> list[ProductFacts]:
        return list(self._by_id.values())

    def find_mentions(self, text: str) -> list[ProductFacts]:
        """Products named in the text, in order of first mention.

        ASCII keys must stand as whole words, so 'KT-170' does not match inside 'KT-170T'; a shorter key
        inside a longer matched key (a name containing another product's code) is ignored.
        """
        if self._empty or not text:
            return []
        t = normalise(text)
        spans: list[tuple[int, int, tuple[str, ...]]] = []
        for end, (key, ids) in self._auto.iter(t):
            start = end - len(key) + 1
            if _is_word_char(key[0]) and start > 0 and _is_word_char(t[start - 1]):
                continue
            if _is_word_char(key[-1]) and end + 1 < len(t) and _is_word_char(t[end + 1]):
                continue
            spans.append((start, end, ids))
        spans.sort(key=lambda s: (s[0], -(s[1] - s[0])))
        kept: list[tuple[int, int, tuple[str, ...]]] = []
        for s in spans:
            if any(k[0] <= s[0] and s[1] <= k[1] and (k[1] - k[0]) > (s[1] - s[0]) for k in kept):
                continue
            kept.append(s)
        seen: dict[str, ProductFacts] = {}
        for _, _, ids in sorted(kept):
            for pid in ids:
                if pid not in seen:
                    seen[pid] = self._by_id[pid]
        return list(seen.values())
