"""Review text -> customer text: what a customer receives, without what was written for the reviewer.

A stored draft keeps its ``[n]`` citation markers so a reviewer can check each sentence against its
source; a model may also echo labels of its prompt ("【资料】（编号 [2]）", "Sources: [1]", "[Source 2]").
None of that means anything to a customer. :func:`customer_text` is the one function every send path
(outbox body for the webhook and the pull queue, the console's preview, the API's ``customer_text``)
uses, so what a reviewer previews is exactly what is delivered.
"""

from __future__ import annotations

import re

# Section labels of our own prompt templates (prompts/*.j2), in brackets as the templates write them.
_ZH_LABELS = (
    "资料|商品信息|商品资料|事实表|商品事实|政策|店铺政策|客服备注"
    "|之前的对话|顾客的最新消息|来源|参考资料|引用"
)
_EN_LABELS = (
    r"sources?|products?|fact sheet|facts|policy|agent notes|earlier conversation|customer'?s latest message"
    r"|references?|citations?"
)
_NUM = r"\d{1,3}(?:\s*[,，、]\s*\d{1,3})*"

# A whole line that is only a label or a source list: "Sources: [1], [2]", "【资料】（编号 [2]）".
_LABEL_LINE = re.compile(
    rf"^\s*(?:[\[【［]\s*(?:{_ZH_LABELS}|{_EN_LABELS})\s*[\]】］]|(?:{_ZH_LABELS}|{_EN_LABELS})\s*[:：])"
    r"[^\n]{0,40}?(?:\n|$)",
    re.IGNORECASE | re.MULTILINE,
)
# A label inside a line: "【资料】", "（编号 [2]）", "[Source 2]", "(source 2)", "（来源：资料2）", "资料[2]".
_INLINE = [
    re.compile(rf"[\[【［]\s*(?:{_ZH_LABELS}|{_EN_LABELS})\s*[\]】］]", re.IGNORECASE),
    re.compile(r"[（(]\s*(?:编号|来源|资料|出处|source|ref)\s*[:：]?\s*[^()（）\n]{0,20}[)）]", re.I),
    re.compile(rf"[\[【［]\s*(?:source|ref|来源|资料|编号)\s*[:：#]?\s*{_NUM}\s*[\]】］]", re.IGNORECASE),
    re.compile(rf"(?:资料|来源|编号)\s*[\[【［]\s*{_NUM}\s*[\]】］]"),
    re.compile(rf"[\[【［]\s*{_NUM}\s*[\]】］]"),  # the citation markers themselves, [2] and [1, 3]
    re.compile(r"<\s*/?\s*(?:customer_message|conversation|agent_context|source)\b[^>\n]{0,80}>", re.I),
]
_CUT = "\x00"  # where something was removed: spacing and punctuation are repaired only there
_SPACE_AT_CUT = re.compile(
    r"[ \t]*\x00+[ \t]*(?=[，。！？；：、,.!?;:）)]|$)|(?<=[，。！？；：、,.!?;:（(])[ \t]*\x00+[ \t]*"
)
_PUNCT_AT_CUT = re.compile(r"([，、,;；:：])\s*\x00+\s*([。！？.!?])")


def customer_text(text: str) -> str:
    """The text a customer receives: no citation markers, prompt labels or tags, tidy spacing.

    Idempotent; text without markers or labels comes back unchanged (apart from surrounding whitespace).
    """
    out = _LABEL_LINE.sub("", text)
    for pattern in _INLINE:
        out = pattern.sub(_CUT, out)
    out = _PUNCT_AT_CUT.sub(r"\2", out)
    out = _SPACE_AT_CUT.sub("", out)
    out = re.sub(r"(?m)^[ \t]*\x00+[ \t]*", "", out)
    out = re.sub(r"[ \t]*\x00+[ \t]*", _join, out)
    out = re.sub(r"[ \t]+\n", "\n", out)
    out = re.sub(r"\n{3,}", "\n\n", out)
    return out.strip()


def _join(m: re.Match[str]) -> str:
    """Two words a marker separated keep one space ("7 days [2] and" -> "7 days and"); CJK none."""
    raw = m.group(0)
    return " " if raw.startswith((" ", "\t")) and raw.endswith((" ", "\t")) else ""


def strip_labels(text: str) -> str:
    """Review text without what a model echoed from the prompt (labels, tags), its [n] markers kept."""
    out = _LABEL_LINE.sub("", text)
    for pattern in _INLINE[:-2]:  # all but the bare markers and the tags, handled below
        out = pattern.sub(_CUT, out)
    out = _INLINE[-1].sub(_CUT, out)
    out = _PUNCT_AT_CUT.sub(r"\2", out)
    out = _SPACE_AT_CUT.sub("", out)
    out = re.sub(r"(?m)^[ \t]*\x00+[ \t]*", "", out)
    out = re.sub(r"[ \t]*\x00+[ \t]*", _join, out)
    return re.sub(r"\n{3,}", "\n\n", out).strip()


def has_review_marks(text: str) -> bool:
    """True when ``text`` holds a citation marker, a prompt label or a delimiter tag (an eval metric)."""
    return bool(_LABEL_LINE.search(text)) or any(p.search(text) for p in _INLINE)
