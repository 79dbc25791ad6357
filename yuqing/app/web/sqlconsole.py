"""The web SQL console: :func:`yuqing.store.readonly.run_readonly` with the web's limits, and
a refusal of queries that touch what analysts must not read through a browser.

Read-only is not enough in a browser: ``users.password_hash`` would hand out argon2 hashes
for offline cracking, and on PostgreSQL a superuser connection could read server files
(``pg_read_file``) or run dynamic SQL (``query_to_xml``) past any name check. So a statement
that names the ``users`` table, a ``password_hash`` column, a Unicode-escaped identifier or
one of those functions is refused before it is run. SQLite has no dynamic SQL, so there the
check is complete; on PostgreSQL it is defense in depth — production should give the
database URL a role that can only read the analysts' views.
"""

from __future__ import annotations

import re

from yuqing.store.readonly import QueryError, QueryResult, run_readonly

ROW_LIMITS = (100, 500, 2000)
DEFAULT_ROWS = 500
TIMEOUT_S = 10.0
MAX_SQL_CHARS = 20_000
MAX_BYTES = 1_000_000  # the values of the rows shown: a page stays a few MB at most (issue 14)

PROTECTED_NAMES = frozenset({"users", "password_hash", "web_sessions", "login_throttle"})
PROTECTED_FUNCTIONS = frozenset(
    {
        "query_to_xml",
        "query_to_xml_and_xmlschema",
        "query_to_json",
        "cursor_to_xml",
        "table_to_xml",
        "table_to_xml_and_xmlschema",
        "schema_to_xml",
        "database_to_xml",
        "dblink",
        "dblink_exec",
        "pg_read_file",
        "pg_read_binary_file",
        "pg_ls_dir",
        "pg_stat_file",
        "lo_import",
        "lo_get",
        "current_setting",
        "load_extension",
        "readfile",
    }
)
_TOKEN = re.compile(
    r"""
      (?P<comment>--[^\n]*|/\*.*?(?:\*/|\Z))
    | (?P<string>[EeBbXxNn]?'(?:[^']|'')*(?:'|\Z)|\$(?P<tag>[A-Za-z_]*)\$.*?(?:\$(?P=tag)\$|\Z))
    | (?P<uescape>[Uu]&["'])
    | (?P<quoted>"(?:[^"]|"")*(?:"|\Z)|`(?:[^`]|``)*(?:`|\Z)|\[[^\]]*(?:\]|\Z))
    | (?P<word>[^\W\d][\w$]*)
    """,
    re.S | re.X,
)


class ProtectedData(QueryError):
    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"refused: the web console does not read {name}")


def identifiers(sql: str) -> list[str]:
    """Every identifier and keyword of ``sql`` in lower case, quoted ones unquoted; strings
    and comments skipped; a Unicode-escaped identifier yields ``u&``."""
    out: list[str] = []
    for m in _TOKEN.finditer(sql):
        kind = m.lastgroup
        if kind == "word":
            out.append(m.group().lower())
        elif kind == "quoted":
            body = m.group()[1:-1] if len(m.group()) > 1 else ""
            out.append(body.replace('""', '"').replace("``", "`").lower())
        elif kind == "uescape":
            out.append("u&")
    return out


def check_protected(sql: str) -> None:
    for name in identifiers(sql):
        if name in PROTECTED_NAMES or name in PROTECTED_FUNCTIONS or name == "u&":
            raise ProtectedData(name)


def run_console(url: str, sql: str, limit: int) -> QueryResult:
    if len(sql) > MAX_SQL_CHARS:
        raise QueryError(f"query too long ({len(sql)} characters, at most {MAX_SQL_CHARS})")
    check_protected(sql)
    return run_readonly(url, sql, limit=limit, timeout=TIMEOUT_S, max_bytes=MAX_BYTES)
