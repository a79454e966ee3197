"""Personal data: mainland mobile numbers, resident ID numbers (checksum and birth date), bank card numbers
(Luhn and issuer prefix), e-mail addresses and street addresses.

Detection is precise (checksums cut false alarms on order numbers); :func:`mask_pii` for logs is broad on
purpose, because a needless mask in a log costs nothing and a leak does.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from service.compliance import phones as _phones

PHONE_RE = re.compile(r"(?<![0-9])(?:\+?86[ -]?)?(1[3-9][0-9])[ -]?([0-9]{4})[ -]?([0-9]{4})(?![0-9])")
ID_RE = re.compile(r"(?<![0-9a-z])([1-9][0-9]{16}[0-9x])(?![0-9a-z])", re.IGNORECASE)
CARD_RE = re.compile(r"(?<![0-9])([3-6][0-9]{3}(?:[ -]?[0-9]{2,4}){3,4})(?![0-9])")
EMAIL_RE = re.compile(
    r"(?<![a-z0-9._%+-])[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}", re.IGNORECASE
)
_CJK = r"[\u4e00-\u9fff]"
_NUMERAL = r"(?:[0-9]+|[一二三四五六七八九十百]+)"
# Characters an address may have before its road or estate word (a district, then the name).
_ROAD_LEAD, _ROAD_NAME, _ESTATE_LEAD, _ESTATE_NAME = 12, 6, 10, 6
ZH_ADDRESS_RE = re.compile(
    rf"{_CJK}{{0,{_ROAD_LEAD}}}?(?P<road>{_CJK}{{1,{_ROAD_NAME}}}(?:路|街|大道|大街|巷|弄|胡同|道))"
    rf"\s?(?P<no>{_NUMERAL}(?:号|弄))"
    rf"(?:\s?(?:{_CJK}{{0,8}}?)?[0-9]+(?:栋|幢|号楼|座|单元|室|楼|层))*"
    rf"|{_CJK}{{2,{_ESTATE_LEAD}}}?(?P<estate>{_CJK}{{2,{_ESTATE_NAME}}}(?:小区|花园|公寓|大厦|家园|新村|苑))"
    rf"\s?(?P<bld>[0-9]+(?:栋|幢|号楼|座))"
    rf"(?:\s?[0-9]+(?:单元|室|楼|层))*"
)
# A match's hint (its road or estate word and number) begins at most this far into the match.
_HINT_REACH = max(_ROAD_LEAD + _ROAD_NAME, _ESTATE_LEAD + _ESTATE_NAME)
# Necessary conditions of the two address patterns, cheap to scan for (a character class leads): the full
# patterns, which try every start position with lazy repeats, run only on text that has one.
_ZH_ADDRESS_HINT = re.compile(
    rf"(?:路|街|大道|大街|巷|弄|胡同|道)\s?{_NUMERAL}(?:号|弄)|(?:小区|花园|公寓|大厦|家园|新村|苑)\s?[0-9]+(?:栋|幢|号楼|座)"
)
_EN_ADDRESS_HINT = re.compile(r"[0-9]\s+[a-z]", re.IGNORECASE | re.ASCII)
EN_ADDRESS_RE = re.compile(
    r"(?<![0-9a-z])(?P<no>[0-9]{1,5})\s+(?P<street>(?:[a-z][a-z'.-]*\s+){1,4}"
    r"(?:street|st|road|rd|avenue|ave|boulevard|blvd|lane|ln|drive|dr|court|ct|way|place|pl|terrace))\b\.?",
    re.IGNORECASE | re.ASCII,
)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def id_number_ok(value: str) -> bool:
    """18-character resident ID: plausible birth date and the ISO 7064 MOD 11-2 check character."""
    value = value.upper()
    if len(value) != 18 or not value[:17].isdigit():
        return False
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    if not (1900 <= born.year <= date.today().year):
        return False
    total = sum(int(d) * w for d, w in zip(value[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == value[17]


@dataclass(frozen=True)
class PersonalData:
    kind: str  # phone | landline | service_number | contact_id | id_number | bank_card | email | address
    start: int
    end: int
    key: str  # normalised value, compared with the values the agent or the customer supplied


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def phones(text: str) -> Iterator[PersonalData]:
    """Mobiles (kind phone), landlines and 400/800 numbers (service_number) in normalised text, however
    the digits are written (see :mod:`service.compliance.phones`)."""
    yield from _phones_of(text)


@lru_cache(maxsize=512)
def _phones_of(text: str) -> tuple[PersonalData, ...]:
    """Read once per text: five rules (mobile, landline, 400 number, hidden or plain) ask for them."""
    found = [PersonalData(n.kind, n.start, n.end, n.key) for n in _phones.phone_numbers(text)]
    # A plain mobile the digit runs do not read alone (glued to letters, or to a character that reads as a
    # digit): found as it always was.
    for m in PHONE_RE.finditer(text):
        if any(p.start < m.end() and m.start() < p.end for p in found):
            continue
        letters = _LETTERS_BEFORE_RE.search(text, max(0, m.start() - 8), m.start())
        if letters is not None and letters[0] not in _CONTACT_LETTERS:
            continue  # A13812345678: a code (a coupon, a waybill), not a mobile
        found.append(PersonalData("phone", m.start(), m.end(), m[1] + m[2] + m[3]))
    return tuple(found)


_LETTERS_BEFORE_RE = re.compile(r"[a-z]+\Z")
# Letters glued to a mobile that name a phone or a chat app (tel13812345678, wx13812345678): no code prefix.
_CONTACT_LETTERS = frozenset(
    {"tel", "ph", "phone", "mobile", "mob", "cell", "call", "wx", "vx", "qq", "v", "q", "dh", "sj"}
)


def contact_ids(text: str) -> Iterator[PersonalData]:
    """Numeric ids (a QQ number) right after a contact word, however the digits are written."""
    for n in _phones.contact_ids(text):
        yield PersonalData(n.kind, n.start, n.end, n.key)


def id_numbers(text: str) -> Iterator[PersonalData]:
    for m in ID_RE.finditer(text):
        if id_number_ok(m[1]):
            yield PersonalData("id_number", m.start(), m.end(), m[1].upper())


def bank_cards(text: str) -> Iterator[PersonalData]:
    for m in CARD_RE.finditer(text):
        digits = _digits(m[1])
        if 15 <= len(digits) <= 19 and luhn_ok(digits) and not id_number_ok(digits):
            yield PersonalData("bank_card", m.start(), m.end(), digits)


def emails(text: str) -> Iterator[PersonalData]:
    for m in EMAIL_RE.finditer(text):
        yield PersonalData("email", m.start(), m.end(), m[0].lower())


def _zh_addresses(text: str) -> Iterator[re.Match[str]]:
    """``ZH_ADDRESS_RE.finditer(text)``, tried only near a hint: every match holds one within
    _HINT_REACH characters of its start, so no match can begin further before the next hint, and the
    lazy repeats are not run from every character of the text."""
    pos = 0
    while (hint := _ZH_ADDRESS_HINT.search(text, pos)) is not None:
        m = ZH_ADDRESS_RE.search(text, max(pos, hint.start() - _HINT_REACH))
        if m is None:
            return
        yield m
        pos = m.end()


def addresses(text: str, original: str | None = None) -> Iterator[PersonalData]:
    """Chinese street or estate addresses; English ones need a capitalised street name in ``original``
    (same length as ``text``), so "7 days via the main road" is not an address."""
    for m in _zh_addresses(text):
        key = m["road"][-3:] + m["no"] if m["road"] else m["estate"][-4:] + m["bld"]
        yield PersonalData("address", m.start(), m.end(), key.replace(" ", ""))
    en = EN_ADDRESS_RE.finditer(text) if _EN_ADDRESS_HINT.search(text) else ()
    for m in en:
        source = original if original is not None and len(original) == len(text) else None
        street = source[m.start("street") : m.end("street")] if source else m["street"]
        if not street[:1].isupper():
            continue
        key = " ".join((m["no"] + " " + m["street"]).lower().split())
        yield PersonalData("address", m.start(), m.end(), key)


def personal_values(text: str) -> set[tuple[str, str]]:
    """(kind, key) of every phone, ID, card and e-mail in ``text``: what a draft may repeat. Addresses
    are compared by substring instead (see :func:`address_in`), as people write them in many shapes."""
    found: set[tuple[str, str]] = set()
    for detector in (id_numbers, bank_cards, emails):
        found.update((p.kind, p.key) for p in detector(text))
    # Numbers line by line: a number may be split across lines in a draft, but read in evidence it would
    # join the last digits of one line to the next line's (the texts are read one by one, then joined).
    for line in text.split("\n"):
        for detector in (phones, contact_ids):
            found.update((p.kind, p.key) for p in detector(line))
    return found


def address_in(key: str, text: str) -> bool:
    """Whether an address key (road + number) occurs in ``text``, ignoring spacing."""
    squeezed = " ".join(text.split())
    return key in squeezed or key.replace(" ", "") in squeezed.replace(" ", "")


_MASKS: list[tuple[re.Pattern[str], str]] = [
    (EMAIL_RE, "<email>"),
    (re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])"), "<id-number>"),
    (re.compile(r"(?<![0-9])(?:[0-9][ -]?){12,18}[0-9](?![0-9])"), "<card>"),
    (PHONE_RE, "<phone>"),
]


# Full-width digits, letters and the characters of numbers and e-mails ("１３８…", "ａ＠ｂ．ｃｏｍ") become
# ASCII before masking, so they cannot slip past; other full-width punctuation is left as written.
_FULL_WIDTH_RANGES = (*range(0xFF10, 0xFF1A), *range(0xFF20, 0xFF3B), *range(0xFF41, 0xFF5B))
_FULL_WIDTH = {c: c - 0xFEE0 for c in _FULL_WIDTH_RANGES}
_FULL_WIDTH |= {ord("＋"): ord("+"), ord("－"): ord("-"), ord("．"): ord("."), ord("＿"): ord("_")}


def _mask_en_address(m: re.Match[str]) -> str:
    # As in addresses(): a capitalised street name, so "7 days via the main road" stays readable.
    return "<address>" if m["street"][:1].isupper() else m[0]


def mask_pii(text: str) -> str:
    """Mask e-mails, ID numbers, card-like digit runs, mobile numbers and street addresses, for logs."""
    if not text.isascii():
        text = text.translate(_FULL_WIDTH)
    for pattern, repl in _MASKS:
        text = pattern.sub(repl, text)
    return ZH_ADDRESS_RE.sub("<address>", EN_ADDRESS_RE.sub(_mask_en_address, text))
