"""Slicing a draft into highlight segments: lossless, overlap-aware, robust to bad offsets."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from service.compliance.models import Finding, Severity
from service.console.highlight import segments


def finding(start: int, end: int, severity: Severity = Severity.WARN, rule: str = "r") -> Finding:
    return Finding(
        rule_id=rule, category="ad_law", severity=severity, start=start, end=end, matched="", message="m"
    )


def test_segments_mark_exactly_the_finding_spans() -> None:
    text = "这是最好的水壶，保证好用"
    segs = segments(text, [finding(2, 4, Severity.BLOCK), finding(8, 10)])
    assert [(s.text, s.findings, s.severity) for s in segs] == [
        ("这是", (), None),
        ("最好", (0,), "block"),
        ("的水壶，", (), None),
        ("保证", (1,), "warn"),
        ("好用", (), None),
    ]


def test_overlapping_findings_share_a_segment_with_the_worst_severity() -> None:
    segs = segments("abcdef", [finding(1, 4, Severity.WARN), finding(3, 6, Severity.BLOCK)])
    assert [(s.text, s.findings, s.severity) for s in segs] == [
        ("a", (), None),
        ("bc", (0,), "warn"),
        ("d", (0, 1), "block"),
        ("ef", (1,), "block"),
    ]


def test_offsets_beyond_the_text_are_clamped_and_empty_spans_ignored() -> None:
    segs = segments("abc", [finding(2, 99), finding(5, 9), finding(1, 1)])
    assert [(s.text, s.findings) for s in segs] == [("ab", ()), ("c", (0,))]


def test_known_citation_markers_become_their_own_segments() -> None:
    segs = segments("保修1年[1]，退货[3]。", [], markers=[1])
    assert [(s.text, s.cite) for s in segs] == [("保修1年", None), ("[1]", 1), ("，退货[3]。", None)]


@given(
    st.text(max_size=60),
    st.lists(st.tuples(st.integers(0, 80), st.integers(0, 80), st.booleans()), max_size=6),
    st.lists(st.integers(0, 5), max_size=3),
)
def test_segments_always_reassemble_the_original_text(
    text: str, spans: list[tuple[int, int, bool]], markers: list[int]
) -> None:
    fs = [finding(a, b, Severity.BLOCK if blk else Severity.WARN) for a, b, blk in spans]
    segs = segments(text, fs, markers=markers)
    assert "".join(s.text for s in segs) == text
    assert all(s.text for s in segs)
    for s in segs:
        assert (s.severity is None) == (not s.findings)
