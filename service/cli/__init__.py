"""The `replydraft` command line: one module per command group, wired here."""

from __future__ import annotations

import typer

from service.cli import admin, check, db, draft, evalcmd, index, keys, openapi, reindex, serve

app = typer.Typer(
    name="replydraft",
    help="Grounded, compliance-checked, human-reviewed reply drafts for online stores.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

for module in (serve, reindex, index, draft, check, db, keys, admin, evalcmd, openapi):
    module.register(app)


def main() -> None:
    app()
