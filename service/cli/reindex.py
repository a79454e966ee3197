"""`replydraft reindex`: build a new index version from a knowledge folder and switch to it."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from service.cli.common import container_from_env, err_console, out_console, run_or_exit, with_progress
from service.review.admin_audit import INDEX_REINDEX, AdminAudit, local_operator
from service.review.principal import Role


def register(app: typer.Typer) -> None:
    @app.command()
    def reindex(
        source: Path = typer.Option(
            None, "--source", help="Knowledge folder (default REPLYDRAFT_KNOWLEDGE_DIR)"
        ),
        dry_run: bool = typer.Option(False, "--dry-run", help="Report what would change; write nothing"),
        strict: bool = typer.Option(False, "--strict", help="Fail on the first unreadable or invalid file"),
        force: bool = typer.Option(False, "--force", help="Build a new version even when nothing changed"),
        as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON"),
    ) -> None:
        """Index product sheets and policies; the live version keeps serving until the new one is checked."""
        with container_from_env() as container:
            index = container.index

            def run(on_progress: Callable[[str, int, int], None]) -> Any:
                if dry_run:  # changes nothing: not an administrative action
                    return index.reindex(
                        source, dry_run=True, strict=strict, force=force, on_progress=on_progress
                    )
                audit = AdminAudit(container.db)
                with audit.audited(local_operator(Role.OPS), INDEX_REINDEX) as outcome:
                    done = index.reindex(source, strict=strict, force=force, on_progress=on_progress)
                    outcome.target, outcome.detail = done.version, done.status
                    outcome.data = {"strict": strict, "force": force, "chunks": done.chunks}
                return done

            report = with_progress(lambda on_progress: run_or_exit(lambda: run(on_progress)), disable=as_json)
            if as_json:
                out_console.print_json(json.dumps(report.to_dict(), ensure_ascii=False))
                return
            table = Table(title=f"reindex: {report.status}", show_header=False)
            for label, value in [
                ("version", report.version or "-"),
                ("previous version", report.previous_version or "-"),
                ("documents", report.documents),
                ("chunks", report.chunks),
                ("products", report.products),
                (
                    "sources added / changed / removed",
                    f"{len(report.sources_added)} / {len(report.sources_changed)} / "
                    f"{len(report.sources_removed)}",
                ),
                ("chunks added / removed", f"{report.chunks_added} / {report.chunks_removed}"),
                (
                    "embeddings reused / computed",
                    f"{report.embeddings_reused} / {report.embeddings_computed}",
                ),
                ("seconds", f"{report.seconds:.2f}"),
            ]:
                table.add_row(label, str(value))
            out_console.print(table)
            for issue in report.issues:
                err_console.print(f"[yellow]skipped[/yellow] {issue['path']}: {issue['reason']}")
