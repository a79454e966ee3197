"""Policy documents (Markdown or plain text) to chunks: split by headings, then paragraphs, then sentences.

Each chunk starts with `【政策】Title › Section` (`[Policy] ...` for English documents), so a passage read
alone says which policy and which part of it it comes from. The heading split is done here rather than
with MarkdownHeaderTextSplitter because that one re-flows lines (dropping list indentation and blank
lines); the size split uses RecursiveCharacterTextSplitter with Chinese and English sentence boundaries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from langchain_text_splitters import RecursiveCharacterTextSplitter

from service.knowledge.models import Chunk
from service.knowledge.text import clean_block, clean_inline, fit, is_english

SECTION_SEP = " › "
_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_CLOSE = "”’」』）)\"'"
# Most to least preferred boundary; regexes, zero-width where the mark must stay with its sentence.
_SEPARATORS = [
    r"\n\n",
    r"\n",
    rf"(?<=[。！？；!?;])(?![{_CLOSE}。！？；!?;])|(?<=[。！？；!?;][{_CLOSE}])",
    r"(?<=\.)(?=\s)",
    r"(?<=[，、：,:])",
    r" ",
    r"",
]


@dataclass(frozen=True)
class Section:
    path: tuple[str, ...]  # heading texts from the top, without the document title
    text: str


def _strip_inline_markup(heading: str) -> str:
    return clean_inline(re.sub(r"[*_`]+", "", heading))


def split_sections(body: str) -> tuple[str | None, list[Section]]:
    """The document title (first level-1 heading) and its sections with their heading paths.

    Headings inside fenced code blocks are text, not structure.
    """
    title: str | None = None
    stack: list[tuple[int, str]] = []
    sections: list[Section] = []
    lines: list[str] = []
    in_fence = False

    def flush() -> None:
        text = clean_block("\n".join(lines))
        if text:
            sections.append(Section(tuple(h for _, h in stack), text))
        lines.clear()

    for line in body.split("\n"):
        if _FENCE.match(line):
            in_fence = not in_fence
        m = None if in_fence else _HEADING.match(line)
        if m is None:
            lines.append(line)
            continue
        flush()
        level, text = len(m.group(1)), _strip_inline_markup(m.group(2))
        if level == 1 and title is None:
            title = text
            stack.clear()
            continue
        while stack and stack[-1][0] >= level:
            stack.pop()
        stack.append((level, text))
    flush()
    return title, sections


@lru_cache(maxsize=16)
def _splitter(chunk_chars: int) -> RecursiveCharacterTextSplitter:
    return RecursiveCharacterTextSplitter(
        separators=_SEPARATORS,
        is_separator_regex=True,
        keep_separator="end",
        chunk_size=chunk_chars,
        chunk_overlap=min(chunk_chars // 10, 60),
        strip_whitespace=True,
    )


def split_text(text: str, chunk_chars: int) -> list[str]:
    pieces: list[str] = []
    for piece in _splitter(chunk_chars).split_text(text):
        pieces.extend(fit(piece, chunk_chars) if len(piece) > chunk_chars else [piece.strip()])
    return [p for p in pieces if p]


def render(body: str, *, source_id: str, fallback_title: str, chunk_chars: int) -> list[Chunk]:
    """Chunks of one policy document; `fallback_title` is used when it has no level-1 heading."""
    title, sections = split_sections(body.replace("\r\n", "\n").replace("\r", "\n"))
    title = title or fallback_title
    english = is_english(body)
    tag = "[Policy]" if english else "【政策】"
    chunks: list[Chunk] = []
    for section in sections:
        section_name = SECTION_SEP.join(section.path) or None
        full_title = SECTION_SEP.join((title, *section.path))
        head = f"{tag} {full_title}" if english else f"{tag}{full_title}"
        for piece in split_text(section.text, chunk_chars):
            chunks.append(
                Chunk(
                    id="",
                    text=f"{head}\n{piece}",
                    source_id=source_id,
                    source_type="policy",
                    title=full_title,
                    ordinal=len(chunks),
                    section=section_name,
                )
            )
    return chunks
