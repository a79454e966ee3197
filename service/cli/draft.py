"""`replydraft draft`: draft a reply from the command line (nothing is stored or sent)."""

from __future__ import annotations

from typing import Literal

import typer
from pydantic import ValidationError
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from service.cli import common
from service.drafting.models import DraftRequest, GeneratedDraft

VERDICT_STYLE = {"pass": "green", "warn": "yellow", "block": "red"}


def register(app: typer.Typer) -> None:
    @app.command()
    def draft(
        message: str = typer.Argument(..., help="The customer's message"),
        context: str = typer.Option(
            None, "--context", help="Facts you know (order status, amount paid, delivery date)"
        ),
        product_id: list[str] = typer.Option(
            None, "--product-id", help="A product the message is about (repeatable)"
        ),
        language: str = typer.Option("auto", "--language", help="auto, zh or en"),
        as_json: bool = typer.Option(False, "--json", help="Print the whole generated draft as JSON"),
    ) -> None:
        """Draft a grounded, cited reply and print it with its sources.

        Uses the configured model (REPLYDRAFT_LLM_BASE_URL) or the offline drafter. The draft is not stored
        and enters no review queue: use POST /v1/drafts for that.
        """
        if language not in ("auto", "zh", "en"):
            common.err_console.print("[red]error:[/red] --language must be auto, zh or en")
            raise typer.Exit(2)
        lang: Literal["auto", "zh", "en"] = language  # type: ignore[assignment]
        try:
            request = DraftRequest(
                customer_message=message, context=context, product_ids=product_id or [], language=lang
            )
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
            common.err_console.print(f"[red]error (validation_error):[/red] {problems}")
            raise typer.Exit(2) from exc
        with common.container_from_env() as container:
            generated: GeneratedDraft = common.run_or_exit(lambda: container.drafter.generate(request))
        if as_json:
            common.out_console.print_json(generated.model_dump_json())
            return
        show(generated)


def show(d: GeneratedDraft) -> None:
    out = common.out_console
    gen = d.generator
    subtitle = f"{gen.provider} · {gen.model} · {gen.latency_ms} ms"
    if gen.fallback_reason:
        subtitle += f" · fallback: {gen.fallback_reason}"
    out.print(Panel(Text(d.text), title=f"draft ({d.language}, {d.intent})", subtitle=escape(subtitle)))
    verdict = d.compliance.verdict.value
    out.print(f"compliance: [{VERDICT_STYLE[verdict]}]{verdict}[/]")
    for f in d.compliance.findings:
        out.print(Text(f"  - {f.severity.value} {f.category}: {f.matched!r} — {f.message}"))
    if d.citations:
        table = Table(title="citations")
        for col in ("#", "title", "source", "excerpt"):
            table.add_column(col)
        for c in d.citations:
            table.add_row(Text(f"[{c.marker}]"), Text(c.title), Text(c.source_id), Text(c.excerpt))
        out.print(table)
    if d.removed_markers:
        out.print(f"[yellow]removed markers pointing nowhere:[/yellow] {' '.join(d.removed_markers)}")
    if d.retrieved_source_ids:
        out.print(Text("sources: " + ", ".join(d.retrieved_source_ids)))
    out.print(Text(f"index version: {d.index_version or '-'} · prompt version: {gen.prompt_version}"))
