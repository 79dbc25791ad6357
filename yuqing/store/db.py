"""Engines, sessions and migrations.

SQLite (the default) gets WAL, a busy timeout and foreign keys on every connection;
PostgreSQL is used when the URL says so (``postgresql+psycopg://``). The schema is created
and changed only by the Alembic migrations in ``store/migrations``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError
from sqlalchemy.orm import Session, sessionmaker

from yuqing.store.errors import DatabaseUnavailable, SchemaOutOfDate

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 30_000
# The databases yuqing is built and tested for (``postgresql://`` means psycopg 3).
SUPPORTED_DRIVERS = frozenset({"sqlite", "sqlite+pysqlite", "postgresql+psycopg"})


def normalize_url(url: str) -> str:
    """Accept ``postgresql://`` and ``postgres://`` as psycopg 3 URLs."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def redact(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def make_engine(url: str, **kwargs: Any) -> Engine:
    url = normalize_url(url)
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise DatabaseUnavailable(redact(url), f"invalid database URL ({exc})") from exc
    if parsed.drivername not in SUPPORTED_DRIVERS:
        raise DatabaseUnavailable(
            redact(url),
            f"unsupported database {parsed.drivername!r} (supported: sqlite, e.g. "
            "sqlite:///var/yuqing.db, and postgresql+psycopg, e.g. "
            "postgresql+psycopg://user@host/db)",
        )
    try:
        parsed.get_dialect()
    except NoSuchModuleError as exc:  # pragma: no cover - both drivers are dependencies
        raise DatabaseUnavailable(redact(url), f"invalid database URL ({exc})") from exc
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            folder = Path(parsed.database).parent
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                why = "a file is in the way" if isinstance(exc, FileExistsError) else exc.strerror
                raise DatabaseUnavailable(redact(url), f"cannot create {folder}: {why}") from exc
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A transaction: commit on success, roll back on any exception."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def alembic_config(engine: Engine) -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def head_revision() -> str:
    script = ScriptDirectory(str(MIGRATIONS))
    head = script.get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    except DBAPIError as exc:
        raise unavailable(engine, exc) from exc


def unavailable(engine: Engine, exc: DBAPIError) -> DatabaseUnavailable:
    """The one-line error for a database that cannot be opened (a damaged SQLite file is named
    as such, not as a driver exception)."""
    reason = str(exc.orig).strip() or type(exc.orig).__name__
    url = engine.url
    if url.get_backend_name() == "sqlite" and "not a database" in reason:
        reason = f"{url.database} is not a database (damaged, or not a SQLite file)"
    elif url.get_backend_name() == "sqlite" and "unable to open" in reason:
        reason = f"cannot open {url.database} ({reason})"
    return DatabaseUnavailable(redact(str(url)), reason)


def upgrade(engine: Engine, revision: str = "head") -> tuple[str | None, str]:
    """Apply migrations; returns (revision before, revision after)."""
    before = current_revision(engine)
    command.upgrade(alembic_config(engine), revision)
    after = current_revision(engine)
    log.info("database %s: %s -> %s", redact(str(engine.url)), before, after)
    return before, after or ""


def ensure_current(engine: Engine) -> None:
    """Raise :class:`SchemaOutOfDate` unless the database is at the head revision."""
    current, head = current_revision(engine), head_revision()
    if current != head:
        raise SchemaOutOfDate(redact(str(engine.url)), current, head)
