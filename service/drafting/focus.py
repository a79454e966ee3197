"""The retrieval query of a long message: its most informative sentences within a token budget.

Query embedding costs grow faster than linearly with the text (a 4,000-character message took over 6 s of
CPU with the built-in model) and BM25 scores every query term, so a long message would let one request
take a core for seconds. Retrieval needs what is asked, not the whole story around it: sentences are
ranked by the distinct content terms they add (questions and model codes first), repeats are dropped, and
the chosen ones are kept in their original order. Everything here is linear in the message length.
"""

from __future__ import annotations

import re
import unicodedata

from service.drafting.text import estimate_tokens, split_sentences

_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_WORD = re.compile(r"[a-z0-9]+")
_CODE = re.compile(r"[a-z0-9]+(?:[-_./][a-z0-9]+)+|[a-z]+\d[a-z0-9]*|\d+[a-z]+[a-z0-9]*")
_QUESTION = re.compile(
    r"[?？]|吗|呢|么|多少|多久|几|哪|是否|能否|可否|可以|怎|如何|为什么|有没有"
    r"|\b(?:how|what|when|where|which|why|who|can|could|do|does|is|are|will|would)\b",
    re.IGNORECASE,
)
_SOFT_BREAK = re.compile(r"(?<=[，,、：:])|\s+")
_STOPWORDS = (
    "a an the and or but of to in on at for from by with is are was were be been it this that i you we my "
    "your our me they he she"
)
_STOP = frozenset(_STOPWORDS.split())
REDUNDANT = 0.8  # a sentence whose terms are this much covered already adds nothing


def _terms(sentence: str) -> set[str]:
    """Cheap content terms: CJK character bigrams, Latin words and model codes."""
    text = unicodedata.normalize("NFKC", sentence).lower()
    out = set(_CODE.findall(text))
    out.update(w for w in _WORD.findall(text) if w not in _STOP and len(w) > 1)
    for run in _CJK_RUN.findall(text):
        out.update(run[i : i + 2] for i in range(max(1, len(run) - 1)))
    return out


def _pieces(text: str, limit: int) -> list[str]:
    """Sentences, with any sentence over ``limit`` tokens cut at commas and spaces, then by characters."""
    out: list[str] = []
    for sentence in split_sentences(text):
        if estimate_tokens(sentence) <= limit:
            out.append(sentence)
            continue
        current = ""
        for part in _SOFT_BREAK.split(sentence):
            if not part:
                continue
            spaced = current and part.isascii() and current.isascii()
            joined = f"{current} {part}" if spaced else current + part
            if estimate_tokens(joined) <= limit:
                current = joined
                continue
            if current:
                out.append(current)
            while estimate_tokens(part) > limit:  # one unbroken run: a token is at most one character
                out.append(part[:limit])
                part = part[limit:]
            current = part
        if current:
            out.append(current)
    return out


def focus_query(text: str, budget: int) -> str:
    """``text`` itself when it fits ``budget`` estimated tokens, else its most informative sentences.

    The result never exceeds the budget (when ``budget`` >= 1), so the cost of embedding it and of BM25
    over it is bounded whatever the message length.
    """
    text = text.strip()
    if budget <= 0:
        return ""
    if estimate_tokens(text) <= budget:
        return text
    pieces = _pieces(text, max(1, budget // 2))
    ranked: list[tuple[float, int, set[str]]] = []
    for i, piece in enumerate(pieces):
        terms = _terms(piece)
        score = float(len(terms))
        if _QUESTION.search(piece):
            score *= 1.5
        score += 3.0 * len(_CODE.findall(piece.lower()))
        ranked.append((score, i, terms))
    ranked.sort(key=lambda r: (-r[0], r[1]))
    covered: set[str] = set()
    chosen: list[int] = []
    used = 0
    for _, i, terms in ranked:
        if not terms or len(terms & covered) >= REDUNDANT * len(terms):
            continue
        cost = estimate_tokens(pieces[i]) + 1  # the joining newline
        if used + cost > budget:
            continue
        chosen.append(i)
        covered |= terms
        used += cost
    if not chosen:  # nothing with content terms fitted: keep the start
        return pieces[0][:budget] if pieces else ""
    return "\n".join(pieces[i] for i in sorted(chosen))
