"""Slice a draft into plain segments so findings and citation markers are highlighted without HTML.

The template (or the browser, from JSON) renders each segment's text escaped; nothing here produces
markup, so text written by a customer or a model can never become HTML.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from service.compliance.models import Finding, Severity

_MARKER = re.compile(r"\[(\d{1,3})\]")


@dataclass(frozen=True)
class Segment:
    text: str
    findings: tuple[int, ...] = ()  # indexes into the finding list
    severity: str | None = None  # the worst severity among `findings`
    cite: int | None = None  # the n of a "[n]" marker that names a known citation

    def to_dict(self) -> dict[str, object]:
        return {
            "text": self.text,
            "findings": list(self.findings),
            "severity": self.severity,
            "cite": self.cite,
        }


def segments(text: str, findings: Sequence[Finding], markers: Iterable[int] = ()) -> list[Segment]:
    """Cut `text` at every finding boundary and around known citation markers.

    Offsets outside the text are clamped and empty spans ignored, so findings computed on another text
    (a stale check) degrade to fewer highlights instead of an error. Overlapping findings share segments.
    """
    n = len(text)
    spans: list[tuple[int, int, int]] = []  # (start, end, finding index)
    cuts = {0, n}
    for i, f in enumerate(findings):
        start, end = max(0, min(f.start, n)), max(0, min(f.end, n))
        if end > start:
            spans.append((start, end, i))
            cuts.update((start, end))
    known = set(markers)
    cite_at: dict[int, int] = {}
    for m in _MARKER.finditer(text):
        number = int(m.group(1))
        if number in known:
            cite_at[m.start()] = number
            cuts.update((m.start(), m.end()))
    points = sorted(cuts)
    out: list[Segment] = []
    for a, b in itertools.pairwise(points):
        covering = tuple(i for s, e, i in spans if s <= a and b <= e)
        severity = None
        if covering:
            severities = {findings[i].severity for i in covering}
            worst = next(s for s in (Severity.BLOCK, Severity.WARN, Severity.INFO) if s in severities)
            severity = worst.value
        cite = cite_at.get(a) if a in cite_at and _MARKER.fullmatch(text[a:b]) else None
        out.append(Segment(text[a:b], covering, severity, cite))
    return _merge(out)


def _merge(parts: list[Segment]) -> list[Segment]:
    """Join neighbours that render the same, so a long plain text stays one segment."""
    merged: list[Segment] = []
    for part in parts:
        prev = merged[-1] if merged else None
        if (
            prev is not None
            and prev.cite is None
            and part.cite is None
            and prev.findings == part.findings
            and prev.severity == part.severity
        ):
            merged[-1] = Segment(prev.text + part.text, prev.findings, prev.severity, None)
        else:
            merged.append(part)
    return merged
