"""Small text helpers for drafting: language detection, token estimates, sentences, word overlap."""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Literal

Language = Literal["zh", "en"]

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z0-9]+(?:['’.-][A-Za-z0-9]+)*")
_SENTENCE_END = re.compile(r"(?<=[。！？；!?;])|(?<=\.)(?=\s)|\n+")
_WORD = re.compile(r"[a-z0-9]+(?:\.[0-9]+)?")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")

_EN_STOPWORDS = (
    "a an the and or but if of to in on at for from by with about as is are was were be been being do does "
    "did i you he she it we they me my your our their this that these those what which who whom how when "
    "where why can could would should will shall may might must have has had not no yes please hi hello "
    "thanks thank there here any some so just get got also very much many more most long does did need"
)
# Particles, pronouns and question words: they say what is asked, not what about.
_ZH_STOPWORDS = (
    "的 了 吗 呢 吧 啊 呀 我 你 您 他 她 它 们 是 在 有 和 与 就 都 也 还 又 这 那 个 请问 一下 亲 么 嘛"
    " 多少 多久 什么 怎么 怎么办 怎样 如何 可以 能 能不能 会 吗 几 哪 哪些 哪里 哪个 是否 有没有 需要 要"
    " 想 请 问 下 一个 这个 那个 这款 那款 我们 你们 现在 已经 一直 还是 或者 如果 就是 没有 不是"
)
_EN_STOP = frozenset(_EN_STOPWORDS.split())
EN_STOP = _EN_STOP  # English function words: no term, and no product name token either
_ZH_STOP = frozenset(_ZH_STOPWORDS.split())
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_CODE = re.compile(r"[a-z0-9]+(?:[-_/][a-z0-9]+)+")

_jieba_lock = threading.Lock()
_jieba_ready = False


def detect_language(text: str) -> Language:
    """zh when CJK characters carry a real share of the text (a Latin word counts about 1.5 characters)."""
    cjk = len(_CJK.findall(text))
    latin = sum(1 for w in _LATIN_WORD.findall(text) if not w.isdigit())  # numbers say nothing
    if cjk == 0:
        return "en" if latin else "zh"
    # beside Chinese, a token mixing letters and digits is mostly a model or fault code (F6032RW9 报F003),
    # which says little about the language: it counts a third of an English word
    words = [w for w in _LATIN_WORD.findall(text) if not w.isdigit()]
    coded = sum(1 for w in words if re.search(r"\d", w))
    weighted = 1.5 * (len(words) - coded) + 0.5 * coded
    return "zh" if cjk / (cjk + weighted) >= 0.4 else "en"


def estimate_tokens(text: str) -> int:
    """Cheap token estimate: one per CJK character, one per ~4 other characters."""
    cjk = len(_CJK.findall(text))
    rest = len(text) - cjk
    return cjk + (rest + 3) // 4


def split_sentences(text: str) -> list[str]:
    """Chinese and English sentence boundaries (and line breaks); drops empty pieces."""
    parts = _SENTENCE_END.split(text)
    return [p.strip() for p in parts if p and p.strip()]


def _jieba_cut(text: str) -> list[str]:
    global _jieba_ready
    import jieba

    if not _jieba_ready:
        with _jieba_lock:
            if not _jieba_ready:
                jieba.setLogLevel(logging.WARNING)
                jieba.initialize()
                _jieba_ready = True
    return list(jieba.cut_for_search(text))


def _stem(word: str) -> str:
    """Crude English stemming, enough for overlap: refunds/refunded/refunding -> refund."""
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def terms(text: str) -> list[str]:
    """Content terms of a question: jieba words (search mode) for Chinese, stemmed English words, codes.

    Matching is by containment (see :func:`overlap`), so terms need not segment the same way in both texts.
    """
    lowered = unicodedata.normalize("NFKC", text).lower()
    out: list[str] = _CODE.findall(lowered)
    out += [_stem(w) for w in _WORD.findall(lowered) if w not in _EN_STOP]
    for run in _CJK_RUN.findall(lowered):
        for word in _jieba_cut(run):
            if word.strip() and word not in _ZH_STOP:
                out.append(word)
    return list(dict.fromkeys(out))


def weight(term: str) -> float:
    """Longer terms say more; a single character says little."""
    return 0.3 if len(term) == 1 else float(min(len(term), 4))


class Matcher:
    """Which terms a text contains: CJK terms by substring, Latin terms by (stemmed) word."""

    def __init__(self, text: str) -> None:
        self.text = unicodedata.normalize("NFKC", text).lower()
        self.words = {_stem(w) for w in _WORD.findall(self.text)} | set(_CODE.findall(self.text))

    def has(self, term: str) -> bool:
        if term.isascii():
            return term in self.words
        return term in self.text


def overlap(query_terms: Sequence[str], text: str, weights: Mapping[str, float] | None = None) -> float:
    """Weighted share of the query's terms that ``text`` contains (0..1)."""
    if not query_terms:
        return 0.0
    m = Matcher(text)
    w = weights or {}
    total = sum(w.get(t, weight(t)) for t in query_terms)
    found = sum(w.get(t, weight(t)) for t in query_terms if m.has(t))
    return found / total if total else 0.0


def numbers(text: str) -> list[str]:
    return _NUMBER.findall(text)


_IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+")


def is_identifier(text: str) -> bool:
    """A bare code name (a tool or field name such as "manage_exchange" that a store export lists as a
    rule): nothing a customer can read, so it is neither put in a prompt nor added to a reply."""
    return bool(_IDENTIFIER.fullmatch(text.strip()))


def truncate(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: max(0, limit - 1)].rstrip() + "…"
