"""The two calls the drafting pipeline makes into this package (kept tiny: the pipeline changes often)."""

from __future__ import annotations

import logging
from typing import Any

from service.drafting.sources import Grounding
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


def weave(text: str, consultation: Consultation | None) -> str:
    """Put the cited order facts after the offline draft's greeting (its first paragraph)."""
    if consultation is None or not consultation.lead:
        return text
    head, sep, rest = text.partition("\n\n")
    if not sep:
        return f"{consultation.lead}\n\n{text}"
    return f"{head}\n\n{consultation.lead}\n\n{rest}"
