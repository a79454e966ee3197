"""Placeholder: the 'evalcmd' command group is registered by its owning issue."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Nothing yet."""
