"""Typos in the question word: "多少前" for 多少钱, "怎么版" for 怎么办, "多旧" for 多久.

Customers type fast with a pinyin input method, and the slip is usually one character of the question word
replaced by another of the same sound. Only a small closed class of question words is corrected, only by one
substitution (edit distance 1 at the same length), and only to a character that sounds alike: "多少人",
"多少天" are questions in their own right and stay as they are.
"""

from __future__ import annotations

import re
from functools import lru_cache

# question words, and for each character that may be mistyped, the characters an input method offers for
# the same sound (never a character that makes another question: 天, 人, 米, 度 ...)
QUESTION_WORDS: tuple[str, ...] = (
    "多少钱", "怎么办", "多久", "什么时候", "怎么用", "怎么退", "怎么换", "能退吗", "能换吗", "包邮吗",
    "保修吗", "有货吗", "几年",
)  # fmt: skip
SOUNDS_ALIKE: dict[str, str] = {
    "钱": "前浅潜钳欠谦", "办": "半版班伴扮", "久": "九酒旧就玖", "候": "后厚侯", "么": "摸莫末磨",
    "时": "是十事实使", "用": "永涌泳拥", "退": "腿褪", "换": "环患幻", "吗": "嘛马妈麻",
    "邮": "由有油友", "修": "休秀羞", "货": "或获火伙", "年": "念粘",
}  # fmt: skip


@lru_cache(maxsize=1)
def _patterns() -> list[tuple[re.Pattern[str], str]]:
    out: list[tuple[re.Pattern[str], str]] = []
    for word in QUESTION_WORDS:
        for i, ch in enumerate(word):
            alike = SOUNDS_ALIKE.get(ch)
            if not alike:
                continue
            body = re.escape(word[:i]) + f"[{re.escape(alike)}]" + re.escape(word[i + 1 :])
            out.append((re.compile(body), word))
    return out


def fix_question_words(text: str) -> str:
    """The text with a mistyped question word put right (one same-sound substitution), else unchanged."""
    if not re.search(r"[\u4e00-\u9fff]", text):
        return text
    for pattern, word in _patterns():
        if pattern.search(text):
            text = pattern.sub(word, text)
    return text
