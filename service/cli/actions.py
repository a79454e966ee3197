"""`replydraft actions run|list|requeue` (approved store actions) and `replydraft connector serve|openapi`
(the connector contract over a folder of order data: a reference service and its OpenAPI document)."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import typer
from rich.table import Table

from service.cli.common import container_from_env, err_console, out_console, run_or_exit
from service.connectors.files import FileConnector
from service.errors import ErrorCode, ReplydraftError

actions_app = typer.Typer(help="Perform or inspect approved store actions.", no_args_is_help=True)
connector_app = typer.Typer(help="The store connector contract.", no_args_is_help=True)


@actions_app.command("run")
def run(
    until_idle: bool = typer.Option(False, "--until-idle", help="Exit once nothing is left to perform"),
    lease_seconds: float = typer.Option(30.0, help="Claim lease; a crashed worker's actions wait this long"),
    poll_seconds: float = typer.Option(1.0, help="How often to look for new actions"),
    backoff_seconds: float = typer.Option(2.0, help="First retry delay; doubles per attempt"),
) -> None:
    """Perform approved actions against the configured store system (the server does this too)."""
    with container_from_env() as container:
        run_or_exit(container.db.check_schema)
        connector = run_or_exit(lambda: container.store)
        if connector is None:
            err_console.print("[red]error:[/red] no store connector: set REPLYDRAFT_STORE_CONNECTOR")
            raise typer.Exit(2)
        from service.store.review import ActionRunner

        reviews = container.reviews
        runner = ActionRunner(
            reviews.actions,
            connector,
            clock=reviews.clock,
            lease_s=lease_seconds,
            poll_s=poll_seconds,
            backoff_base_s=backoff_seconds,
        )
        err_console.print(f"performing store actions as {runner.worker_id}")
        with contextlib.suppress(KeyboardInterrupt):
            runner.run(until_idle=until_idle)


@actions_app.command("list")
def list_actions(
    status: str = typer.Option(None, help="pending, done or dead"),
    limit: int = typer.Option(50, min=1, max=200),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Queued, performed and failed store actions, newest first."""
    with container_from_env() as container:
        items = run_or_exit(lambda: container.reviews.list_actions(status=status, limit=limit))
        if as_json:
            out_console.print_json(json.dumps([i.model_dump(mode="json") for i in items]))
            return
        table = Table("id", "draft", "action", "status", "attempts", "last error")
        for i in items:
            table.add_row(i.id, i.draft_id, i.name, i.status, str(i.attempts), (i.last_error or "")[:60])
        out_console.print(table)


@actions_app.command("requeue")
def requeue(
    action_ids: list[str] = typer.Argument(..., help="Ids of failed (dead) actions"),
    note: str = typer.Option("", help="Why (kept in each draft's audit trail)"),
) -> None:
    """Put failed actions back in the queue once the cause is fixed (audited as the CLI user)."""
    import getpass

    from service.review.principal import Principal, Role

    operator = Principal("cli", f"cli:{getpass.getuser()}"[:100], Role.OPS)
    failed = 0
    with container_from_env() as container:
        run_or_exit(container.db.check_schema)
        for action_id in action_ids:
            try:
                container.reviews.requeue_action(action_id, principal=operator, note=note)
            except ReplydraftError as exc:
                failed += 1
                err_console.print(f"[red]{action_id}: {exc.message}[/red]")
                continue
            out_console.print(f"requeued {action_id}")
    if failed:
        raise typer.Exit(1)


@connector_app.command("serve")
def serve(
    folder: Path = typer.Option(..., "--folder", help="World-shaped order data folder"),
    state_dir: Path = typer.Option(
        None, "--state-dir", help="Where performed actions go (default: read-only)"
    ),
    products: list[Path] = typer.Option(None, "--products", help="Product files with exchange lists"),
    host: str = typer.Option("127.0.0.1"),
    port: int = typer.Option(8100, min=1, max=65535),
    token: str = typer.Option(
        None, "--token", envvar="REPLYDRAFT_STORE_TOKEN", help="Bearer token to require"
    ),
) -> None:
    """Serve a folder of order data over the connector contract (a reference for a store's own service)."""
    import uvicorn

    from service.connectors.contract import build_app

    connector = run_or_exit(lambda: _files(folder, state_dir, products))
    uvicorn.run(build_app(connector, token=token), host=host, port=port, log_level="warning")
    connector.close()


def _files(folder: Path, state_dir: Path | None, products: list[Path] | None) -> FileConnector:
    from service.connectors.base import ConnectorUnavailable

    try:
        return FileConnector(folder, state_dir=state_dir, products=products or None)
    except ConnectorUnavailable as exc:
        raise ReplydraftError(ErrorCode.CONFIG, str(exc)) from exc


@connector_app.command("openapi")
def openapi() -> None:
    """Print the connector contract's OpenAPI document (docs/connector-openapi.json)."""
    from service.connectors.contract import build_app

    class _None:
        name = "none"

    print(json.dumps(build_app(_None()).openapi(), ensure_ascii=False, indent=2))  # type: ignore[arg-type]


def register(app: typer.Typer) -> None:
    app.add_typer(actions_app, name="actions")
    app.add_typer(connector_app, name="connector")
