"""Migrations alone make the schema: from empty, on every backend, matching the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from yuqing.store import fts, rollup, source_rollup, views
from yuqing.store.db import current_revision, head_revision, make_engine, upgrade
from yuqing.store.errors import SchemaOutOfDate
from yuqing.store.models import Base
from yuqing.store.session import Database


def test_upgrade_from_empty_creates_every_table(db_url: str) -> None:
    engine = make_engine(db_url)
    assert current_revision(engine) is None
    before, after = upgrade(engine)
    assert (before, after) == (None, head_revision())
    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    engine.dispose()


def _modeled(name: str | None, type_: str, _parents: object) -> bool:
    """Leave out what migrations add beyond the ORM: the full-text index's tables (and FTS5's
    shadow tables), the trigger-kept daily_counts and the views' expression index."""
    if (
        type_ == "table"
        and name
        and (name.startswith(fts.UNMODELED_PREFIX) or name in (rollup.TABLE, source_rollup.TABLE))
    ):
        return False
    return not (type_ == "index" and name in views.INDEXES)


def test_schema_matches_models_exactly(database: Database) -> None:
    with database.engine.connect() as conn:
        ctx = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_name": _modeled}
        )
        diff = compare_metadata(ctx, Base.metadata)
    assert diff == []


def test_upgrade_twice_is_a_no_op(database: Database) -> None:
    assert upgrade(database.engine) == (head_revision(), head_revision())


def test_code_refuses_a_stale_schema(db_url: str) -> None:
    db = Database(db_url)
    try:
        db.check_schema()
        raise AssertionError("an empty database must be refused")
    except SchemaOutOfDate as exc:
        assert "is at schema revision none" in str(exc)
        assert "run `yuqing db upgrade`" in str(exc)
    finally:
        db.dispose()


def test_sqlite_pragmas(sqlite_database: Database) -> None:
    with sqlite_database.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 30000
