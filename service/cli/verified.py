"""`replydraft verified import|list|retire|check`: the verified-answer library from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.table import Table

from service.cli.common import container_from_env, err_console, out_console, run_or_exit
from service.review.principal import Principal, Role

verified_app = typer.Typer(
    help="Verified answers: import a FAQ or macro library, list, retire, check against the index.",
    no_args_is_help=True,
)
CLI = Principal("cli", "command line", Role.OPS)


def register(app: typer.Typer) -> None:
    app.add_typer(verified_app, name="verified")


@verified_app.command("import")
def import_file(
    file: Path = typer.Argument(..., help="A .yaml/.yml or .csv file (format: docs/runbook.md)"),
    dry_run: bool = typer.Option(False, "--dry-run", help="Check the file and its scope; write nothing"),
) -> None:
    """Import every answer of FILE in one transaction, or none (exit 2 naming the item and field)."""
    from service.learning import importer

    try:
        fmt = importer.format_of(file.name)
        if file.stat().st_size > importer.MAX_IMPORT_BYTES:
            raise importer.ImportInputError(
                f"{file}: {file.stat().st_size} bytes; at most {importer.MAX_IMPORT_BYTES} per import"
            )
        items = importer.parse(file.read_bytes(), fmt)
    except (OSError, importer.ImportInputError) as exc:
        err_console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    if dry_run:
        out_console.print(f"{len(items)} answers read from {file}; nothing written (--dry-run)")
        return
    with container_from_env() as container:
        run_or_exit(container.db.check_schema)
        ids = run_or_exit(lambda: container.verified.create_many(items, CLI))
    out_console.print(f"imported {len(ids)} verified answers from {file}")


@verified_app.command("list")
def list_answers(
    status: str = typer.Option(None, help="active, retired or stale"),
    product: str = typer.Option(None, "--product", help="Only answers about this product id"),
    limit: int = typer.Option(50, min=1, max=200),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """The newest verified answers (stale ones need a person: edit or confirm them, or retire them)."""
    if status not in (None, "active", "retired", "stale"):
        err_console.print("[red]error:[/red] --status must be active, retired or stale")
        raise typer.Exit(2)
    with container_from_env() as container:
        run_or_exit(container.db.check_schema)
        items, _ = run_or_exit(
            lambda: container.verified.search(status=status, product_id=product, limit=limit)
        )
    if as_json:
        out_console.print_json(json.dumps([a.model_dump(mode="json") for a in items]))
        return
    table = Table("id", "status", "v", "intent", "products", "question", "stale sources")
    for a in items:
        table.add_row(
            a.id,
            a.status,
            str(a.version),
            a.intent,
            ", ".join(a.product_ids) or "-",
            a.question[:60],
            ", ".join(a.stale_sources),
        )
    out_console.print(table)


@verified_app.command("retire")
def retire(
    answer_id: str = typer.Argument(...),
    version: int = typer.Option(..., "--version", min=1, help="The version you looked at (list shows it)"),
) -> None:
    """Stop using an answer at once (kept for the record)."""
    with container_from_env() as container:
        run_or_exit(container.db.check_schema)
        answer = run_or_exit(lambda: container.verified.retire(answer_id, version, CLI))
    out_console.print(f"retired {answer.id} (version {answer.version})")


@verified_app.command("check")
def check() -> None:
    """Compare every active answer's sources with the live index now (normally done on the first draft
    after a reindex), and rebuild the answers' Chroma collection from the table."""
    with container_from_env() as container:
        run_or_exit(container.db.check_schema)
        live = run_or_exit(container.index.live_version)
        if live is None:
            err_console.print("[red]error:[/red] no live index: run `replydraft reindex` first")
            raise typer.Exit(2)
        result = container.verified_answers.sweep(str(live.version))
        container.verified.sync_vectors(force=True)
        counts = container.verified.counts()
    out_console.print(
        f"checked {result['checked']} answers against {live.version}: {result['stale']} became stale; "
        f"now {json.dumps(counts)}"
    )
