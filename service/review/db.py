"""The database adapter: one SQLAlchemy engine, transactional sessions and Alembic migrations.

SQLite (the default, a file in the data folder) runs in WAL mode with foreign keys and a busy timeout, and
write transactions start with ``BEGIN IMMEDIATE`` so two writers queue on the lock instead of failing
with "database is locked" when a read transaction tries to upgrade. PostgreSQL is selected by
``REPLYDRAFT_DATABASE_URL`` (psycopg 3). The Alembic configuration is built in code from the migrations
folder inside this package, so migrations work from an installed wheel without an ``alembic.ini``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar, cast

from sqlalchemy import Engine, Table, create_engine, event, insert, or_, select, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DatabaseError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session

from service.errors import ErrorCode, ReplydraftError
from service.settings import Settings

log = logging.getLogger("replydraft.db")

MIGRATIONS = Path(__file__).parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 15_000
_WRITE = "replydraft_write"
# Any constant works; it only has to be the same for every replica that migrates the same database.
_MIGRATION_LOCK = 0x7265706C79


def storable(text: str) -> bool:
    """PostgreSQL text cannot hold NUL characters; an id or text with one can match or store nothing."""
    return "\x00" not in text


def without_nul(value: Any) -> Any:
    """``value`` (str, list or dict, nested) with NUL characters removed."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [without_nul(v) for v in value]
    if isinstance(value, dict):
        return {k: without_nul(v) for k, v in value.items()}
    return value


def insert_rows(session: Session, model: Any, rows: list[dict[str, Any]]) -> None:
    """A plain Core INSERT (the ORM's bulk path costs more and adds nothing for append-only rows)."""
    session.execute(insert(cast(Table, model.__table__)), rows)


T = TypeVar("T")


def claim_due(
    db: Database,
    model: Any,
    order_by: tuple[Any, ...],
    take: Callable[[Any], T],
    *,
    worker_id: str,
    now: datetime,
    lease_s: float,
    limit: int,
) -> list[T]:
    """Lease up to ``limit`` due pending rows of a work queue (outbox, store actions) to one worker.

    ``SKIP LOCKED`` lets replicas claim side by side on PostgreSQL; the lease (``claim_expires_at``) hands a
    row to another worker when its holder died mid-way. Each claim counts as an attempt.
    """
    query = (
        select(model)
        .where(
            model.status == "pending",
            model.next_attempt_at <= now,
            or_(model.claim_expires_at.is_(None), model.claim_expires_at < now),
        )
        .order_by(*order_by)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    claimed: list[T] = []
    with db.write() as s:
        for row in s.scalars(query):
            row.claimed_by = worker_id
            row.claim_expires_at = now + timedelta(seconds=lease_s)
            row.attempts += 1
            claimed.append(take(row))
    return claimed


def normalise_url(url: str) -> str:
    """``postgres://`` and ``postgresql://`` mean psycopg 3 here (psycopg2 is not installed)."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class Database:
    """Engine plus session helpers. ``read()`` and ``write()`` are transactions that commit on success."""

    def __init__(self, url: str, *, echo: bool = False, pool_size: int = 10) -> None:
        self.url = normalise_url(url)
        parsed = make_url(self.url)
        self.dialect = parsed.get_backend_name()
        # Re-entrant: a nested write in one thread then fails on the busy timeout instead of hanging.
        self._write_lock: threading.RLock | None = threading.RLock() if self.dialect == "sqlite" else None
        if self.dialect == "sqlite":
            database = parsed.database or ""
            if database and database != ":memory:" and not database.startswith("file:"):
                Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
            self.engine = create_engine(
                self.url,
                echo=echo,
                connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
                pool_size=pool_size,
                max_overflow=pool_size,
            )
            _configure_sqlite(self.engine)
        elif self.dialect == "postgresql":
            self.engine = create_engine(
                self.url, echo=echo, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True
            )
        else:
            raise ReplydraftError(
                ErrorCode.CONFIG,
                f"unsupported database '{self.dialect}': use sqlite:///path or postgresql+psycopg://...",
            )

        # Set when the database failed its integrity check (or a statement found it corrupt): writes are
        # refused from then on, and readiness reports it, until an operator restores the file.
        self.fault: str | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> Database:
        return cls(settings.sqlalchemy_url)

    @property
    def is_postgres(self) -> bool:
        return self.dialect == "postgresql"

    @property
    def safe_url(self) -> str:
        """The URL without its password, for messages and logs."""
        return make_url(self.url).render_as_string(hide_password=True)

    # --- transactions ------------------------------------------------------------------------------
    @contextmanager
    def read(self) -> Iterator[Session]:
        """Reads in autocommit: each statement sees committed data, and no BEGIN/COMMIT round trips."""
        with self._session(write=False) as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A write transaction: serialised up front on SQLite, row locks and CAS updates on PostgreSQL."""
        if self.fault is not None:
            raise self._corrupt_error()
        if self._write_lock is None:
            with self._session(write=True) as session:
                yield session
            return
        # SQLite has one writer at a time. Queueing this process's writers on a lock wakes the next one
        # as soon as the previous commits; SQLite's own busy handler would sleep in 1-100 ms steps.
        with self._write_lock, self._session(write=True) as session:
            yield session

    @contextmanager
    def _session(self, *, write: bool) -> Iterator[Session]:
        try:
            with Session(self.engine, expire_on_commit=False, autoflush=False) as session:
                options: dict[str, Any] = {_WRITE: write}
                if not write and self.is_postgres:
                    options["isolation_level"] = "AUTOCOMMIT"
                session.connection(execution_options=options)
                try:
                    yield session
                    session.commit()
                except BaseException:
                    session.rollback()
                    raise
        except OperationalError as exc:
            raise ReplydraftError(
                ErrorCode.UPSTREAM_UNAVAILABLE, f"database unavailable: {_short(exc)}"
            ) from exc
        except DatabaseError as exc:
            if not is_corruption(exc):
                raise
            self.fault = self.fault or _short(exc)
            log.error("database is corrupt", extra={"error": self.fault})
            raise self._corrupt_error() from exc

    # --- integrity ---------------------------------------------------------------------------------
    def _corrupt_error(self) -> ReplydraftError:
        return ReplydraftError(
            ErrorCode.DATABASE_CORRUPT,
            f"the database failed its integrity check ({self.fault}); writes are refused until it is "
            "restored: see docs/runbook.md, 'Corrupted database'",
            fault=self.fault,
        )

    def check_integrity(self) -> str | None:
        """SQLite's ``PRAGMA quick_check`` (a full scan of the file, without the slower index checks), run
        once at start-up; returns the fault (and remembers it) or None. PostgreSQL checks its own pages."""
        if self.dialect != "sqlite":
            return None
        try:
            with self.engine.connect() as conn:
                rows = [str(r[0]) for r in conn.exec_driver_sql("PRAGMA quick_check(5)")]
        except OperationalError as exc:
            raise ReplydraftError(
                ErrorCode.UPSTREAM_UNAVAILABLE, f"database {self.safe_url} unavailable: {_short(exc)}"
            ) from exc
        except DatabaseError as exc:  # not even a database file, or its header is damaged
            rows = [_short(exc)]
        if rows != ["ok"]:
            self.fault = " ".join("; ".join(rows).split())[:300]
            log.error("database failed its integrity check", extra={"error": self.fault})
        return self.fault

    # --- migrations --------------------------------------------------------------------------------
    def _alembic_config(self, connection: Connection | None = None) -> Any:
        from alembic.config import Config

        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        cfg.set_main_option("path_separator", "os")
        if connection is not None:
            cfg.attributes["connection"] = connection
        return cfg

    def head(self) -> str:
        from alembic.script import ScriptDirectory

        heads = ScriptDirectory.from_config(self._alembic_config()).get_heads()
        return heads[0]

    def current(self) -> str | None:
        """The revision the database is at, or None when it was never migrated; readiness calls it on
        every probe, so it is also the cheap per-probe check that the file still reads."""
        from alembic.runtime.migration import MigrationContext

        try:
            with self.engine.connect() as conn:
                return MigrationContext.configure(conn).get_current_revision()
        except OperationalError as exc:
            raise ReplydraftError(
                ErrorCode.UPSTREAM_UNAVAILABLE, f"database {self.safe_url} unavailable: {_short(exc)}"
            ) from exc
        except DatabaseError as exc:
            if not is_corruption(exc):
                raise
            self.fault = self.fault or _short(exc)
            raise self._corrupt_error() from exc

    def upgrade(self, revision: str = "head") -> None:
        """Apply migrations; replicas starting together serialise on an advisory lock (PostgreSQL)."""
        from alembic import command

        try:
            with self.engine.begin() as conn:
                if self.is_postgres:
                    conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATION_LOCK})
                command.upgrade(self._alembic_config(conn), revision)
        except SQLAlchemyError as exc:
            raise ReplydraftError(ErrorCode.INTERNAL, f"migration failed: {_short(exc)}") from exc
        log.info("database at revision %s", self.current())

    def check_schema(self) -> None:
        """Refuse to serve on a database that is behind (or ahead of) this code's migrations."""
        current, head = self.current(), self.head()
        if current != head:
            raise ReplydraftError(
                ErrorCode.SCHEMA_OUTDATED,
                f"database schema is at {current or 'nothing'}, this version needs {head}: "
                "run `replydraft db upgrade`",
                current=current,
                head=head,
            )

    def close(self) -> None:
        self.engine.dispose()


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" hook below issue BEGIN, so writes can ask for IMMEDIATE.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # Reads run in autocommit (no BEGIN): in WAL mode each statement reads a consistent snapshot.
        if conn.get_execution_options().get(_WRITE, True):
            conn.exec_driver_sql("BEGIN IMMEDIATE")


_CORRUPTION = ("malformed", "not a database", "corrupt", "disk i/o error")


def is_corruption(exc: BaseException) -> bool:
    """SQLite's SQLITE_CORRUPT / SQLITE_NOTADB family: the file is damaged, retrying will not help."""
    message = str(getattr(exc, "orig", None) or exc).lower()
    return any(word in message for word in _CORRUPTION)


def _short(exc: BaseException) -> str:
    message = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return message[0][:300] if message else type(exc).__name__
