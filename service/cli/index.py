"""`replydraft index status|list|rollback`: inspect and steer index versions."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

import typer
from rich.table import Table

from service.cli.common import container_from_env, out_console, run_or_exit

index_app = typer.Typer(help="Inspect index versions and roll back.", no_args_is_help=True)


@index_app.command("status")
def status(as_json: bool = typer.Option(False, "--json")) -> None:
    """The live version and its counts."""
    with container_from_env() as container:
        live = run_or_exit(container.index.live_version)
        if as_json:
            out_console.print_json(json.dumps(asdict(live) if live else None, ensure_ascii=False))
            return
        if live is None:
            out_console.print("no live index: run `replydraft reindex`")
            raise typer.Exit(1)
        for key, value in asdict(live).items():
            out_console.print(f"{key:>14}: {value}")


@index_app.command("list")
def list_versions(as_json: bool = typer.Option(False, "--json", help="Print the versions as JSON")) -> None:
    """All kept versions, newest first (full names: `rollback` and the API take them as printed)."""
    with container_from_env() as container:
        versions = run_or_exit(container.index.list_versions)
        if as_json:
            out_console.print_json(json.dumps([asdict(v) for v in versions], ensure_ascii=False))
            return
        table = Table()
        # A version name is an identifier: never cut it; the source path folds instead.
        widest = max((len(v.version) for v in versions), default=7)
        table.add_column("version", no_wrap=True, min_width=widest)
        table.add_column("live", no_wrap=True)
        table.add_column("built_at", no_wrap=True)
        for name in ("chunks", "documents", "products"):
            table.add_column(name, justify="right", no_wrap=True)
        table.add_column("source", overflow="fold")
        for v in versions:
            table.add_row(
                v.version,
                "*" if v.live else "",
                v.built_at,
                str(v.chunks),
                str(v.documents),
                str(v.products),
                v.source,
            )
        out_console.print(table)


@index_app.command("rollback")
def rollback() -> None:
    """Make the previous version live again (recorded in the admin audit as the shell user)."""
    from service.review.admin_audit import INDEX_ROLLBACK, AdminAudit, local_operator
    from service.review.principal import Role

    with container_from_env() as container:

        def audited_rollback() -> Any:
            with AdminAudit(container.db).audited(local_operator(Role.OPS), INDEX_ROLLBACK) as outcome:
                info = container.index.rollback()
                outcome.target = str(info.version)
            return info

        info = run_or_exit(audited_rollback)
        out_console.print(f"live version is now {info.version} (built {info.built_at})")


def register(app: typer.Typer) -> None:
    app.add_typer(index_app, name="index")
