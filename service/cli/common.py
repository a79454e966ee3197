"""Helpers shared by CLI commands: settings, container, and turning domain errors into exit codes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import typer
from rich.console import Console

from service.container import Container
from service.errors import ReplydraftError
from service.settings import load_settings

T = TypeVar("T")
err_console = Console(stderr=True)
out_console = Console()


@contextmanager
def container_from_env() -> Iterator[Container]:
    """Settings from the environment; domain errors become a message and exit code 2."""
    try:
        container = Container(load_settings())
    except ReplydraftError as exc:
        err_console.print(f"[red]error:[/red] {exc.message}")
        raise typer.Exit(2) from exc
    try:
        yield container
    finally:
        container.close()


def run_or_exit(fn: Callable[[], T]) -> T:
    try:
        return fn()
    except ReplydraftError as exc:
        err_console.print(f"[red]error ({exc.code.value}):[/red] {exc.message}")
        raise typer.Exit(2) from exc
