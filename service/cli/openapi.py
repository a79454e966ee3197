"""`replydraft openapi`: print the API's OpenAPI document (docs/openapi.json is generated with it)."""

from __future__ import annotations

import json

import typer


def register(app: typer.Typer) -> None:
    @app.command()
    def openapi() -> None:
        """Print the OpenAPI 3 document of the HTTP API as JSON (no server or index needed)."""
        from service.app import create_app
        from service.container import Container
        from service.settings import load_settings

        spec = create_app(Container(load_settings())).openapi()
        typer.echo(json.dumps(spec, ensure_ascii=False, indent=2, sort_keys=True))
