"""`replydraft serve`: the API and console, with first-start setup when asked (`--init`)."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import typer
from rich.panel import Panel
from rich.text import Text

from service.cli.common import container_from_env, err_console, out_console, run_or_exit

KEYS_FILE = "initial-api-keys.txt"


def register(app: typer.Typer) -> None:
    @app.command()
    def serve(
        host: str = typer.Option(None, help="Bind address (default REPLYDRAFT_HOST or 127.0.0.1)"),
        port: int = typer.Option(None, help="Port (default REPLYDRAFT_PORT or 8000)"),
        init: bool = typer.Option(
            False,
            "--init",
            help="First-start setup: apply database migrations, create local admin/reviewer keys if none "
            "exist (printed once when the server is up, and written to a file only the owner can read in "
            "the data folder), and index the knowledge folder if there is no live index.",
        ),
    ) -> None:
        """Serve the HTTP API (/docs), the reviewer console (/console) and /metrics."""
        import uvicorn

        from service.app import create_app
        from service.logs import configure_logging

        with container_from_env() as container:
            settings = container.settings
            configure_logging(settings.log_level, settings.log_json)
            keys = run_or_exit(lambda: _first_start(container)) if init else None
            run_or_exit(container.db.check_schema)
            fault = run_or_exit(container.db.check_integrity)  # PRAGMA quick_check, once
            if fault:
                err_console.print(
                    f"[bold red]The database failed its integrity check:[/bold red] {fault}\n"
                    "Serving reads only: writes answer 503 and /readyz reports it. "
                    "See docs/runbook.md, 'Corrupted database'."
                )
            run_or_exit(lambda: container.compliance)  # a bad rule pack fails here, not on the first draft
            run_or_exit(container.index.warm_up)
            app = create_app(container)
            bind_host = host or settings.host
            bind_port = port or settings.port
            out_console.print(
                f"replydraft serving on http://{bind_host}:{bind_port}  (API docs: /docs, console: /console)",
                soft_wrap=True,
            )
            # New keys are the one thing a first start must not let scroll away: they come last, once the
            # server is listening, after install, migration, indexing and server start-up output.
            keys_file = write_keys_file(keys, settings.data_dir) if keys else None
            config = uvicorn.Config(app, host=bind_host, port=bind_port, log_config=None, access_log=False)
            announce = (lambda: print_keys(keys, keys_file)) if keys and keys_file else None
            _run(config, announce)


def _run(config: Any, after_start: Callable[[], None] | None) -> None:
    """uvicorn's server, calling ``after_start`` once it listens."""
    import uvicorn

    class AnnouncingServer(uvicorn.Server):
        async def startup(self, sockets: Any = None) -> None:
            await super().startup(sockets)
            if after_start is not None and not self.should_exit:
                after_start()

    AnnouncingServer(config).run()


def _first_start(container: object) -> dict[str, str] | None:
    from service.container import Container
    from service.review.keys import bootstrap_local_keys

    assert isinstance(container, Container)
    container.db.upgrade()
    keys = bootstrap_local_keys(container.db)
    if keys:
        err_console.print("Created local API keys: they are printed when the server is up.")
    if container.index.live_version() is None:
        source = container.settings.knowledge_dir
        err_console.print(f"No live index yet: indexing {source} (first start only)...")
        report = container.index.reindex(source)
        err_console.print(
            f"Indexed {report.documents} documents, {report.chunks} chunks, {report.products} products "
            f"in {report.seconds:.1f} s."
        )
    return keys


def write_keys_file(keys: dict[str, str], data_dir: Path) -> Path:
    """The new keys in ``data_dir``, readable and writable by the owner only (0600), with a note."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = (data_dir / KEYS_FILE).resolve()
    lines = [
        f"# replydraft API keys created {datetime.now(UTC).isoformat(timespec='seconds')} by `serve --init`.",
        "# Move them into your password manager or secret store, then delete this file.",
        "# Only their hashes are kept in the database: they cannot be shown again.",
        *(f"{role}={key}" for role, key in keys.items()),
    ]
    # Created 0600 from the start (no window where another user could read it); an older file of the
    # same name is truncated and its mode reset.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, ("\n".join(lines) + "\n").encode("utf-8"))
    finally:
        os.close(fd)
    return path


def print_keys(keys: dict[str, str], keys_file: Path) -> None:
    body = Text()
    for role, key in keys.items():
        body.append(f"{role:<9} ", style="bold")
        body.append(f"{key}\n")
    body.append("\nShown once. Also saved, readable only by you, in\n")
    body.append(str(keys_file), style="bold")
    body.append("\nMove them into your secret store and delete that file.")
    out_console.print(Panel(body, title="Local API keys", border_style="green", expand=False))
