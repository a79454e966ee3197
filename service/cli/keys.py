"""`replydraft keys create|list|revoke`: API keys with roles, stored hashed in the database."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from service.cli.common import container_from_env, err_console, out_console, run_or_exit
from service.container import Container
from service.review.admin_audit import local_operator
from service.review.principal import Role

if TYPE_CHECKING:
    from service.review.keys import DatabaseKeyStore

keys_app = typer.Typer(
    help="API keys: each has one role; the key itself is shown once.", no_args_is_help=True
)

ROLES = ", ".join(r.value for r in Role)


def _store(container: Container) -> DatabaseKeyStore:
    from service.review.keys import DatabaseKeyStore

    run_or_exit(container.db.check_schema)
    return DatabaseKeyStore(container.db)


@keys_app.command("create")
def create(
    role: Role = typer.Option(..., help=f"One of: {ROLES}"),
    name: str = typer.Option(..., help="Who or what uses the key"),
) -> None:
    """Create a key and print it once (stdout), its id and role on stderr (admin audit: the shell user)."""
    with container_from_env() as container:
        store = _store(container)
        key, info = run_or_exit(lambda: store.create_key(name, role, actor=local_operator()))
        err_console.print(
            f"created {info.id} ({info.role}, '{info.name}'); store the key now, it is not shown again:"
        )
        out_console.print(key, soft_wrap=True, highlight=False)


@keys_app.command("list")
def list_keys(as_json: bool = typer.Option(False, "--json")) -> None:
    """All keys (never their values), revoked ones included."""
    with container_from_env() as container:
        store = _store(container)
        keys = run_or_exit(store.list_keys)
        if as_json:
            out_console.print_json(json.dumps([k.model_dump(mode="json") for k in keys]))
            return
        table = Table("id", "name", "role", "prefix", "created", "revoked")
        for k in keys:
            table.add_row(
                k.id,
                k.name,
                k.role,
                k.prefix + "…",
                k.created_at.isoformat(timespec="seconds"),
                k.revoked_at.isoformat(timespec="seconds") if k.revoked_at else "",
            )
        out_console.print(table)


@keys_app.command("revoke")
def revoke(key_id: str = typer.Argument(..., help="The key's id (see `replydraft keys list`)")) -> None:
    """Revoke a key; requests with it fail from now on."""
    with container_from_env() as container:
        store = _store(container)
        info = run_or_exit(lambda: store.revoke(key_id, actor=local_operator()))
        out_console.print(f"revoked {info.id} ({info.role}, '{info.name}')")


def register(app: typer.Typer) -> None:
    app.add_typer(keys_app, name="keys")
