"""`replydraft serve`: the API and console, with first-start setup when asked (`--init`)."""

from __future__ import annotations

import typer

from service.cli.common import container_from_env, err_console, out_console, run_or_exit


def register(app: typer.Typer) -> None:
    @app.command()
    def serve(
        host: str = typer.Option(None, help="Bind address (default REPLYDRAFT_HOST or 127.0.0.1)"),
        port: int = typer.Option(None, help="Port (default REPLYDRAFT_PORT or 8000)"),
        init: bool = typer.Option(
            False,
            "--init",
            help="First-start setup: apply database migrations, create local admin/reviewer keys if none "
            "exist (printed once), and index the knowledge folder if there is no live index.",
        ),
    ) -> None:
        """Serve the HTTP API (/docs), the reviewer console (/console) and /metrics."""
        import uvicorn

        from service.app import create_app
        from service.logs import configure_logging

        with container_from_env() as container:
            settings = container.settings
            configure_logging(settings.log_level, settings.log_json)
            if init:
                run_or_exit(lambda: _first_start(container))
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
                f"replydraft serving on http://{bind_host}:{bind_port}  (API docs: /docs, console: /console)"
            )
            uvicorn.run(app, host=bind_host, port=bind_port, log_config=None, access_log=False)


def _first_start(container: object) -> None:
    from service.container import Container
    from service.review.keys import bootstrap_local_keys

    assert isinstance(container, Container)
    container.db.upgrade()
    keys = bootstrap_local_keys(container.db)
    if keys:
        out_console.print("[bold]Local API keys (shown once; store them now):[/bold]")
        for role, key in keys.items():
            out_console.print(f"  {role:<9} {key}")
    if container.index.live_version() is None:
        source = container.settings.knowledge_dir
        err_console.print(f"No live index yet: indexing {source} (first start only)...")
        report = container.index.reindex(source)
        err_console.print(
            f"Indexed {report.documents} documents, {report.chunks} chunks, {report.products} products "
            f"in {report.seconds:.1f} s."
        )
