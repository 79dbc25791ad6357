"""Read-only SQL for analysts (``yuqing sql``), with row and time limits.

Read-only by construction, in layers, so that no single mistake lets a write through:

1. The statement is checked before it is sent: one statement only, of a reading kind
   (SELECT, WITH … SELECT, VALUES, TABLE, EXPLAIN of those, SHOW, and PRAGMA reads on SQLite),
   with no INSERT/UPDATE/DELETE/MERGE anywhere (``WITH d AS (DELETE …)``) and no
   ``SELECT … INTO``. This gives the clear message; the layers below are the guarantee.
2. SQLite: the file is opened with ``mode=ro`` (the library refuses every write), an authorizer
   allows only reads (no ATTACH, no PRAGMA that sets anything, no DDL or DML), and
   ``PRAGMA query_only`` is on.
   PostgreSQL: the statement runs in a ``READ ONLY`` transaction that is always rolled back,
   through the extended query protocol (one statement per call). For production, connect as a
   role that has only SELECT (``--database-url``): then even a superuser's functions are out
   of reach.
3. ``timeout`` cancels the statement (PostgreSQL ``statement_timeout``; SQLite a progress
   handler); at most ``limit`` rows are fetched (server-side cursor on PostgreSQL), and with
   ``max_bytes`` fetching stops before the rows' values pass that many bytes
   (``QueryResult.bytes_truncated``; on SQLite no single value may be longer, so
   ``randomblob(200000000)`` is stopped before it is built).
"""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy.engine import make_url

from yuqing.store.db import normalize_url, redact
from yuqing.store.errors import StoreError

READ_KINDS = ("SELECT", "WITH", "VALUES", "TABLE", "EXPLAIN", "SHOW", "PRAGMA")
WRITE_WORDS = ("INSERT", "UPDATE", "DELETE", "MERGE", "UPSERT", "REPLACE")
# PRAGMAs that only read (SQLite); anything else, and any "PRAGMA x = y", is refused.
READ_PRAGMAS = frozenset(
    {
        "table_info",
        "table_xinfo",
        "table_list",
        "index_list",
        "index_info",
        "index_xinfo",
        "foreign_key_list",
        "database_list",
        "collation_list",
        "function_list",
        "module_list",
        "pragma_list",
        "compile_options",
        "user_version",
        "schema_version",
        "application_id",
        "page_count",
        "page_size",
        "freelist_count",
        "encoding",
        "journal_mode",
        "foreign_keys",
        "query_only",
    }
)


class QueryError(StoreError):
    """The query failed (syntax, unknown table, ...): the database's own message."""

    exit_code = 2


class ReadOnlyViolation(QueryError):
    """A statement that writes, or that cannot be shown to only read."""

    def __init__(self, reason: str) -> None:
        super().__init__(
            f"refused: {reason}; `yuqing sql` runs read-only queries only "
            "(SELECT, WITH … SELECT, VALUES, EXPLAIN)"
        )


class QueryTimeout(QueryError):
    def __init__(self, seconds: float) -> None:
        super().__init__(f"query cancelled after {seconds:g} s (raise it with --timeout)")


@dataclass
class QueryResult:
    columns: list[str]
    rows: list[tuple[Any, ...]]
    truncated: bool = False  # more rows than the limit
    bytes_truncated: bool = False  # stopped before the rows' values passed max_bytes
    elapsed_s: float = 0.0
    notes: list[str] = field(default_factory=list)


# -- the statement check --------------------------------------------------------------------

_LEXEME = re.compile(
    r"""
      (?P<comment>--[^\n]*|/\*.*?(?:\*/|\Z))
    | (?P<string>'(?:[^']|'')*(?:'|\Z)|\$(?P<tag>[A-Za-z_]*)\$.*?(?:\$(?P=tag)\$|\Z))
    | (?P<ident>"(?:[^"]|"")*(?:"|\Z)|`[^`]*(?:`|\Z)|\[[^\]]*(?:\]|\Z))
    | (?P<word>[A-Za-z_][A-Za-z0-9_$]*)
    | (?P<semi>;)
    | (?P<other>.)
    """,
    re.S | re.X,
)


def _statements(sql: str) -> list[list[str]]:
    """Upper-cased keywords/identifiers (strings, quoted names and comments removed), per
    statement; parentheses and ``=`` kept as tokens."""
    out: list[list[str]] = [[]]
    for m in _LEXEME.finditer(sql):
        kind = m.lastgroup
        if kind == "word":
            out[-1].append(m.group().upper())
        elif kind == "semi":
            out.append([])
        elif kind == "other" and m.group() in "()=":
            out[-1].append(m.group())
        elif kind in ("string", "ident"):
            out[-1].append("?")
    return [s for s in out if s]


def check_statement(sql: str, dialect: str) -> str:
    """The statement's kind (SELECT, WITH, ...) or :class:`ReadOnlyViolation`."""
    statements = _statements(sql)
    if not statements:
        raise QueryError("empty query")
    if len(statements) > 1:
        raise ReadOnlyViolation("more than one statement (remove the ';' between them)")
    words = statements[0]
    kind = words[0]
    if kind == "EXPLAIN":
        rest = [w for w in words[1:] if w not in ("ANALYZE", "VERBOSE", "QUERY", "PLAN")]
        while rest and rest[0] == "(":  # EXPLAIN (ANALYZE, FORMAT JSON) ...
            rest = rest[rest.index(")") + 1 :] if ")" in rest else []
        inner = rest[0] if rest else ""
        if inner not in ("SELECT", "WITH", "VALUES", "TABLE"):
            raise ReadOnlyViolation(f"EXPLAIN {inner or '…'} is not a query")
    elif kind not in READ_KINDS:
        raise ReadOnlyViolation(f"{kind} is a write or administrative statement")
    if kind == "PRAGMA":
        if dialect != "sqlite":
            raise ReadOnlyViolation("PRAGMA is SQLite's")
        name = words[1].lower() if len(words) > 1 else ""
        if "=" in words or name not in READ_PRAGMAS:
            raise ReadOnlyViolation(f"PRAGMA {name or '…'} is not a read-only pragma")
    if kind == "SHOW" and dialect != "postgresql":
        raise ReadOnlyViolation("SHOW is PostgreSQL's")
    for word in words:
        if word in WRITE_WORDS and not (word == "REPLACE" and _is_function(words, word)):
            raise ReadOnlyViolation(f"{kind} … {word} writes")
    if "INTO" in words and kind in ("SELECT", "WITH"):
        raise ReadOnlyViolation("SELECT … INTO creates a table")
    return kind


def _is_function(words: list[str], word: str) -> bool:
    """``replace(...)`` the string function, not ``REPLACE INTO``."""
    i = words.index(word)
    return i + 1 < len(words) and words[i + 1] == "("


# -- fetching within the limits --------------------------------------------------------------


def value_size(value: object) -> int:
    """Bytes a value takes in a result: text as UTF-8, blobs as is, anything else as text."""
    if value is None:
        return 0
    if isinstance(value, bytes | bytearray | memoryview):
        return len(value)
    text = value if isinstance(value, str) else str(value)
    return len(text) if text.isascii() else len(text.encode("utf-8"))


def _fetch(
    cur: Any, limit: int, max_bytes: int | None, rows: list[tuple[Any, ...]]
) -> tuple[bool, bool]:
    """Append to ``rows`` up to ``limit`` rows of ``cur`` whose values total at most
    ``max_bytes``: (more rows than the limit, stopped at the byte limit)."""
    if max_bytes is None:
        rows.extend(tuple(r) for r in cur.fetchmany(limit + 1))
        more = len(rows) > limit
        del rows[limit:]
        return more, False
    total = 0
    while batch := cur.fetchmany(min(100, limit + 1 - len(rows))):
        for r in batch:
            if len(rows) == limit:
                return True, False
            total += sum(value_size(v) for v in r)
            if total > max_bytes:
                return False, True
            rows.append(tuple(r))
    return False, False


# -- SQLite ---------------------------------------------------------------------------------


def _sqlite_authorizer(action: int, arg1: str | None, arg2: str | None, *_: Any) -> int:
    allowed = {
        sqlite3.SQLITE_SELECT,
        sqlite3.SQLITE_READ,
        sqlite3.SQLITE_FUNCTION,
        getattr(sqlite3, "SQLITE_RECURSIVE", 33),
    }
    if action in allowed:
        return sqlite3.SQLITE_OK
    if action == sqlite3.SQLITE_PRAGMA and arg2 is None and (arg1 or "").lower() in READ_PRAGMAS:
        return sqlite3.SQLITE_OK
    return sqlite3.SQLITE_DENY


def sqlite_readonly_connect(path: Path) -> sqlite3.Connection:
    """The SQLite file opened read-only (``mode=ro``), with the read-only authorizer."""
    if not path.is_file():
        raise QueryError(f"no database file {path}")
    conn = sqlite3.connect(
        f"file:{quote(str(path.resolve()))}?mode=ro", uri=True, check_same_thread=False
    )
    try:
        conn.execute("PRAGMA query_only = ON")
        conn.execute("SELECT count(*) FROM sqlite_master")  # a damaged file fails here
    except sqlite3.DatabaseError as exc:
        conn.close()
        if "not a database" in str(exc):
            raise QueryError(f"{path} is not a database (damaged, or not a SQLite file)") from exc
        raise
    conn.set_authorizer(_sqlite_authorizer)
    return conn


def _run_sqlite(
    path: Path, sql: str, limit: int, timeout: float, max_bytes: int | None = None
) -> QueryResult:
    try:
        conn = sqlite_readonly_connect(path)
    except sqlite3.Error as exc:
        raise QueryError(f"cannot open {path} read-only: {exc}") from exc
    deadline = time.monotonic() + timeout
    conn.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)
    if max_bytes is not None:  # no single value may pass it: SQLite stops building it
        conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, max_bytes)
    columns: list[str] = []
    rows: list[tuple[Any, ...]] = []
    more = over = False
    try:
        cur = conn.execute(sql)
        columns = [d[0] for d in cur.description or ()]
        more, over = _fetch(cur, limit, max_bytes, rows)
    except sqlite3.DataError as exc:
        if max_bytes is None or "too big" not in str(exc):
            raise QueryError(f"SQLite: {exc}") from exc
        over = True  # a value (or one the query builds) passed max_bytes
    except sqlite3.DatabaseError as exc:
        msg = str(exc)
        if time.monotonic() > deadline and "interrupt" in msg:
            raise QueryTimeout(timeout) from exc
        if "not authorized" in msg or "readonly" in msg or "read-only" in msg:
            raise ReadOnlyViolation(f"the database refused it ({msg})") from exc
        raise QueryError(f"SQLite: {msg}") from exc
    finally:
        conn.close()
    return QueryResult(columns, rows, truncated=more, bytes_truncated=over)


# -- PostgreSQL -----------------------------------------------------------------------------


def _run_postgres(
    url: str, sql: str, kind: str, limit: int, timeout: float, max_bytes: int | None = None
) -> QueryResult:
    import psycopg
    from psycopg import errors as pg_errors

    conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    try:
        conn = psycopg.connect(conninfo, connect_timeout=10, autocommit=False)
    except psycopg.Error as exc:
        raise QueryError(f"cannot connect to {redact(url)}: {exc}") from exc
    try:
        with conn.transaction(force_rollback=True):
            conn.execute("SET TRANSACTION READ ONLY")
            conn.execute(f"SET LOCAL statement_timeout = {max(1, int(timeout * 1000))}")
            conn.execute("SET LOCAL idle_in_transaction_session_timeout = 60000")
            named = kind in ("SELECT", "WITH", "VALUES", "TABLE")
            cur = conn.cursor(name="yuqing_sql") if named else conn.cursor()
            with cur:
                cur.execute(sql)  # analysts' SQL is the point
                columns = [d.name for d in cur.description or ()]
                rows: list[tuple[Any, ...]] = []
                more = over = False
                if cur.description:
                    more, over = _fetch(cur, limit, max_bytes, rows)
    except pg_errors.QueryCanceled as exc:
        raise QueryTimeout(timeout) from exc
    except (pg_errors.ReadOnlySqlTransaction, pg_errors.InsufficientPrivilege) as exc:
        raise ReadOnlyViolation(f"the database refused it ({exc.diag.message_primary})") from exc
    except psycopg.Error as exc:
        primary = getattr(getattr(exc, "diag", None), "message_primary", None) or str(exc)
        raise QueryError(f"PostgreSQL: {primary}") from exc
    finally:
        conn.close()
    return QueryResult(columns, rows, truncated=more, bytes_truncated=over)


# -- entry point ----------------------------------------------------------------------------


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL (None for other backends)."""
    parsed = make_url(normalize_url(url))
    if parsed.get_backend_name() != "sqlite":
        return None
    if not parsed.database or parsed.database == ":memory:":
        raise QueryError("read-only SQL needs a database file, not an in-memory database")
    return Path(parsed.database)


def run_readonly(
    url: str,
    sql: str,
    *,
    limit: int = 1000,
    timeout: float = 30.0,
    max_bytes: int | None = None,
) -> QueryResult:
    """Run one read-only statement against the database at ``url``; with ``max_bytes``, stop
    fetching before the rows' values (text as UTF-8, blobs) pass that many bytes."""
    if limit < 1:
        raise QueryError(f"invalid row limit {limit} (must be at least 1)")
    if max_bytes is not None and max_bytes < 1:
        raise QueryError(f"invalid byte limit {max_bytes} (must be at least 1)")
    if timeout <= 0:
        raise QueryError(f"invalid timeout {timeout:g} s (must be positive)")
    url = normalize_url(url)
    path = sqlite_path(url)
    dialect = "sqlite" if path is not None else make_url(url).get_backend_name()
    if dialect not in ("sqlite", "postgresql"):
        raise QueryError(f"read-only SQL is not implemented for {dialect}")
    kind = check_statement(sql, dialect)
    started = time.monotonic()
    if path is not None:
        result = _run_sqlite(path, sql, limit, timeout, max_bytes)
    else:
        result = _run_postgres(url, sql, kind, limit, timeout, max_bytes)
    result.elapsed_s = time.monotonic() - started
    if result.truncated:
        result.notes.append(f"showing the first {limit} rows (raise it with --limit)")
    if result.bytes_truncated:
        result.notes.append(
            f"stopped after {len(result.rows)} rows: the result would pass {max_bytes} bytes"
        )
    return result


def iter_rows(result: QueryResult) -> Iterator[dict[str, Any]]:
    for row in result.rows:
        yield dict(zip(result.columns, row, strict=True))
