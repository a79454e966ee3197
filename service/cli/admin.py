"""`replydraft admin audit`: read the admin audit (keys, reindex, rollback, outbox requeue and ack)."""

from __future__ import annotations

import json

import typer
from rich.table import Table

from service.cli.common import container_from_env, out_console, run_or_exit

admin_app = typer.Typer(help="Administration records.", no_args_is_help=True)


@admin_app.command("audit")
def audit(
    action: str = typer.Option(None, help="Only this action, e.g. key.revoked or index.rollback"),
    limit: int = typer.Option(50, min=1, max=200, help="Entries per page"),
    cursor: str = typer.Option(None, help="next_cursor of the previous page (older entries)"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Newest first: who did which administrative action, on what, when, with which outcome."""
    from service.review.admin_audit import AdminAudit

    with container_from_env() as container:
        run_or_exit(container.db.check_schema)
        page = run_or_exit(lambda: AdminAudit(container.db).list(limit=limit, cursor=cursor, action=action))
        if as_json:
            out_console.print_json(json.dumps(page.model_dump(mode="json"), ensure_ascii=False))
            return
        table = Table("id", "at", "actor", "role", "action", "target", "outcome", "detail")
        for e in page.items:
            table.add_row(
                str(e.id),
                e.at.isoformat(timespec="seconds"),
                f"{e.actor or ''} ({e.actor_key_id})" if e.actor_key_id else (e.actor or ""),
                e.role or "",
                e.action,
                e.target or "",
                e.outcome,
                e.detail or "",
            )
        out_console.print(table)
        if page.next_cursor:
            out_console.print(f"older entries: --cursor {page.next_cursor}")


def register(app: typer.Typer) -> None:
    app.add_typer(admin_app, name="admin")
