"""Database adapter and migrations: `replydraft db upgrade|current`, schema checks, SQLite settings."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from typer.testing import CliRunner

from service.cli import app as cli
from service.errors import ErrorCode, ReplydraftError
from service.review.db import Database, normalise_url
from service.review.orm import Base
from service.settings import Settings
from tests import test_review_support as support

backend, db = support.backend, support.db  # fixtures
runner = CliRunner()


@pytest.fixture
def empty_url(backend: str, tmp_path: Path) -> Iterator[str]:
    yield from support.empty_database_url(backend, tmp_path)


def _env(url: str, tmp_path: Path) -> dict[str, str]:
    return {
        "REPLYDRAFT_DATABASE_URL": url,
        "REPLYDRAFT_DATA_DIR": str(tmp_path),
        "REPLYDRAFT_EMBEDDER": "fake",
    }


def test_db_upgrade_cli_migrates_an_empty_database_once(empty_url: str, tmp_path: Path) -> None:
    env = _env(empty_url, tmp_path)
    before = runner.invoke(cli, ["db", "current"], env=env)
    assert before.exit_code == 1 and "empty" in before.output and "db upgrade" in before.output
    database = Database(empty_url)
    with pytest.raises(ReplydraftError) as err:
        database.check_schema()
    assert err.value.code == ErrorCode.SCHEMA_OUTDATED and "replydraft db upgrade" in err.value.message

    up = runner.invoke(cli, ["db", "upgrade"], env=env)
    assert up.exit_code == 0, up.output
    assert f"to {database.head()}" in up.output
    again = runner.invoke(cli, ["db", "upgrade"], env=env)
    assert again.exit_code == 0 and "already at" in again.output
    after = runner.invoke(cli, ["db", "current"], env=env)
    assert after.exit_code == 0 and database.head() in after.output
    database.check_schema()
    assert {"drafts", "audit_log", "outbox", "sends", "api_keys"} <= set(
        inspect(database.engine).get_table_names()
    )
    database.close()


def test_migrations_create_exactly_the_orm_schema(db: Database) -> None:
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert diff == []


def test_downgrade_to_base_and_back(empty_url: str) -> None:
    database = Database(empty_url)
    database.upgrade()
    with database.engine.begin() as conn:
        command.downgrade(database._alembic_config(conn), "base")
    assert database.current() is None
    assert "drafts" not in inspect(database.engine).get_table_names()
    database.upgrade()
    database.check_schema()
    database.close()


def test_sqlite_runs_in_wal_mode_with_foreign_keys_and_a_busy_timeout(tmp_path: Path) -> None:
    database = Database.from_settings(Settings(data_dir=tmp_path / "nested" / "data", embedder="fake"))
    assert database.url.endswith("nested/data/replydraft.db")
    with database.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert int(conn.exec_driver_sql("PRAGMA busy_timeout").scalar() or 0) >= 5000
    database.close()


def test_postgres_urls_use_psycopg_3() -> None:
    assert normalise_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_url("postgresql+psycopg://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_url("sqlite:///x.db") == "sqlite:///x.db"


def test_unsupported_and_unreachable_databases_fail_with_a_clear_error() -> None:
    with pytest.raises(ReplydraftError) as unsupported:
        Database("mysql://u@h/db")
    assert unsupported.value.code == ErrorCode.CONFIG
    down = Database("postgresql+psycopg://postgres:secret@127.0.0.1:1/none?connect_timeout=2")
    with pytest.raises(ReplydraftError) as err:
        down.current()
    assert err.value.code == ErrorCode.UPSTREAM_UNAVAILABLE and "secret" not in err.value.message
    down.close()
