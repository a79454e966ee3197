"""Chinese-aware tokenisation for BM25: jieba search-mode words, lower-cased English, whole model codes.

Model codes (KT-170T, F6033-UD3(HE)) are kept whole *and* split, so a customer typing the exact code
matches strongly while a partial code still matches its parts.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata

import jieba

_CODE = re.compile(r"[a-z0-9]+(?:[-_./][a-z0-9]+)+|[a-z]+\d[a-z0-9]*|\d+[a-z]+[a-z0-9]*")
_WORD = re.compile(r"[\w\u4e00-\u9fff]+")
_STOPWORDS = (
    "的 了 吗 呢 啊 吧 呀 是 我 你 您 他 她 它 在 有 和 与 及 或 就 都 也 还 又 很 请 问 一下"
    " 这个 那个 这 那 个 么 怎么 什么"
    " the a an of to and or is are was be for in on at it this that with as by from do does"
    " i you we my your"
)
_STOP = frozenset(_STOPWORDS.split())

_lock = threading.Lock()
_ready = False


def _ensure_jieba() -> None:
    global _ready
    if _ready:
        return
    with _lock:
        if not _ready:
            jieba.setLogLevel(logging.WARNING)
            jieba.initialize()
            _ready = True


def normalise(text: str) -> str:
    """NFKC folds full-width digits/letters (１２３ -> 123) so they match their half-width forms."""
    return unicodedata.normalize("NFKC", text).lower()


def tokenize(text: str) -> list[str]:
    _ensure_jieba()
    text = normalise(text)
    tokens: list[str] = [m.group(0) for m in _CODE.finditer(text)]
    for span in _WORD.findall(text):
        for tok in jieba.lcut_for_search(span):
            tok = tok.strip()
            if tok and tok not in _STOP and not tok.isspace():
                tokens.append(tok)
    return tokens
