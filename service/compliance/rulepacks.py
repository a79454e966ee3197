"""Rule packs: YAML files of rules, validated with pydantic and compiled once at start-up.

A bad pack (YAML error, unknown field, bad regular expression, unknown check, duplicate id) fails start-up
with a CONFIG error naming the file and the rule, so a store's typo never silently disables a rule.
The format is described in ``service/compliance/packs/README.md`` (the packs live in that folder).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from service.compliance.checks import REGISTRY, CheckFn
from service.compliance.models import Severity
from service.errors import ErrorCode, ReplydraftError

BUILTIN_DIR = Path(__file__).parent / "packs"
# Pack regexes run on normalised, lower-cased text. ASCII semantics make \b work between a Chinese
# character and a Latin word ("是the best"), which Unicode word boundaries would not.
FLAGS = re.IGNORECASE | re.ASCII
CATEGORIES: tuple[str, ...] = (
    "banned_phrase",
    "ad_law",
    "personal_data",
    "off_platform",
    "unsupported_claim",
    "promise",
    "injection",
)
Category = Literal[
    "banned_phrase", "ad_law", "personal_data", "off_platform", "unsupported_claim", "promise", "injection"
]
MAX_PACK_BYTES = 2_000_000


def _flags(pattern: str) -> int:
    """Text is lower-cased before matching, so case folding is only needed for a pattern that spells an
    upper-case letter (outside escapes such as \\W); without it re scans measurably faster."""
    return FLAGS if re.search(r"[A-Z]", re.sub(r"\\.", "", pattern)) else re.ASCII


def _compile(pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern, _flags(pattern))
    except re.error as exc:
        raise ValueError(f"bad regular expression {pattern!r}: {exc}") from exc


class RuleException(BaseModel):
    """One condition that makes a match clean. Exactly one field is set."""

    model_config = ConfigDict(extra="forbid")
    before: str | None = Field(None, description="Regex that ends right before the match (same clause)")
    after: str | None = Field(None, description="Regex that starts right after the match (same clause)")
    clause: str | None = Field(None, description="Regex found anywhere in the clause of the match")
    sentence: str | None = Field(None, description="Regex found anywhere in the sentence of the match")
    in_sources: bool = Field(False, description="The match and the words after it occur in the sources")
    measurement: bool = Field(False, description="A number with a unit follows in the same clause")
    negated: bool = Field(
        False,
        description="A negation scoped to the match's own phrase (请勿添加…微信, don't add … on WeChat)",
    )
    unless: str | None = Field(
        None, description="Regex: the exception does not apply when this occurs in the match's clause"
    )

    @model_validator(mode="after")
    def _one(self) -> RuleException:
        regexes = [v for v in (self.before, self.after, self.clause, self.sentence) if v is not None]
        flags = [self.in_sources, self.measurement, self.negated]
        if len(regexes) + sum(flags) != 1:
            raise ValueError(
                "an exception sets exactly one of before, after, clause, sentence, in_sources, measurement, "
                "negated"
            )
        for pattern in [*regexes, *([self.unless] if self.unless is not None else [])]:
            _compile(pattern)
        return self


class Matcher(BaseModel):
    model_config = ConfigDict(extra="forbid")
    phrases: list[str] | None = Field(None, description="Literal phrases (Aho-Corasick, case-insensitive)")
    regex: str | None = None
    check: str | None = Field(None, description="Name of a registered Python check")
    params: dict[str, Any] = Field(default_factory=dict, description="Parameters of the check")

    @model_validator(mode="after")
    def _one(self) -> Matcher:
        if sum(x is not None for x in (self.phrases, self.regex, self.check)) != 1:
            raise ValueError("a matcher sets exactly one of phrases, regex, check")
        if self.params and self.check is None:
            raise ValueError("params are only for a check")
        if self.phrases is not None and (not self.phrases or any(not p.strip() for p in self.phrases)):
            raise ValueError("phrases must be a non-empty list of non-blank strings")
        if self.regex is not None and _compile(self.regex).match(""):
            raise ValueError(f"regex {self.regex!r} matches the empty string")
        if self.check is not None and self.check not in REGISTRY:
            known = ", ".join(sorted(REGISTRY))
            raise ValueError(f"unknown check {self.check!r} (known: {known})")
        return self


class Example(BaseModel):
    """A text a rule must flag (or, as a negative, must leave alone), with the evidence it assumes."""

    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=2000)
    sources: list[str] = Field(default_factory=list)
    context: str | None = None
    customer_text: str | None = None


def _examples(items: list[str | Example]) -> list[Example]:
    return [Example(text=x) if isinstance(x, str) else x for x in items]


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]{1,80}$")
    category: Category
    severity: Severity
    language: Literal["zh", "en", "any"]
    description: str = Field(min_length=1, max_length=500)
    matcher: Matcher
    suggestion: str = Field(min_length=1, max_length=500)
    message: str | None = Field(None, max_length=500, description="Shown per finding; {matched} is replaced")
    exceptions: list[RuleException] = Field(default_factory=list)
    examples: list[str | Example] = Field(
        default_factory=list,
        description="Texts this rule must flag (kept beside the rule; see the self-test)",
    )
    negatives: list[str | Example] = Field(default_factory=list, description="Texts this rule must not flag")

    def example_items(self) -> list[Example]:
        return _examples(self.examples)

    def negative_items(self) -> list[Example]:
        return _examples(self.negatives)


class Pack(BaseModel):
    model_config = ConfigDict(extra="forbid")
    pack: str = Field(min_length=1, max_length=100)
    description: str = ""
    disable: list[str] = Field(default_factory=list, description="Ids of rules from other packs to turn off")
    # Closed word classes (the store side, a refusal verb, a courier ...) that this pack's regexes name as
    # {NAME}: a rule is written as a composition of meanings and every rule sees a new synonym at once.
    classes: dict[str, list[str]] = Field(default_factory=dict)
    rules: list[Rule] = Field(default_factory=list)

    @field_validator("classes")
    @classmethod
    def _class_names(cls, classes: dict[str, list[str]]) -> dict[str, list[str]]:
        for name, words in classes.items():
            if not re.fullmatch(r"[A-Z][A-Z0-9_]{1,30}", name) or not words:
                raise ValueError(f"class {name!r}: an upper-case name and at least one word")
        return classes

    @field_validator("rules")
    @classmethod
    def _unique(cls, rules: list[Rule]) -> list[Rule]:
        seen: set[str] = set()
        for rule in rules:
            if rule.id in seen:
                raise ValueError(f"duplicate rule id {rule.id!r}")
            seen.add(rule.id)
        return rules


@dataclass(frozen=True)
class CompiledException:
    kind: str  # before | after | clause | sentence | in_sources | measurement | negated
    pattern: re.Pattern[str] | None
    unless: re.Pattern[str] | None = None


@dataclass(frozen=True)
class CompiledRule:
    rule: Rule
    source: str  # the pack file, for messages
    regex: re.Pattern[str] | None
    check: CheckFn | None
    params: Any
    exceptions: tuple[CompiledException, ...]

    @property
    def id(self) -> str:
        return self.rule.id


def _fail(path: Path, rule: str | None, problem: str) -> ReplydraftError:
    where = f"compliance pack {path}" + (f", rule '{rule}'" if rule else "")
    return ReplydraftError(ErrorCode.CONFIG, f"{where}: {problem}", file=str(path), rule=rule)


def load_pack(path: Path) -> Pack:
    """Read and validate one pack file."""
    try:
        if path.stat().st_size > MAX_PACK_BYTES:
            raise _fail(path, None, f"file is larger than {MAX_PACK_BYTES} bytes")
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise _fail(path, None, f"cannot read: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise _fail(path, None, "not UTF-8 text") from exc
    except yaml.YAMLError as exc:
        raise _fail(path, None, f"invalid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise _fail(path, None, "expected a mapping with 'pack' and 'rules'")
    try:
        return Pack.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = list(err["loc"])
        rule_id: str | None = None
        if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int):
            rules = raw.get("rules") or []
            item = rules[loc[1]] if loc[1] < len(rules) else None
            rule_id = str(item.get("id")) if isinstance(item, dict) and item.get("id") else f"#{loc[1] + 1}"
            loc = loc[2:]
        field = ".".join(str(p) for p in loc)
        msg = str(err["msg"]).removeprefix("Value error, ")
        more = f" (and {len(exc.errors()) - 1} more problem(s))" if len(exc.errors()) > 1 else ""
        raise _fail(path, rule_id, f"{field + ': ' if field else ''}{msg}{more}") from exc


_CLASS_REF = re.compile(r"\{([A-Z][A-Z0-9_]{1,30})\}")


_REGEX_CHARS = frozenset("\\.^$*+?{}[]|()")


def _trie(words: list[str]) -> str:
    """One alternation for literal words, factored by shared prefixes (我们|我们店|我 -> 我(?:们(?:店)?)?),
    which the regex engine tries far faster than a flat list; longer words still win."""
    tree: dict[str, dict] = {}  # type: ignore[type-arg]
    for word in words:
        node = tree
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict) -> str:  # type: ignore[type-arg]
        branches = [re.escape(ch) + emit(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if "" in node:
            return (body if len(branches) > 1 or len(body) == 1 else "(?:" + body + ")") + "?"
        return body

    return emit(tree)


def expand_classes(pattern: str, classes: dict[str, list[str]]) -> str:
    """Replace each {NAME} of a pack's word classes with a group of its words: regex entries first, then
    the literal words as a prefix trie (the longest word wins, as with a longest-first list). A class's
    regex entries may name other classes."""

    def one(m: re.Match[str]) -> str:
        words = classes.get(m[1])
        if words is None:
            return m[0]
        regexes = sorted((w for w in words if _REGEX_CHARS & set(w)), key=len, reverse=True)
        literals = [w for w in words if not _REGEX_CHARS & set(w)]
        parts = [*regexes, *([_trie(literals)] if literals else [])]
        return "(?:" + "|".join(parts) + ")"

    if not classes:
        return pattern
    # A class may name other classes (PARTY: 是{THIRD}…的): expand until none is left, a few levels deep.
    for _ in range(4):
        expanded = _CLASS_REF.sub(one, pattern)
        if expanded == pattern:
            break
        pattern = expanded
    return pattern


def _expand_params(value: Any, classes: dict[str, list[str]]) -> Any:
    """A check's string parameters may use the pack's word classes too ({THIRD}, {STORE})."""
    if isinstance(value, str):
        return expand_classes(value, classes)
    if isinstance(value, dict):
        return {k: _expand_params(v, classes) for k, v in value.items()}
    if isinstance(value, list):
        return [_expand_params(v, classes) for v in value]
    return value


def _compile_exceptions(
    items: Iterable[RuleException], classes: dict[str, list[str]] | None = None
) -> tuple[CompiledException, ...]:
    out: list[CompiledException] = []
    cls = classes or {}
    for ex in items:
        unless = _compile(expand_classes(ex.unless, cls)) if ex.unless is not None else None
        if ex.before is not None:
            before = expand_classes(ex.before, cls)
            out.append(CompiledException("before", _compile(f"(?:{before})\\Z"), unless))
        elif ex.after is not None:
            out.append(CompiledException("after", _compile(expand_classes(ex.after, cls)), unless))
        elif ex.clause is not None:
            out.append(CompiledException("clause", _compile(expand_classes(ex.clause, cls)), unless))
        elif ex.sentence is not None:
            out.append(CompiledException("sentence", _compile(expand_classes(ex.sentence, cls)), unless))
        elif ex.in_sources:
            out.append(CompiledException("in_sources", None, unless))
        elif ex.negated:
            out.append(CompiledException("negated", None, unless))
        else:
            out.append(CompiledException("measurement", None, unless))
    # Cheap tests first: the source lookup and the quantity scan cost most.
    order = {
        "after": 0,
        "before": 1,
        "negated": 2,
        "clause": 3,
        "sentence": 4,
        "measurement": 5,
        "in_sources": 6,
    }
    return tuple(sorted(out, key=lambda e: order[e.kind]))


def compile_rules(paths: Sequence[Path]) -> list[CompiledRule]:
    """Load every pack in order, apply ``disable`` lists, and compile regexes, checks and parameters."""
    compiled: list[CompiledRule] = []
    origin: dict[str, Path] = {}
    disabled: set[str] = set()
    for path in paths:
        pack = load_pack(path)
        disabled.update(pack.disable)
        for rule in pack.rules:
            if rule.id in origin:
                raise _fail(path, rule.id, f"rule id already defined in {origin[rule.id]}")
            origin[rule.id] = path
            check: CheckFn | None = None
            params: Any = None
            if rule.matcher.check is not None:
                spec = REGISTRY[rule.matcher.check]
                check = spec.fn
                try:
                    params = spec.params.model_validate(_expand_params(rule.matcher.params, pack.classes))
                except ValidationError as exc:
                    err = exc.errors()[0]
                    field = ".".join(str(p) for p in err["loc"])
                    raise _fail(path, rule.id, f"matcher.params.{field}: {err['msg']}") from exc
            compiled.append(
                CompiledRule(
                    rule=rule,
                    source=str(path),
                    regex=_compile(expand_classes(rule.matcher.regex, pack.classes))
                    if rule.matcher.regex
                    else None,
                    check=check,
                    params=params,
                    exceptions=_compile_exceptions(rule.exceptions, pack.classes),
                )
            )
    unknown = disabled - set(origin)
    if unknown:
        raise ReplydraftError(
            ErrorCode.CONFIG,
            f"compliance packs disable unknown rule id(s): {', '.join(sorted(unknown))}",
            rules=sorted(unknown),
        )
    return [c for c in compiled if c.id not in disabled]


def builtin_pack_paths() -> list[Path]:
    return sorted(BUILTIN_DIR.glob("*.yaml"))
