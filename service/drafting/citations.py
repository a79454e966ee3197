"""Citation markers: normalise them, drop the ones that point nowhere, and quote what each one cites."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from service.drafting.models import Citation
from service.drafting.passages import sentences as quotable
from service.drafting.sources import Source
from service.drafting.text import numbers, overlap, terms, truncate

EXCERPT_CHARS = 200
_GROUP = re.compile(r"[\[【［]\s*(\d{1,3}(?:\s*[,，、]\s*\d{1,3})*)\s*[\]】］]")
_MARKER = re.compile(r"\[(\d{1,3})\]")
_SENTENCE_END = "。！？!?.;；\n"


@dataclass(frozen=True)
class CitedText:
    text: str
    citations: list[Citation]
    removed_markers: list[str]


def resolve(text: str, sources: Sequence[Source]) -> CitedText:
    """Keep markers [n] with a source n, remove the others (reported), and build one Citation per source."""
    by_marker = {s.marker: s for s in sources}
    removed: list[str] = []

    def normalise(match: re.Match[str]) -> str:
        out = []
        for raw in re.split(r"\s*[,，、]\s*", match.group(1)):
            n = int(raw)
            if n in by_marker:
                out.append(f"[{n}]")
            else:
                removed.append(f"[{n}]")
        return "".join(dict.fromkeys(out))

    cleaned = _GROUP.sub(normalise, text)
    cleaned = re.sub(r"(\[\d{1,3}\])(?:\1)+", r"\1", cleaned)  # [1][1] -> [1]
    cleaned = re.sub(r"[ \t]+([，。！？；：,.!?;:])", r"\1", cleaned)  # space left before punctuation
    cleaned = re.sub(r"[ \t]{2,}", " ", cleaned).strip()

    cited: dict[int, list[str]] = {}
    for match in _MARKER.finditer(cleaned):
        n = int(match.group(1))
        cited.setdefault(n, []).append(_citing_text(cleaned, match.start()))
    citations = [
        Citation(
            marker=n,
            source_id=by_marker[n].source_id,
            title=by_marker[n].title,
            excerpt=excerpt(by_marker[n], " ".join(spans)),
            chunk_id=by_marker[n].chunk_id,
            product_id=by_marker[n].product_id,
            fact_digest=by_marker[n].fact_digest,
        )
        for n, spans in cited.items()
    ]
    return CitedText(text=cleaned, citations=citations, removed_markers=removed)


_SPAN = re.compile(r".+?(?:[。！？!?]+|\.(?=\s|$)|(?=\n)|$)", re.DOTALL)
ATTRIBUTE_MIN = 0.5  # share of a sentence's terms a source must contain to be credited
ATTRIBUTE_MIN_WITH_NUMBERS = 0.25  # ... when all of the sentence's numbers are in that source too


def attribute(text: str, sources: Sequence[Source]) -> str:
    """Add [n] to sentences of an uncited draft that one source clearly supports.

    Small models often answer correctly without citing. A sentence is credited to the source sharing most
    of its terms, and only when every number it states appears in that source, so reviewers get a
    pointer to check rather than a guess.
    """
    out: list[str] = []
    for match in _SPAN.finditer(text):
        span = match.group(0)
        core = span.rstrip("。！？!?. \n")
        tail = span[len(core) :]
        marker = _supporting_source(core, sources) if len(core.strip()) >= 6 else None
        out.append(f"{core}[{marker}]{tail}" if marker else span)
    return "".join(out)


def _supporting_source(sentence: str, sources: Sequence[Source]) -> int | None:
    wanted = terms(sentence)
    stated = numbers(sentence)
    best: tuple[float, int] | None = None
    for source in sources:
        if stated and not all(n in source.text for n in stated):
            continue
        score = overlap(wanted, source.text)
        needed = ATTRIBUTE_MIN_WITH_NUMBERS if stated else ATTRIBUTE_MIN
        if score >= needed and (best is None or score > best[0]):
            best = (score, source.marker)
    return best[1] if best else None


def strip_markers(text: str) -> str:
    return _MARKER.sub("", text)


def _citing_text(text: str, pos: int) -> str:
    """The sentence a marker at ``pos`` closes (markers may follow the sentence's end punctuation)."""
    end = pos
    while end > 0 and (text[end - 1] in _SENTENCE_END or text[end - 1].isspace() or text[end - 1] == "]"):
        if text[end - 1] == "]":
            opening = text.rfind("[", 0, end)
            if opening < 0:
                break
            end = opening
        else:
            end -= 1
    start = end
    while start > 0 and text[start - 1] not in _SENTENCE_END:
        start -= 1
    return strip_markers(text[start:end])


def excerpt(source: Source, citing: str, limit: int = EXCERPT_CHARS) -> str:
    """The sentence(s) of the source most relevant to the text that cites it, at most ``limit`` chars."""
    sentences = quotable(source.text, source.title) or [source.text]
    wanted = terms(citing)
    scores = [overlap(wanted, s) for s in sentences]
    scored = sorted(range(len(sentences)), key=lambda i: (-scores[i], i))
    chosen: list[int] = []
    used = 0
    for i in scored:
        length = len(sentences[i]) + (1 if chosen else 0)
        if chosen and (used + length > limit or scores[i] < 0.6 * scores[chosen[0]] or len(chosen) >= 2):
            continue
        chosen.append(i)
        used += length
    return truncate(" ".join(sentences[i] for i in sorted(chosen)), limit)
