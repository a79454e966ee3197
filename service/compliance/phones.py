"""Phone numbers and numeric contact ids however they are written.

A number hidden from a filter is still a sequence of digits to the person who reads it: 一三八, 幺三八,
壹叁捌, ①③⑧, 1️⃣3️⃣8️⃣, "one three eight", 13８, "l38" all read 138, and spaces, dots, dashes, slashes,
emoji, line breaks or a spoken joiner (加, 杠, "dash") between the digits do not change the number. So
instead of listing spellings, every digit-like token of the (normalised) text is read as a digit, the
separators between tokens are skipped within a bounded gap, and the phone patterns are tested on the digit
sequence, with each digit remembering where it came from, so a finding points at the text as written.

Precision comes from structure, not from example sentences:

- a mobile is 11 digits starting 1[3-9] (optionally after 86 / 0086), a landline an area code (010, 02x,
  0[3-9]xx) and a 7-8 digit subscriber number starting 2-9, a service number 400/800 and seven digits;
- the digits of a candidate must be the whole run, or be cut from it only where the writer put a clause
  break or a joiner (so a date, a time or a model code does not lend a digit to its neighbour);
- a run glued to Latin letters is a code (SF1406…, JDVA2187…, KFR-35GW) unless the letters are O/l/i
  standing in for 0/1 inside the digits;
- a bare id (a QQ number) counts only right after a contact word (QQ, 扣扣, 企鹅, 微信, 加我 …);
- digits given in parts out of order ("尾号8866，前七位1351234") are joined only when each part is introduced
  by a position word (前…位, 中间, 尾号, 最后…位, "starts with", "ends in") and the parts make a number.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from service.compliance.normalize import _NUMERALS

# Readings of digits beyond cn2an's numeral table (幺, 两, 仨 are in it): the radio/telephone readings 洞 (0),
# 拐 (7), 勾 (9), and 参 (3), the simplified form of the traditional financial 參 (OpenCC turns 參 into 参).
# (么 is left out: 什么, 怎么 would glue a 1 to the digits after them.)
_EXTRA_NUMERALS = {"洞": "0", "拐": "7", "勾": "9", "参": "3"}
_CN_DIGIT = {**_NUMERALS, **_EXTRA_NUMERALS}
# 一百三十八 is 138, 八千 is 8000: a group with units is read as a number, not digit by digit.
_CN_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_CN_UNIT = "".join(_CN_UNITS)


def _unicode_digits() -> dict[str, str]:
    """Digit symbols NFKC leaves as they are (❶, ➊, ⓵: negative, sans-serif and double circled digits), so
    normalised text keeps them. Other scripts' decimal digits are left out: not a way to hide a number from
    a Chinese or English reader."""
    out: dict[str, str] = {}
    for cp in range(0x2000, 0x2800):
        c = chr(cp)
        d = unicodedata.digit(c, None)
        if d is None or unicodedata.category(c) != "No" or unicodedata.normalize("NFKC", c).isascii():
            continue
        out[c] = str(d)
    return out


_UNI_DIGIT = _unicode_digits()
# Digits as words: English, and pinyin (yao san ba, liang, guai, dong included).
_EN_DIGIT = {
    "zero": "0", "oh": "0", "one": "1", "two": "2", "three": "3", "four": "4",
    "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9",
    "ling": "0", "dong": "0", "yi": "1", "yao": "1", "er": "2", "liang": "2", "san": "3", "si": "4",
    "wu": "5", "liu": "6", "qi": "7", "guai": "7", "ba": "8", "jiu": "9",
}  # fmt: skip
_WORDS = "|".join(sorted(_EN_DIGIT, key=len, reverse=True))
_REPEAT = {"double": 2, "triple": 3}
_LETTER_DIGIT = {"o": "0", "l": "1", "i": "1"}


def _class_ranges(chars: str) -> str:
    """The characters as a regex class body of ranges (a class of hundreds of single characters is slow)."""
    cps = sorted({ord(c) for c in chars})
    spans: list[list[int]] = []
    for cp in cps:
        if spans and cp == spans[-1][1] + 1:
            spans[-1][1] = cp
        else:
            spans.append([cp, cp])
    return "".join(
        re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in spans
    )


_CHARS = _class_ranges("".join(_CN_DIGIT) + _CN_UNIT + "".join(_UNI_DIGIT))
_DIGIT_CHARS = _class_ranges("".join(_CN_DIGIT))
_COUNTS = "两二三四五六七八九"
# One digit-like token: a digit, a numeral (or a unit of a numeral), an English digit word (or double /
# triple before one), or O/l/i glued to a digit.
_TOKEN = (
    rf"[2-9{_COUNTS}]个[0-9{_DIGIT_CHARS}]"  # 四个零: a digit said so many times
    rf"|[0-9{_CHARS}]"
    rf"|(?<![a-z])(?:{_WORDS}|double|triple)(?![a-z])"
    r"|(?<![a-z])[oli]+(?=[0-9])|(?<=[0-9])[oli]+(?![a-z])"
)
# What may stand between two tokens of one number: up to four separator characters (spaces, line breaks,
# dots, dashes, slashes, commas, brackets, symbols, emoji, keycap marks), or a spoken joiner with a little
# spacing. A colon is not one (13:45 is a time), nor a letter or another Chinese character.
_SEP_CHARS = (
    r"\s.·•・\-_/\\|~*+,，、。;；()（）\[\]【】\"'“”‘’「」<>#=^`"
    r"\u2010-\u2015\u2022\u2027\u2030-\u206f\u20d0-\u20ff\u2100-\u2bff\ufe0f\u200d\U0001f000-\U0001faff"
)
_JOINER = r"加|杠|横|接|点|空格|然后|接着|再|and|then|dash|hyphen|dot|point|space"
_SEP = rf"(?![0-9{_CHARS}])[{_SEP_CHARS}]"  # (❶ and its kin sit among the symbols: a digit is no separator)
_GAP = rf"(?:(?:{_SEP}){{0,4}}|(?:{_SEP}){{0,2}}(?:{_JOINER})(?:{_SEP}){{0,2}})"
_RUN_RE = re.compile(rf"(?:{_TOKEN})(?:{_GAP}(?:{_TOKEN}))*")
_TOKEN_RE = re.compile(_TOKEN)
_LEAD_RE = re.compile(rf"[0-9{_CHARS}](?:{_GAP}(?:{_TOKEN}))*")
# A cut inside a run is allowed only at a clause break or a joiner.
_STRONG_GAP_RE = re.compile(rf"[，,、。;；\n()（）\[\]【】]|{_JOINER}")
# Where a run may start: a digit-like character (one character class: ``re`` scans for it fast), or, in text
# with a digit word, that word. The run pattern is then tried only there.
_SEED_RE = re.compile(rf"[0-9{_CHARS}]")
_WORD_SEED_RE = re.compile(rf"(?<![a-z])(?:{_WORDS}|double|triple)(?![a-z])")

MOBILE_RE = re.compile(r"(?:00)?(?:86)?(1[3-9][0-9]{9})")
LANDLINE_RE = re.compile(r"(0(?:10|2[0-9]|[3-9][0-9]{2})[2-9][0-9]{6,7})")
SERVICE_RE = re.compile(r"([48]00[0-9]{7})")


@dataclass(frozen=True)
class Number:
    kind: str  # phone (a mobile) | landline | service_number (400/800) | contact_id
    start: int
    end: int
    key: str  # the digits, as the number is dialled (mobile without 86; landline with its area code)


@dataclass(frozen=True)
class _Group:
    digits: str
    starts: tuple[int, ...]  # text offset of each digit's token
    ends: tuple[int, ...]
    gap_before: str  # the separator text before the group ("" for the first of a run)

    @property
    def start(self) -> int:
        return self.starts[0]

    @property
    def end(self) -> int:
        return self.ends[-1]


def _token_digits(tok: str) -> str | None:
    if tok in _EN_DIGIT:
        return _EN_DIGIT[tok]
    if len(tok) == 3 and tok[1] == "个":
        times, digit = _token_digits(tok[0]), _token_digits(tok[2])
        return digit * int(times) if times and digit else None
    if tok[0] in _LETTER_DIGIT:
        return "".join(_LETTER_DIGIT[c] for c in tok)
    if len(tok) == 1:
        if "0" <= tok <= "9":
            return tok
        return _CN_DIGIT.get(tok) or _UNI_DIGIT.get(tok)
    return None


def _groups(text: str, run_start: int, run_end: int) -> list[_Group] | None:
    """The run's tokens as groups (tokens with nothing between them); None when a group does not read as
    a number (一百三十八 reads 138; a unit where no number can be is nonsense, not a number)."""
    groups: list[_Group] = []
    digits: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    units = False
    gap = ""
    repeat = 1
    prev_end = run_start

    def close() -> bool:
        nonlocal digits, starts, ends, units
        if not starts:
            return True
        if units:
            value = _read_with_units(text[starts[0] : ends[-1]])
            if value is None:
                return False
            read = str(value)
            # every digit points at the whole group: a number read with units has no digit-wise map
            groups.append(_Group(read, (starts[0],) * len(read), (ends[-1],) * len(read), gap))
        else:
            groups.append(_Group("".join(digits), tuple(starts), tuple(ends), gap))
        digits, starts, ends, units = [], [], [], False
        return True

    for m in _TOKEN_RE.finditer(text, run_start, run_end):
        between = text[prev_end : m.start()]
        if between:
            if not close():
                return None
            gap = between
        tok = m[0]
        prev_end = m.end()
        if tok in _REPEAT:
            repeat = _REPEAT[tok]
            continue
        if len(tok) == 1 and tok in _CN_UNIT:
            units = True
            starts.append(m.start())
            ends.append(m.end())
            continue
        d = _token_digits(tok)
        if d is None:
            return None
        for _ in range(repeat):
            for ch in d:
                digits.append(ch)
                starts.append(m.start())
                ends.append(m.end())
        repeat = 1
    if not close():
        return None
    return groups


def _read_with_units(raw: str) -> int | None:
    """一百三十八 -> 138, 八千 -> 8000, 壹佰零捌 -> 108; None when the characters do not make one number."""
    total, current, last_unit = 0, None, 10_000
    for ch in raw:
        if ch in _CN_UNITS:
            unit = _CN_UNITS[ch]
            if unit >= last_unit:
                return None
            total += (1 if current is None else current) * unit
            current, last_unit = None, unit
            continue
        d = _CN_DIGIT.get(ch) or (ch if ch.isascii() and ch.isdigit() else None)
        if d is None or (current is not None and current != 0):
            return None
        current = int(d)
    return total + (current or 0)


def _with_marks(text: str, end: int) -> int:
    """``end`` moved past the marks that belong to the last digit (the keycap of 4️⃣)."""
    while end < len(text) and (text[end] == "\ufe0f" or unicodedata.category(text[end]) in ("Mn", "Me")):
        end += 1
    return end


def _glued_to_letters(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start > 0 else ""
    after = text[end] if end < len(text) else ""
    return (before.isascii() and before.isalpha()) or (after.isascii() and after.isalpha())


def _classify(digits: str) -> tuple[str, str] | None:
    if m := MOBILE_RE.fullmatch(digits):
        return "phone", m[1]
    if m := SERVICE_RE.fullmatch(digits):
        return "service_number", m[1]
    if m := LANDLINE_RE.fullmatch(digits):
        return "landline", m[1]
    return None


_MIN_DIGITS, _MAX_DIGITS = 10, 15


@dataclass(frozen=True)
class Run:
    start: int
    end: int
    groups: tuple[_Group, ...]

    @property
    def digits(self) -> str:
        return "".join(g.digits for g in self.groups)


@lru_cache(maxsize=256)
def _spans(text: str) -> tuple[tuple[int, int], ...]:
    """(start, end) of each digit-like run of three characters or more."""
    words = [m.start() for m in _WORD_SEED_RE.finditer(text)] if _has_words(text) else []
    if len(words) < 3:  # no number read out in words: runs are led by a digit or a numeral, one scan (the
        # pattern starts with a character class); a word or two beside digits is "one of", not a digit
        out: list[tuple[int, int]] = []
        for m in _LEAD_RE.finditer(text):
            start, end = m.start(), m.end()
            if start > 0 and text[start - 1] in "oli":
                back = _back_over_letters(text, start, out[-1][1] if out else 0)
                if back < start and (again := _RUN_RE.match(text, back)) is not None:
                    start, end = back, max(end, again.end())
            if end - start >= 3:
                out.append((start, end))
        return tuple(out)
    seeds = sorted([m.start() for m in _SEED_RE.finditer(text)] + words)
    out = []
    pos = 0
    for seed in seeds:
        if seed < pos:
            continue
        start = _back_over_letters(text, seed, pos)
        run = _RUN_RE.match(text, start)
        if run is None:
            continue
        pos = run.end()
        if run.end() - run.start() >= 3:
            out.append((run.start(), run.end()))
    return tuple(out)


def _has_words(text: str) -> bool:
    """Three digit words or more (one scan for Latin words, then a set lookup per word)."""
    return sum(map(_WORD_SET.__contains__, _LATIN_WORD_RE.findall(text))) >= 3


_LATIN_WORD_RE = re.compile(r"[a-z]+")
_WORD_SET = frozenset([*_EN_DIGIT, *_REPEAT])


def _back_over_letters(text: str, start: int, floor: int) -> int:
    """``start`` moved back over O/l/i glued before the first digit (l38…: letters standing for digits)."""
    while start > floor and text[start - 1] in "oli" and (start < 2 or not text[start - 2].isalpha()):
        start -= 1
    return start


@lru_cache(maxsize=2048)
def _run(text: str, start: int, end: int) -> Run | None:
    groups = _groups(text, start, end)
    return Run(start, end, tuple(groups)) if groups else None


# A run may read more digits than it has characters only with a numeral unit (八千), double/triple or 个.
_GROWS_RE = re.compile(rf"[{_CN_UNIT}个]|double|triple")


def runs(
    text: str, min_digits: int = 0, before: re.Pattern[str] | None = None, reach: int = 16
) -> Iterator[Run]:
    """Digit-like runs of ``text`` (normalised, lower case) that read as numbers, as groups of digits;
    with ``min_digits``, only runs that may read that many digits, with ``before`` only runs that
    pattern's match ends right before (within ``reach`` characters); the others are not read at all."""
    for start, end in _spans(text):
        if end - start < min_digits and not _GROWS_RE.search(text, start, end):
            continue
        if before is not None and not before.search(text, max(0, start - reach), start):
            continue
        run = _run(text, start, end)
        if run is not None:
            yield run


def _candidates(run: Run) -> Iterator[tuple[int, int, str]]:
    """(first group, last group + 1, digits) of the whole run and of its parts cut at strong gaps."""
    groups = run.groups
    n = len(groups)
    cuts = [0] + [i for i in range(1, n) if _STRONG_GAP_RE.search(groups[i].gap_before)] + [n]
    for a in range(len(cuts) - 1):
        for b in range(len(cuts) - 1, a, -1):
            i, j = cuts[a], cuts[b]
            digits = "".join(g.digits for g in groups[i:j])
            if _MIN_DIGITS <= len(digits) <= _MAX_DIGITS and not _enumeration(groups[i:j]):
                yield i, j, digits


# An amount: a currency sign before the digits, or a unit of money, measure or count after them (¥1 513，
# 618/11.11 is a price and two dates, not a mobile).
_AMOUNT_BEFORE_RE = re.compile(r"[¥￥$€£]\s?\Z|(?:rmb|cny|usd)\s?\Z")
_AMOUNT_AFTER_RE = re.compile(
    r"(?:元|块|角|折|%|件|个|台|只|张|份|次|天|年|月|日|小时|分钟|秒|斤|克|千克|公斤|米|毫米|厘米|升|毫升|寸|英寸|瓦|伏|毫安)"
)


def _enumeration(groups: tuple[_Group, ...]) -> bool:
    """Four or more groups of rising values listed with commas (1、3、5、7、9、11、13、15): a list, not digits
    read out (a number read out in groups does not keep rising)."""
    if len(groups) < 4 or not all(_LIST_GAP_RE.search(g.gap_before) for g in groups[1:]):
        return False
    values = [int(g.digits) for g in groups]
    return all(a < b for a, b in itertools.pairwise(values))


_LIST_GAP_RE = re.compile(r"[、,，;；]")


def phone_numbers(text: str) -> Iterator[Number]:
    """Mobiles, landlines with their area code and 400/800 numbers in normalised ``text``."""
    taken_until = -1
    for run in runs(text, _MIN_DIGITS):
        if len(run.digits) < _MIN_DIGITS:
            continue
        for i, j, digits in _candidates(run):
            start, end = run.groups[i].start, run.groups[j - 1].end
            if start < taken_until:
                continue
            if _glued_to_letters(text, start, end):
                continue
            if _AMOUNT_BEFORE_RE.search(text, max(0, start - 5), start) or _AMOUNT_AFTER_RE.match(text, end):
                continue
            found = _classify(digits)
            if found is not None:
                if start > 0 and text[start - 1] == "+":
                    start -= 1  # +86 …
                if start > 0 and text[start - 1] in "(（" and any(c in text[start:end] for c in ")）"):
                    start -= 1  # (010) 8765-4321, (+86): the bracket is part of the number
                end = _with_marks(text, end)
                yield Number(found[0], start, end, found[1])
                taken_until = end
    yield from _parts(text)


# --- numbers given in parts ----------------------------------------------------------------------------
_NTH = r"(?:[0-9]|[一二三四五六七八九两])"
_PART_CUE_RE = re.compile(
    rf"(?:(?P<head>前(?:面|边|几位|{_NTH}位|段)|开头(?:{_NTH}位)?|头(?:几位|{_NTH}位)"
    r"|\bstarts? with|\bbegins? with|\bfirst (?:\w+ )?digits?(?: are)?)"
    rf"|(?P<mid>中间(?:几位|{_NTH}位|段)?|\bmiddle(?: \w+)?(?: digits?)?(?: are)?)"
    rf"|(?P<tail>尾号|尾数|后(?:面|边|几位|{_NTH}位|段)|最后(?:几位|{_NTH}位)?|末(?:尾|几位|{_NTH}位)"
    r"|\bends? (?:with|in)|\blast (?:\w+ )?digits?(?: are)?))"
    rf"(?:几位|{_NTH}位|几个|{_NTH}个)?(?:数字)?(?:是|为|[:：]|\s)*\Z"
)
_PART_WINDOW = 40  # the parts of one number stand within this many characters of each other
_ORDER = {"head": 0, "mid": 1, "tail": 2}


def _parts(text: str) -> Iterator[Number]:
    if not any(w in text for w in ("前", "尾", "后", "中间", "末", "start", "begin", "first", "end", "last")):
        return
    parts: list[tuple[str, Run]] = []
    for run in runs(text, 3, _PART_CUE_RE):
        if not 3 <= len(run.digits) <= 8:
            continue
        cue = _PART_CUE_RE.search(text, max(0, run.start - 16), run.start)
        if cue is not None and cue.lastgroup:
            parts.append((cue.lastgroup, run))
    for k in range(len(parts)):
        chosen = {parts[k][0]: parts[k][1]}
        for role, run in parts[k + 1 :]:
            if run.start - parts[k][1].end > _PART_WINDOW:
                break
            chosen.setdefault(role, run)
        if len(chosen) < 2 or "head" not in chosen or "tail" not in chosen:
            continue
        ordered = sorted(chosen.items(), key=lambda kv: _ORDER[kv[0]])
        found = _classify("".join(r.digits for _, r in ordered))
        if found is not None:
            runs_ = [r for _, r in ordered]
            yield Number(found[0], min(r.start for r in runs_), max(r.end for r in runs_), found[1])


# --- contact ids ---------------------------------------------------------------------------------------
# A contact word, then at most a label (号, 账号, id, a colon) before the id.
_CONTACT_BEFORE_RE = re.compile(
    r"(?:q\s?q|(?<![a-z])q|扣扣|抠抠|企鹅|球球|秋秋|微信|薇信|威信|v信|(?<![a-z])vx|(?<![a-z])wx|加我|加个?好友|群)"
    r"\s?(?:号码?|账号|帐号|id|群号?)?\s?(?:是|为)?\s?[:：]?\s?\Z"
)
_CODE_LABEL_RE = re.compile(r"(?:编号|型号|货号|款号|序列号|批次号|编码|sku|model|serial)\s?[:：]?\s?\Z")
_UNIT_AFTER_RE = re.compile(r"\s?(?:元|块|件|个|台|只|张|份|人|次|天|年|月|日|号|位|条|分|秒|斤|克|米|%|折)")


def contact_ids(text: str) -> Iterator[Number]:
    """Numeric ids (QQ numbers, a group number) of 6-11 digits right after a contact word, however the
    digits are written."""
    if not any(w in text for w in ("q", "扣", "抠", "企鹅", "球球", "秋秋", "信", "vx", "wx", "加", "群")):
        return
    for run in runs(text, 6, _CONTACT_BEFORE_RE, 12):
        digits = run.digits
        if not 6 <= len(digits) <= 11 or digits[0] == "0":
            continue
        word = _CONTACT_BEFORE_RE.search(text, max(0, run.start - 12), run.start)
        if word is None:
            continue
        if word[0].isascii() and word[0].isalpha() and word[0] != "qq":
            continue  # WX20231188, V1234567: letters glued to digits are a code (qq12345678 is a QQ id)
        if _CODE_LABEL_RE.search(text, max(0, word.start() - 8), word.start()):
            continue  # 机身编号WX 20231188, 型号 Q 123456: a code named as one
        if _UNIT_AFTER_RE.match(text, run.end):
            continue
        yield Number("contact_id", run.start, _with_marks(text, run.end), digits)
