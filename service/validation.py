"""Field types shared by the API, the CLI's files and the eval sets, so one rule reads the same everywhere."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator


def not_blank(value: str) -> str:
    """Whitespace is not a message, a reason or an edit: refuse it with the field's name (422)."""
    if not value.strip():
        raise ValueError("must not be blank")
    return value


NonBlank = Annotated[str, AfterValidator(not_blank)]
