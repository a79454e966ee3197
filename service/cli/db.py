"""`replydraft db upgrade|current` (schema migrations) and `replydraft outbox deliver|list|requeue` (sent
replies, dead letters)."""

from __future__ import annotations

import json
from functools import partial
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from service.cli.common import container_from_env, err_console, out_console, run_or_exit
from service.errors import ErrorCode, ReplydraftError

if TYPE_CHECKING:
    from service.review.delivery import WebhookDelivery

db_app = typer.Typer(help="Database schema migrations.", no_args_is_help=True)
outbox_app = typer.Typer(help="Deliver or inspect sent replies waiting in the outbox.", no_args_is_help=True)


@db_app.command("upgrade")
def upgrade(revision: str = typer.Argument("head", help="Target revision")) -> None:
    """Apply database migrations (safe to run again; replicas serialise on a lock)."""
    with container_from_env() as container:
        db = container.db
        before = run_or_exit(db.current)
        run_or_exit(lambda: db.upgrade(revision))
        after = run_or_exit(db.current)
        if before == after:
            out_console.print(f"database {db.safe_url} already at {after}")
        else:
            out_console.print(f"database {db.safe_url} upgraded from {before or 'empty'} to {after}")


@db_app.command("current")
def current() -> None:
    """Show the schema revision of the database and the one this version needs (exit 1 when behind)."""
    with container_from_env() as container:
        db = container.db
        now, head = run_or_exit(db.current), db.head()
        out_console.print(f"database: {db.safe_url}\ncurrent:  {now or 'empty'}\nrequired: {head}")
        if now != head:
            err_console.print("schema outdated: run `replydraft db upgrade`")
            raise typer.Exit(1)


@outbox_app.command("deliver")
def deliver(
    until_idle: bool = typer.Option(False, "--until-idle", help="Exit once nothing is left to deliver"),
    lease_seconds: float = typer.Option(None, help="Claim lease; default twice the request timeout + 5 s"),
    poll_seconds: float = typer.Option(1.0, help="How often to look for new rows"),
    timeout_seconds: float = typer.Option(10.0, help="Webhook request timeout"),
    backoff_seconds: float = typer.Option(2.0, help="First retry delay; doubles per attempt"),
) -> None:
    """Post sent replies to REPLYDRAFT_WEBHOOK_URL (the server does this too; run more for throughput)."""
    with container_from_env() as container:
        run_or_exit(container.db.check_schema)
        reviews = container.reviews

        def build() -> WebhookDelivery:
            from service.review.delivery import WebhookDelivery

            worker = WebhookDelivery.from_settings(
                container.settings,
                reviews.outbox,
                reviews.clock,
                lease_s=lease_seconds,
                poll_s=poll_seconds,
                timeout_s=timeout_seconds,
                backoff_base_s=backoff_seconds,
            )
            if worker is None:
                raise ReplydraftError(
                    ErrorCode.CONFIG,
                    "no webhook configured: set REPLYDRAFT_WEBHOOK_URL "
                    "(or let the helpdesk pull GET /v1/outbox)",
                )
            return worker

        worker = run_or_exit(build)
        err_console.print(f"delivering to {container.settings.webhook_url} as {worker.worker_id}")
        try:
            worker.run(until_idle=until_idle)
        except KeyboardInterrupt:
            pass
        finally:
            worker.close()


@outbox_app.command("list")
def list_outbox(
    status: str = typer.Option("pending", help="pending, delivered or dead"),
    limit: int = typer.Option(50, min=1, max=200),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Outbox items, oldest first."""
    with container_from_env() as container:
        page = run_or_exit(lambda: container.reviews.outbox.list(status=status, limit=limit))
        if as_json:
            out_console.print_json(json.dumps([i.model_dump(mode="json") for i in page.items]))
            return
        table = Table("id", "draft", "status", "attempts", "created", "last error")
        for i in page.items:
            table.add_row(
                i.id,
                i.draft_id,
                i.status,
                str(i.attempts),
                i.created_at.isoformat(timespec="seconds"),
                (i.last_error or "")[:60],
            )
        out_console.print(table)


@outbox_app.command("requeue")
def requeue(
    outbox_ids: list[str] = typer.Argument(None, help="Outbox ids of dead letters", show_default=False),
    all_dead: bool = typer.Option(False, "--all-dead", help="Requeue every dead letter"),
    note: str = typer.Option("", help="Why (kept in each draft's audit trail)"),
) -> None:
    """Put dead letters back in the delivery queue once the webhook is fixed (audited as the CLI user)."""
    import getpass

    from service.review.principal import Principal, Role

    if bool(outbox_ids) == all_dead:
        err_console.print("[red]error:[/red] name outbox ids or pass --all-dead (not both)")
        raise typer.Exit(2)
    operator = Principal("cli", f"cli:{getpass.getuser()}"[:100], Role.OPS)
    with container_from_env() as container:
        run_or_exit(container.db.check_schema)
        outbox = container.reviews.outbox
        ids = list(outbox_ids or [])
        if all_dead:
            cursor: str | None = None
            while True:
                page = run_or_exit(partial(outbox.list, status="dead", limit=200, cursor=cursor))
                ids += [i.id for i in page.items]
                cursor = page.next_cursor
                if cursor is None:
                    break
        failed = 0
        for outbox_id in ids:
            try:
                container.reviews.requeue_outbox(outbox_id, principal=operator, note=note)
            except ReplydraftError as exc:
                failed += 1
                err_console.print(f"[red]{outbox_id}: {exc.message}[/red]")
                continue
            out_console.print(f"requeued {outbox_id}")
        out_console.print(f"{len(ids) - failed} requeued, {failed} failed")
        if failed:
            raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
    app.add_typer(outbox_app, name="outbox")
