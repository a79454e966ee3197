"""Text normalisation that keeps a map back to the original characters.

Rules match on a normalised copy of the draft, so that a violation cannot hide behind its spelling:

- traditional Chinese becomes simplified (OpenCC ``t2s``), so 無條件退款 is judged like 无条件退款;
- NFKC (full-width digits, letters and punctuation become ASCII), lower case, zero-width and control
  characters dropped;
- letters that look Latin but are not (Cyrillic "е", Greek "ο", Cherokee "Ꭰ" ...) become the Latin letter,
  from Unicode's confusables data as shipped by ``confusable_homoglyphs``;
- separators inside a Chinese word ("微 信", "微.信", "微😊信", "爱 买 不 买") are dropped; clause
  punctuation (，。！？；：、) is kept, so clause-scoped exceptions still see their clause;
- digit runs written with Chinese numerals or split by separators ("一三八 一二三四 五六七八",
  "壹叁捌…", "138.1234.5678") become plain digits (the numeral table of ``cn2an``), so phone numbers
  and account ids are found.

Findings must point at the text the reviewer sees, hence the offset map: every normalised character
remembers the original character it came from.
"""

from __future__ import annotations

import bisect
import json
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

import cn2an
import opencc

_KEEP_CONTROLS = {"\n", "\t"}
_T2S = opencc.OpenCC("t2s")


def _load_confusables() -> dict[str, str]:
    """Non-Latin letters and digits that Unicode lists as confusable with one ASCII letter or digit.

    Only characters below the CJK blocks are taken (a Chinese character is never a Latin look-alike here),
    and only letters and digits, so symbols such as "°" or "×" keep their meaning for the number rules.
    """
    data = json.loads(
        resources.files("confusable_homoglyphs").joinpath("confusables.json").read_text("utf-8")
    )
    table: dict[str, str] = {}
    for char, glyphs in data.items():
        if len(char) != 1 or char.isascii() or ord(char) >= 0x2E80:
            continue
        if unicodedata.category(char)[0] not in "LN":
            continue
        for glyph in glyphs:
            c = glyph["c"]
            if len(c) == 1 and c.isascii() and c.isalnum():
                table[char] = c.lower()
                break
    return table


_CONFUSABLES = _load_confusables()
# Chinese numerals (financial forms, 幺, 两, 〇 included) as digits, from cn2an's own numeral table.
_NUMERALS: dict[str, str] = {
    ch: str(value)
    for value, key in enumerate(("零", "一", "二", "三", "四", "五", "六", "七", "八", "九"))
    for ch in cn2an.Cn2An().normal_cn_number[key]
}

CJK_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
LATIN_RE = re.compile(r"[A-Za-z]")
_CLAUSE_END = re.compile(r"[。！？!?；;,，\n]|\.(?=\s|$)|:(?=\s)")
_SENTENCE_END = re.compile(r"[。！？!?\n]|\.(?=\s|$)")
_CJK = r"\u3400-\u4dbf\u4e00-\u9fff"
# Separators a word can be split with: spaces, symbols and emoji, dots, dashes and the like. Clause
# punctuation is not among them. Runs of up to six are dropped between two Chinese characters (微 - _ - 信,
# 微🌟🌟🌟🌟信: a writer hiding a word stacks separators).
# CJK brackets and corner quotes (【】〔〕「」『』〖〗) count too (微【信】); title marks 《》 do not: a title
# names a work.
_SEP = (
    r"[ \t\u00a0\u3000.·•・‧*~^_\-/\\|'\"`#+=<>\u2000-\u2bff\u3008-\u3009\u300c-\u3011\u3014-\u301f"
    r"\ufe30-\ufe4f\U0001f000-\U0001faff\ufe0f\u200d]"
)
_CJK_GAP_RE = re.compile(rf"(?<=[{_CJK}]){_SEP}{{1,12}}(?=[{_CJK}])")
# Symbols and emoji between two single Latin letters ("v❤x", "q★q", "w ▪ x"): a short contact name split
# by a character that never belongs inside a word. ASCII punctuation (-, /, ., &) is not among them, so
# model codes and sizes (V-X8, S/M, A&B) keep their form; at least one symbol must be in the run.
_SYM = r"[·•・‧~^*#|\u2000-\u2bff\u3008-\u3009\u300c-\u3011\u3014-\u301f\U0001f000-\U0001faff\ufe0f\u200d]"
# (Led by the letter, not a lookbehind, so the scan jumps from letter to letter; the gap is group 1.)
_LATIN_SYM_GAP_RE = re.compile(rf"[a-z]([ \t]*{_SYM}(?:[ \t]*{_SYM}){{0,7}}[ \t]*)(?=[a-z](?![a-z0-9]))")
_SYM_RE = re.compile(_SYM)


def _latin_sym_gaps(text: str) -> list[tuple[int, int]]:
    """Spans of the symbol runs between two single Latin letters (none unless the text has a symbol)."""
    if _SYM_RE.search(text) is None:
        return []
    return [
        m.span(1)
        for m in _LATIN_SYM_GAP_RE.finditer(text)
        if m.start() == 0 or not (text[m.start() - 1].isascii() and text[m.start() - 1].isalnum())
    ]


_NUMERAL_CHARS = "".join(_NUMERALS)
_DIGIT_RUN_SEP = r"[ \t.·\-_/*~|、,]"
# Seven or more digits or Chinese numerals, possibly split by up to three separators each.
_DIGIT_RUN_RE = re.compile(rf"[0-9{_NUMERAL_CHARS}](?:{_DIGIT_RUN_SEP}{{0,3}}[0-9{_NUMERAL_CHARS}]){{6,}}")
_NEEDS_REWRITE_RE = re.compile(rf"[{_NUMERAL_CHARS}]|[0-9]{_DIGIT_RUN_SEP}|[ \t]{{2}}")
# Letters spelled one by one ("w e c h a t", "n-u-m-b-e-r"): four or more single letters, each pair split
# by one separator, become one word.
_LATIN_GAP_RE = re.compile(r"[a-z](?:[ .\-_·*][a-z]){3,}(?![a-z0-9])")
_LATIN_SEP = frozenset(" .-_·*")
# A number read out in English words ("one three eight, one two three four ..."): seven or more digit
# words; joined only when they make a mobile number or a card/ID-length run.
_WORD_DIGITS = {
    "zero": "0", "oh": "0", "one": "1", "two": "2", "three": "3", "four": "4",
    "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9",
}  # fmt: skip
_WORD_DIGIT = "(?:zero|oh|one|two|three|four|five|six|seven|eight|nine)"
_WORD_DIGITS_RE = re.compile(rf"\b{_WORD_DIGIT}(?:[\s,\-]{{1,3}}{_WORD_DIGIT}){{6,}}\b")
# Runs of spaces count as one ("not my  problem" is "not my problem").
_SPACE_RUN_RE = re.compile(r"(?<=[ \t])[ \t]+")
# A masked number in a logged or exported conversation ([数字x], [金额x], [数字]): it stood for a number, so
# it reads as one digit and the number-context rules (最多3天, 最快2小时送达) judge it like the number it hid.
_NUMBER_MASK_RE = re.compile(r"\[(?:数字|金额)x?\]")
_MASK_DIGIT = "2"


@lru_cache(maxsize=8192)
def _char(c: str) -> str:
    """Normalised form of one character ('' to drop it)."""
    if c in _KEEP_CONTROLS:
        return c
    if c == "\r":
        return "\n"
    cat = unicodedata.category(c)
    if cat in ("Cc", "Cf", "Cs", "Co", "Cn"):
        return ""
    out = unicodedata.normalize("NFKC", c)
    return "".join(_CONFUSABLES.get(ch) or _CONFUSABLES.get(ch.lower()) or ch.lower() for ch in out)


def _lower_same_length(text: str) -> str:
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)


def to_simplified(text: str) -> str:
    """Traditional -> simplified Chinese, character for character (same length as ``text``)."""
    out: str = _T2S.convert(text)
    if len(out) == len(text):
        return out
    return "".join(_t2s_char(c) for c in text)  # a phrase conversion changed the length: per character


@lru_cache(maxsize=8192)
def _t2s_char(c: str) -> str:
    out: str = _T2S.convert(c)
    return out if len(out) == 1 else c


@lru_cache(maxsize=2048)
def fold(text: str) -> str:
    """Normalised, lower-cased text without the offset map: for sources and context. Cached, because the
    same source chunks come back draft after draft."""
    if text.isascii():
        return "".join(ch for ch in text.lower() if ch >= " " or ch in "\n\t")
    return normalize(text).text


def has_cjk(text: str) -> bool:
    return CJK_RE.search(text) is not None


def has_latin(text: str) -> bool:
    return LATIN_RE.search(text) is not None


@dataclass
class Normalized:
    """The original text, its normalised lower-case form and the map between them."""

    original: str
    text: str
    _index: list[int]
    _clause_starts: list[int] = field(default_factory=list, repr=False)
    _sentence_starts: list[int] = field(default_factory=list, repr=False)

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Span in the normalised text -> span in the original text."""
        if not self._index:
            return start, end
        if end <= start:
            pos = self._index[start] if start < len(self._index) else len(self.original)
            return pos, pos
        return self._index[start], self._index[end - 1] + 1

    @property
    def aligned(self) -> bool:
        """Whether each normalised character sits at the same offset as its original character."""
        return not self._index

    def clause(self, pos: int) -> tuple[int, int]:
        """Bounds of the clause (between commas, full stops, semicolons, line breaks) holding ``pos``."""
        if not self._clause_starts:
            self._clause_starts = _starts(self.text, _CLAUSE_END)
        return _bounds(self._clause_starts, pos, len(self.text))

    def sentence(self, pos: int) -> tuple[int, int]:
        if not self._sentence_starts:
            self._sentence_starts = _starts(self.text, _SENTENCE_END)
        return _bounds(self._sentence_starts, pos, len(self.text))


def _starts(text: str, pattern: re.Pattern[str]) -> list[int]:
    return [0, *(m.end() for m in pattern.finditer(text))]


def _bounds(starts: list[int], pos: int, length: int) -> tuple[int, int]:
    i = bisect.bisect_right(starts, pos) - 1
    start = starts[max(i, 0)]
    end = starts[i + 1] if i + 1 < len(starts) else length
    return start, end


def _digit_runs(text: str) -> list[tuple[int, int, str]]:
    """(start, end, digits) for each run of seven or more digits/numerals that needs rewriting."""
    out: list[tuple[int, int, str]] = []
    for m in _DIGIT_RUN_RE.finditer(text):
        run = m[0]
        if not _NEEDS_REWRITE_RE.search(run):
            continue  # already plain digits
        digits = "".join(_NUMERALS.get(ch, ch) for ch in run if ch not in _SEP_SET)
        listed = "," in run or "、" in run
        if listed and run.isascii():
            continue  # "1,234,567": thousands, not a phone number read out in groups
        if (run.isascii() or listed) and not _PHONE_OR_CARD_RE.fullmatch(digits):
            continue  # a date, a version or a list written with separators stays as written
        out.append((m.start(), m.end(), digits))
    return out


_SEP_SET = frozenset(" \t.·-_/*~|、,")
# Split digits are joined only when they make a mobile number or a card/ID-length run.
_PHONE_OR_CARD_RE = re.compile(r"(?:86)?1[3-9][0-9]{9}|[0-9]{15,19}x?")


_DIGIT_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def _word_digit_runs(text: str) -> list[tuple[int, int, str, list[int]]]:
    """(start, end, digits, offset of each digit's word) for numbers read out in English words."""
    out: list[tuple[int, int, str, list[int]]] = []
    if sum(w in text for w in _DIGIT_WORDS) < 2:
        return out  # cheap test first: a number read out needs two different digit words at least
    for m in _WORD_DIGITS_RE.finditer(text):
        words = list(re.finditer(_WORD_DIGIT, m[0]))
        digits = "".join(_WORD_DIGITS[w[0]] for w in words)
        if _PHONE_OR_CARD_RE.fullmatch(digits):
            out.append((m.start(), m.end(), digits, [m.start() + w.start() for w in words]))
    return out


def _latin_gaps(text: str) -> list[int]:
    """Offsets of the separators inside letters spelled one by one."""
    out: list[int] = []
    m = _LATIN_GAP_RE.search(text)
    while m is not None:
        if m.start() > 0 and text[m.start() - 1].isascii() and text[m.start() - 1].isalnum():
            # The tail of a word ("add w e c h a t" matched from "d"): look again after its first letter.
            m = _LATIN_GAP_RE.search(text, m.start() + 1)
            continue
        out.extend(k for k in range(m.start(), m.end()) if text[k] in _LATIN_SEP)
        m = _LATIN_GAP_RE.search(text, m.end())
    return out


def normalize(text: str) -> Normalized:
    if text.isascii() and text.isprintable():
        lower = text.lower()
        if not _NEEDS_REWRITE_RE.search(text) and not _latin_gaps(lower) and not _word_digit_runs(lower):
            return Normalized(text, lower, [])
        joined = text.lower()
        mapped: list[str] | None = None
    else:
        source = to_simplified(text) if CJK_RE.search(text) else text
        mapped = list(map(_char, source))
        joined = "".join(mapped)
        if len(joined) == len(text) and "" not in mapped:
            mapped = None  # one character for one: offsets unchanged so far
    letter_gaps = _latin_gaps(joined)
    sym_gaps = _latin_sym_gaps(joined)
    gaps = bool(letter_gaps or sym_gaps) or any(
        p.search(joined) is not None for p in (_CJK_GAP_RE, _SPACE_RUN_RE)
    )
    runs = _digit_runs(joined) if _NEEDS_REWRITE_RE.search(joined) else []
    word_runs = _word_digit_runs(joined)
    masks = "[" in joined and _NUMBER_MASK_RE.search(joined) is not None
    if mapped is None and not gaps and not runs and not word_runs and not masks:
        return Normalized(text, _lower_same_length(joined), [])
    chars: list[str] = []
    index: list[int] = []
    if mapped is None:
        chars = list(joined)
        index = list(range(len(joined)))
    else:
        for i, out in enumerate(mapped):
            for ch in out:
                chars.append(ch)
                index.append(i)
    if gaps:
        keep = [True] * len(chars)
        for pattern in (_CJK_GAP_RE, _SPACE_RUN_RE):
            for m in pattern.finditer(joined):
                for k in range(m.start(), m.end()):
                    keep[k] = False
        for lo, hi in sym_gaps:
            for k in range(lo, hi):
                keep[k] = False
        for k in letter_gaps:
            keep[k] = False
        chars = [c for c, k in zip(chars, keep, strict=True) if k]
        index = [i for i, k in zip(index, keep, strict=True) if k]
        joined = "".join(chars)
        runs = _digit_runs(joined) if _NEEDS_REWRITE_RE.search(joined) else []
    if masks:
        for m in reversed(list(_NUMBER_MASK_RE.finditer(joined))):
            chars[m.start() : m.end()] = [_MASK_DIGIT]
            index[m.start() : m.end()] = [index[m.start()]]
        joined = "".join(chars)
        runs = _digit_runs(joined) if _NEEDS_REWRITE_RE.search(joined) else []
    for start, end, digits in reversed(runs):
        kept = [k for k in range(start, end) if chars[k] not in _SEP_SET]
        if len(kept) != len(digits):
            continue
        chars[start:end] = list(digits)
        index[start:end] = [index[k] for k in kept]
    joined = "".join(chars)
    word_runs = _word_digit_runs(joined) if word_runs or gaps else []
    for start, end, digits, at in reversed(word_runs):
        chars[start:end] = list(digits)
        index[start:end] = [index[k] for k in at]
    joined = "".join(chars)
    if len(index) == len(text) and index == list(range(len(text))):
        index = []
    return Normalized(text, _lower_same_length(joined), index)
