"""`replydraft eval export` and `replydraft eval replay`: golden cases from reviewed drafts, and re-drafting
them with today's model, prompt or index before switching."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import typer
import yaml

from service.cli.common import err_console, out_console
from service.errors import ReplydraftError
from service.settings import load_settings


def _when(value: str, flag: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        err_console.print(f"[red]error:[/red] {flag} must be a date or date-time (2026-11-01), not {value!r}")
        raise typer.Exit(2) from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _statuses(value: str) -> list[str]:
    from service.evaluation.production import EXPORT_STATUSES

    wanted = [s.strip() for s in value.split(",") if s.strip()]
    unknown = [s for s in wanted if s not in EXPORT_STATUSES]
    if not wanted or unknown:
        err_console.print(
            f"[red]error:[/red] --status takes {', '.join(EXPORT_STATUSES)} (comma-separated), not {value!r}"
        )
        raise typer.Exit(2)
    # An approved draft that was then sent is still an approval.
    return sorted(set(wanted) | ({"sent"} if "approved" in wanted else set()))


def register(eval_app: typer.Typer) -> None:
    @eval_app.command("export")
    def export(
        since: str = typer.Option(
            ..., "--since", help="Reviewed on or after this date (UTC), e.g. 2026-11-01"
        ),
        until: str = typer.Option(None, "--until", help="Reviewed before this date (UTC)"),
        status: str = typer.Option("approved,rejected", "--status", help="approved, sent, rejected"),
        out: Path = typer.Option(None, "--out", help="Write the golden YAML here (default: stdout)"),
        limit: int = typer.Option(
            1000, "--limit", min=1, max=5000, help="At most this many drafts, newest first"
        ),
    ) -> None:
        """Turn reviewed drafts into golden cases (approved text as the reference, personal data masked)."""
        from service.evaluation.production import export_cases, reviewed_drafts
        from service.review.db import Database

        start, end = _when(since, "--since"), (_when(until, "--until") if until else None)
        try:
            db = Database.from_settings(load_settings())
            try:
                items = reviewed_drafts(db, start, end, _statuses(status), limit)
            finally:
                db.close()
        except ReplydraftError as exc:
            err_console.print(f"[red]error:[/red] {exc.message}")
            raise typer.Exit(2) from exc
        cases = export_cases(items)
        document = {
            "version": 1,
            "description": f"Exported from reviewed drafts {start.date()} .. {end.date() if end else 'now'}: "
            "curate before adding to eval/ (check facts, add sources and products, split dev/test)",
            "cases": cases,
        }
        text = yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=110)
        if out is None:
            typer.echo(text)
        else:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(text, encoding="utf-8")
        err_console.print(f"{len(cases)} cases from {len(items)} reviewed drafts (duplicates merged)")

    @eval_app.command("replay")
    def replay_command(
        since: str = typer.Option(..., "--since", help="Approved on or after this date (UTC)"),
        until: str = typer.Option(None, "--until", help="Approved before this date (UTC)"),
        limit: int = typer.Option(
            200, "--limit", min=1, max=5000, help="At most this many drafts, newest first"
        ),
        llm_url: str = typer.Option(None, "--llm-url", help="Draft with this OpenAI-compatible model"),
        llm_model: str = typer.Option(None, "--llm-model", help="Model name for --llm-url"),
        out: Path = typer.Option(None, "--out", help="Write the per-case JSON report here"),
    ) -> None:
        """Re-draft approved messages with today's pipeline; report the distance to what reviewers approved,
        beside the old drafts' distance (the candidate model or prompt is set by flags or settings)."""
        from service.container import Container
        from service.drafting.models import DraftRequest
        from service.evaluation.golden import Case
        from service.evaluation.production import replay, reviewed_drafts

        settings = load_settings()
        update: dict[str, object] = {"llm_temperature": 0.0}
        if llm_url:
            update["llm_base_url"] = llm_url.rstrip("/")
        if llm_model:
            update["llm_model"] = llm_model
        start, end = _when(since, "--since"), (_when(until, "--until") if until else None)
        container = Container(settings.model_copy(update=update))
        try:
            if container.index.live_version() is None:
                err_console.print("[red]error:[/red] there is no live index: run `replydraft reindex` first")
                raise typer.Exit(2)
            items = reviewed_drafts(container.db, start, end, ["approved", "sent"], limit)

            def draft(case: Case) -> str:
                request = DraftRequest(
                    customer_message=case.message,
                    conversation=case.conversation,
                    context=case.context,
                    product_ids=case.product_ids,
                )
                return str(container.drafter.complete(container.drafter.prepare(request)).text)

            report = replay(items, draft, settings.kpi_small_edit)
        except ReplydraftError as exc:
            err_console.print(f"[red]error:[/red] {exc.message}")
            raise typer.Exit(2) from exc
        finally:
            container.close()
        if out is not None:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
        summary = {k: v for k, v in report.items() if k != "rows"}
        out_console.print_json(json.dumps(summary))
