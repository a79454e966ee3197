"""The `replydraft` command line: one module per command group, wired here."""

from __future__ import annotations

import typer

from service.cli import (
    actions,
    admin,
    check,
    db,
    draft,
    evalcmd,
    evaltasks,
    index,
    keys,
    openapi,
    reindex,
    serve,
    verified,
)

app = typer.Typer(
    name="replydraft",
    help="Grounded, compliance-checked, human-reviewed reply drafts for online stores.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

for module in (
    serve,
    reindex,
    index,
    draft,
    check,
    db,
    keys,
    admin,
    evalcmd,
    evaltasks,
    openapi,
    actions,
    verified,
):
    module.register(app)


def main() -> None:
    app()
