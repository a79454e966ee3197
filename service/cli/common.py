"""Helpers shared by CLI commands: settings, container, and turning domain errors into exit codes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

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


def with_progress(work: Callable[[Callable[[str, int, int], None]], T], *, disable: bool = False) -> T:
    """Run ``work`` with a transient progress bar on stderr that its (phase, done, total) calls drive
    (``disable``: no bar, e.g. when stdout carries JSON)."""
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
        disable=disable,
    ) as bar:
        task = bar.add_task("starting", total=None)

        def on_progress(phase: str, done: int, total: int) -> None:
            bar.update(task, description=phase, completed=done, total=total or None)

        return work(on_progress)
