"""The one prompt loader: Jinja2 templates in ``prompts/`` (system + user, per language).

Rendering fails on a missing template or variable (StrictUndefined) instead of sending a silently broken
prompt. ``version`` is a short hash of the templates' content, recorded on every draft, so a reviewer or
an evaluation can tell which prompt produced it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from service.answering.resolve import short_label
from service.drafting.llm import ChatMessage
from service.drafting.models import Turn
from service.drafting.sources import Grounding, Source
from service.drafting.text import estimate_tokens, is_identifier, truncate
from service.errors import ErrorCode, ReplydraftError

LANGUAGES = ("zh", "en")
ROLES = ("system", "user")
DEFAULT_DIR = Path(__file__).resolve().parents[2] / "prompts"

# Our own delimiter tags; data put in the prompt must not be able to close or open one.
_TAG = re.compile(
    r"<(?=\s*/?\s*(?:customer_message|conversation|agent_context|source)\b)",
    re.IGNORECASE,
)


def escape_data(text: str) -> str:
    """Neutralise delimiter tags inside untrusted text, so it cannot end its block and speak as us."""
    return _TAG.sub("&lt;", text)


ITEM_CHARS = 300  # one fact line of the prompt; long policy passages are cut (small models, CPU prefill)
ABOUT_CHARS = 24
POLICY_LABEL = {"zh": "店铺政策", "en": "Store policy"}


def _line(text: str, limit: int = ITEM_CHARS) -> str:
    return escape_data(truncate(" ".join(text.split()), limit))


def plan_items(plan: Any, language: str) -> tuple[list[dict[str, str]], list[Source]]:
    """The prompt's fact sheet from the answer engine's plan: one numbered line per chosen fact of the
    resolved product(s) and the policy sentences that answer, and the Sources those numbers cite.
    Neighbouring products' chunks never reach the model."""
    names = {p.product_id: _short_name(p, language) for p in plan.products}
    items: list[dict[str, str]] = []
    sources: list[Source] = []
    for fact in plan.facts:
        if is_identifier(fact.text):
            continue
        marker = len(items) + 1
        about = names.get(fact.product_id, fact.product_id) if fact.product_id else POLICY_LABEL[language]
        label = (fact.label or "").strip()
        text = fact.text if not label or label in fact.text else f"{label}：{fact.text}"
        items.append({"marker": str(marker), "about": _line(about, ABOUT_CHARS), "text": _line(text)})
        sources.append(
            Source(
                marker=marker,
                kind="product_facts" if fact.product_id else "passage",
                source_id=fact.source_id,
                title=f"{about} · {label}" if label else about,
                text=fact.text,
                chunk_id=fact.chunk_id,
                product_id=fact.product_id,
            )
        )
    return items, sources


def _short_name(product: Any, language: str = "zh") -> str:
    """A product as a reply names it: model code and capacity ("JSQ22-HWA（12升）", as the offline drafter
    and the claim check name it), else the name; a marketing title is prompt tokens the reply must not
    echo ("国补立减15%" reads as a claim)."""
    name = str(product.name)
    if len(name) <= ABOUT_CHARS:
        return name
    label = short_label(product, "en" if language == "en" else "zh")
    codes = [c for c in getattr(product, "codes", ()) if c]
    if label.endswith("…") and codes:  # no model token in the name: the sheet's code
        return f"{codes[0]}（{truncate(name, 12)}）"
    return label


def grounding_items(grounding: Grounding) -> list[dict[str, str]]:
    """The fact sheet when there is no answer plan (an index without a fact store): the identified
    products' facts, then the retrieved passages, numbered as retrieval numbered them."""
    return [
        {"marker": str(s.marker), "about": _line(s.title, ABOUT_CHARS), "text": _line(s.text)}
        for s in grounding.sources
    ]


def trim_history(turns: Sequence[Turn], budget_tokens: int) -> list[Turn]:
    """The latest turns that fit the token budget, oldest first (a turn is kept whole or dropped)."""
    kept: list[Turn] = []
    used = 0
    for turn in reversed(turns):
        cost = estimate_tokens(turn.text) + 2
        if used + cost > budget_tokens:
            break
        kept.append(turn)
        used += cost
    kept.reverse()
    return kept


@dataclass(frozen=True)
class RenderedPrompt:
    messages: list[ChatMessage]
    version: str
    system: str


class PromptLibrary:
    """Loads and checks every template at start-up; renders a (system, user) pair per language."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory or DEFAULT_DIR
        self._env = jinja2.Environment(
            undefined=jinja2.StrictUndefined,
            autoescape=False,  # plain-text prompts; data is escaped by escape_data, not HTML rules
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=False,
        )
        self._templates: dict[str, jinja2.Template] = {}
        self._versions: dict[str, str] = {}
        for language in LANGUAGES:
            digest = hashlib.sha256()
            for role in ROLES:
                name = self.template_name(role, language)
                source = self._read(name)
                try:
                    self._templates.setdefault(name, self._env.from_string(source))
                except jinja2.TemplateSyntaxError as exc:
                    raise ReplydraftError(
                        ErrorCode.CONFIG, f"prompt template {name} line {exc.lineno}: {exc.message}"
                    ) from exc
                digest.update(name.encode() + b"\0" + source.encode() + b"\0")
            self._versions[language] = digest.hexdigest()[:12]

    @staticmethod
    def template_name(role: str, language: str) -> str:
        """One system prompt for both languages (``system.j2``: a server reuses its prefill whatever the
        language of the request before); a user template per language, whose last line names it."""
        return "system.j2" if role == "system" else f"{role}.{language}.j2"

    def _read(self, name: str) -> str:
        path = self.directory / name
        try:
            return path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ReplydraftError(ErrorCode.CONFIG, f"prompt template missing or unreadable: {path}") from exc

    def version(self, language: str) -> str:
        return self._versions[language]

    def render(self, language: str, variables: Mapping[str, Any]) -> RenderedPrompt:
        if language not in LANGUAGES:
            raise ReplydraftError(ErrorCode.VALIDATION, f"no prompts for language {language!r}")
        system = self._render(self.template_name("system", language), variables)
        user = self._render(self.template_name("user", language), variables)
        return RenderedPrompt(
            messages=[{"role": "system", "content": system}, {"role": "user", "content": user}],
            version=self._versions[language],
            system=system,
        )

    def _render(self, name: str, variables: Mapping[str, Any]) -> str:
        try:
            return self._templates[name].render(**variables).strip() + "\n"
        except jinja2.UndefinedError as exc:
            raise ReplydraftError(ErrorCode.CONFIG, f"prompt template {name}: {exc.message}") from exc
