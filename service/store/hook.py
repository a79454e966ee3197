"""The two calls the drafting pipeline makes into this package (kept tiny: the pipeline changes often)."""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from typing import Any

from service.drafting.sources import Grounding, Source
from service.store.desk import Consultation, StoreDesk

log = logging.getLogger("replydraft.store")


def consult(
    desk: StoreDesk | None, req: Any, language: str, index: Any, grounding: Grounding
) -> Consultation | None:
    """Look up what the message needs; the facts become numbered sources after the knowledge ones."""
    if desk is None or not getattr(req, "customer_id", None):
        return None
    try:
        catalogue = index.catalogue()
    except Exception:  # no live index yet: the order facts still help
        catalogue = None
    found = desk.consult(req, language=language, catalogue=catalogue, first_marker=len(grounding.sources) + 1)
    grounding.sources.extend(found.sources)
    return found


_GREETING = re.compile(
    r"^(?:[^。！？!?.\n]{0,24}[！!]"
    r"|(?:hello|hi|dear|good (?:morning|afternoon|evening))\b[^.!?\n]{0,60}[.!?])\s*",
    re.IGNORECASE,
)
# Sentences end at Chinese or English end marks; a full stop ends one only before a space or the end, so
# "1.5L" and "v2.0" stay whole.
_SENTENCE = re.compile(r"(?:[^。！？!?.\n]|\.(?!\s|$))*(?:[。！？!?]\s*|\.(?:\s+|$)|\n|$)")
_NUMBER = r"(?:订单号|order number)"
_GIVE = r"(?:发给|提供|告诉|send|provide|share)"
_ASKS_ORDER_NUMBER = re.compile(
    rf"[^。！？!?]*{_NUMBER}[^。！？!?]*{_GIVE}[^。！？!?]*[。！？!?.]"
    rf"|[^。！？!?]*{_GIVE}[^。！？!?]*{_NUMBER}[^。！？!?]*[。！？!?.]",
    re.IGNORECASE,
)


def weave(text: str, consultation: Consultation | None) -> str:
    """Put the cited order facts after the offline draft's greeting, instead of its own quotes of them.

    The offline drafter may quote an order source on its own, and ask for an order number it no longer
    needs; both are removed when the look-up found the order.
    """
    if consultation is None or not consultation.lead:
        return text
    markers = {s.marker for s in consultation.sources}
    sentences = _SENTENCE.findall(text)
    kept = [
        s
        for s in sentences
        if not any(f"[{m}]" in s for m in markers)
        and not (consultation.findings.order_ids and _ASKS_ORDER_NUMBER.fullmatch(s.strip()))
    ]
    text = "".join(kept).strip()
    greeting = _GREETING.match(text)
    if greeting is None:
        return f"{consultation.lead}\n\n{text}".strip()
    head = greeting.group(0).strip()
    gap = "" if head.endswith(("！", "？", "。")) else " "
    return f"{head}{gap}{consultation.lead.strip()}{gap}{text[greeting.end() :]}".strip()


def weave_plan(
    text: str, sources: list[Source], consultation: Consultation | None
) -> tuple[str, list[Source]]:
    """The answer engine numbers its own sources from [1]: renumber the order look-up's sources after
    them, then weave its cited lead in as for the offline drafter."""
    if consultation is None or not consultation.lead:
        return text, sources
    offset = max((s.marker for s in sources), default=0)
    mapping = {s.marker: offset + i for i, s in enumerate(consultation.sources, 1)}
    lead = re.sub(
        r"\[(\d{1,3})\]", lambda m: f"[{mapping.get(int(m.group(1)), int(m.group(1)))}]", consultation.lead
    )
    moved = [replace(s, marker=mapping[s.marker]) for s in consultation.sources]
    renumbered = replace(consultation, sources=moved, lead=lead)
    return weave(text, renumbered), [*sources, *moved]
