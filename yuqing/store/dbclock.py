"""The database's clock: every lock, heartbeat and lease of the fleet compares times read here
(issue 15), never the hosts' own clocks, so two hosts whose clocks disagree cannot steal a
lock early (a host running ahead) or keep one late (a host running behind).

PostgreSQL: ``statement_timestamp()`` of the server. SQLite: SQLite's own ``'now'`` (the
database file is on one host; reading it through SQL keeps one code path and lets no Python
clock in).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import text

from yuqing.store.session import Database

Clock = Callable[[], datetime]

_QUERY = {
    "postgresql": "SELECT statement_timestamp()",
    "sqlite": "SELECT strftime('%Y-%m-%d %H:%M:%f', 'now')",
}


def _aware(value: datetime | str) -> datetime:
    if isinstance(value, str):  # SQLite: 'YYYY-MM-DD HH:MM:SS.SSS', UTC
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def database_clock(db: Database) -> Clock:
    """A function answering the database server's current time (aware, UTC)."""
    query = text(_QUERY.get(db.dialect, "SELECT CURRENT_TIMESTAMP"))

    def now() -> datetime:
        with db.engine.connect() as conn:
            return _aware(conn.execute(query).scalar_one())

    return now
