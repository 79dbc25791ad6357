"""Exports for analysts: posts or incidents (from the views) as CSV, Excel or Parquet, and
the table writers ``yuqing sql`` shares.

* CSV is UTF-8 with a byte-order mark, so Excel shows Chinese; times are local
  (``settings.timezone``) ``YYYY-MM-DD HH:MM:SS``.
* Excel (.xlsx, openpyxl, streamed): the same values; every text cell is stored as text, so a
  crawled ``=HYPERLINK(...)`` stays a string, never a formula.
* Parquet (pyarrow): typed columns; times are ``timestamp[us, UTC]``.

Crawled text is hostile: in CSV a value that a spreadsheet would read as a formula (it begins
with ``= + - @`` or a tab/CR) gets a leading ``'``, as OWASP recommends.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import IO, Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, text
from sqlalchemy.orm import Session

from yuqing.atomic import atomic_output
from yuqing.store.errors import StoreError
from yuqing.store.types import UTCDateTime

Format = Literal["csv", "xlsx", "parquet"]
FORMATS: tuple[str, ...] = ("csv", "xlsx", "parquet")
KINDS = {
    "posts": ("v_posts", "published_at", "post_id"),
    "incidents": ("v_incidents", "opened_at", "incident_id"),
}
# Incidents also export their structured resolution (issue 13), from the table itself so the
# view (and its migration) stays as it is.
SOURCES = {
    "v_incidents": (
        "(SELECT v.*, i.verification, i.verified, i.production_restored, i.public_response,"
        " i.public_response_note FROM v_incidents v JOIN incidents i ON i.id = v.incident_id) x"
    ),
}
CHUNK = 5000
XLSX_MAX_ROWS = 1_048_575  # plus the header row
XLSX_MAX_CELL = 32_767
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_ILLEGAL_XML = re.compile(r"[\000-\010\013\014\016-\037]")

INT_COLUMNS = frozenset(
    {
        "post_id",
        "incident_id",
        "cluster_id",
        "parent_id",
        "likes",
        "replies",
        "reposts",
        "tagged",
        "shutdown",
        "blanket",
        "complaint",
        "licensed",
        "post_count",
        "escalation_level",
        "merged_into",
        "overdue",
        "notified_count",
        "posts",
        "untagged",
    }
)


Transform = Callable[
    [list[str], Iterator[tuple[Any, ...]]], tuple[list[str], Iterator[tuple[Any, ...]]]
]


class ExportError(StoreError):
    exit_code = 2


# -- values ---------------------------------------------------------------------------------


def is_time_column(name: str) -> bool:
    return name.endswith("_at")


def normalize_value(name: str, value: Any) -> Any:
    """One backend-independent Python value: times aware UTC datetimes, days ``YYYY-MM-DD``
    strings, booleans 0/1."""
    if value is None:
        return None
    if is_time_column(name) and isinstance(value, str):  # SQLite keeps UTC text
        parsed = datetime.fromisoformat(value)
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


def local_text(value: Any, tz: ZoneInfo) -> Any:
    """A value as a spreadsheet shows it: times in ``tz`` without an offset."""
    if isinstance(value, datetime):
        return value.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S")
    return value


def csv_safe(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


# -- writers --------------------------------------------------------------------------------


def write_csv(
    columns: Sequence[str], rows: Iterable[Sequence[Any]], out: IO[bytes], tz: ZoneInfo
) -> int:
    stream = io.TextIOWrapper(out, encoding="utf-8-sig", newline="", write_through=True)
    writer = csv.writer(stream)
    writer.writerow(columns)
    n = 0
    for row in rows:
        writer.writerow([csv_safe(local_text(v, tz)) for v in row])
        n += 1
    stream.flush()
    stream.detach()
    return n


def write_xlsx(
    columns: Sequence[str], rows: Iterable[Sequence[Any]], out: IO[bytes], tz: ZoneInfo, sheet: str
) -> int:
    from openpyxl import Workbook  # type: ignore[import-untyped]
    from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet)
    ws.append(list(columns))
    n = 0
    for row in rows:
        if n >= XLSX_MAX_ROWS:
            raise ExportError(
                f"more than {XLSX_MAX_ROWS} rows do not fit in one Excel sheet; "
                "narrow --since/--until or use --format csv or parquet"
            )
        cells = []
        for v in row:
            if isinstance(v, datetime):
                v = v.astimezone(tz).replace(tzinfo=None, microsecond=0)  # as the CSV shows it
            elif isinstance(v, str):
                v = _ILLEGAL_XML.sub("", v)[:XLSX_MAX_CELL]
            cell = WriteOnlyCell(ws, value=v)
            if isinstance(v, str):
                cell.data_type = "s"  # never a formula
            cells.append(cell)
        ws.append(cells)
        n += 1
    wb.save(out)
    return n


def arrow_type(name: str) -> Any:
    import pyarrow as pa  # type: ignore[import-untyped]

    if is_time_column(name):
        return pa.timestamp("us", tz="UTC")
    if name in INT_COLUMNS:
        return pa.int64()
    if name.endswith("_score") or name.startswith("minutes_"):
        return pa.float64()
    return pa.string()


def write_parquet(
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    out: IO[bytes],
    typed: bool = True,
) -> int:
    """With ``typed``, column types follow the views' naming (``*_at`` times, ids and flags
    integers, ``*_score`` floats, else text) and rows stream in chunks; otherwise pyarrow
    infers types from all rows (``yuqing sql`` results, which are limited)."""
    import pyarrow as pa
    import pyarrow.parquet as pq  # type: ignore[import-untyped]

    if not typed:
        data = list(rows)
        table = pa.table(
            {c: pa.array([_arrow_safe(r[i]) for r in data]) for i, c in enumerate(columns)}
        )
        pq.write_table(table, out)
        return len(data)
    schema = pa.schema([(c, arrow_type(c)) for c in columns])
    n = 0
    with pq.ParquetWriter(out, schema) as writer:
        for chunk in _chunks(rows, CHUNK):
            arrays = [
                pa.array([r[i] for r in chunk], type=schema.field(i).type)
                for i in range(len(columns))
            ]
            writer.write_batch(pa.record_batch(arrays, schema=schema))
            n += len(chunk)
    return n


def _arrow_safe(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, timedelta):
        return value.total_seconds()
    return value


def _chunks(rows: Iterable[Sequence[Any]], size: int) -> Iterator[list[Sequence[Any]]]:
    chunk: list[Sequence[Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def write_table(
    fmt: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    out: IO[bytes],
    tz: ZoneInfo,
    sheet: str = "data",
    typed: bool = True,
) -> int:
    if fmt == "csv":
        return write_csv(columns, rows, out, tz)
    if fmt == "xlsx":
        return write_xlsx(columns, rows, out, tz, sheet)
    if fmt == "parquet":
        return write_parquet(columns, rows, out, typed=typed)
    raise ExportError(f"unknown format {fmt!r} (expected one of {', '.join(FORMATS)})")


# -- exports --------------------------------------------------------------------------------


def export_rows(
    session: Session,
    kind: str,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    sector: str | None = None,
    district: str | None = None,
) -> tuple[list[str], Iterator[tuple[Any, ...]]]:
    """Columns and (lazily fetched, normalized) rows of the export ``kind``."""
    if kind not in KINDS:
        raise ExportError(f"unknown export {kind!r} (expected posts or incidents)")
    view, time_col, key = KINDS[kind]
    where: list[str] = ["1 = 1"]
    params: dict[str, Any] = {}
    binds = []
    if since is not None:
        where.append(f"{time_col} >= :since")
        params["since"] = since
        binds.append(bindparam("since", type_=UTCDateTime()))
    if until is not None:
        where.append(f"{time_col} < :until")
        params["until"] = until
        binds.append(bindparam("until", type_=UTCDateTime()))
    if sector:
        where.append("sector = :sector")
        params["sector"] = sector
    if district:
        where.append("district = :district")
        params["district"] = district
    stmt = text(
        f"SELECT * FROM {SOURCES.get(view, view)} WHERE {' AND '.join(where)} "
        f"ORDER BY {time_col}, {key}"
    ).bindparams(*binds)
    result = session.execute(stmt.execution_options(yield_per=CHUNK), params)
    columns = list(result.keys())

    def rows() -> Iterator[tuple[Any, ...]]:
        for row in result:
            yield tuple(normalize_value(c, v) for c, v in zip(columns, row, strict=True))

    return columns, rows()


def export_to_file(
    session: Session,
    kind: str,
    fmt: str,
    path: Path,
    tz: ZoneInfo,
    transform: Transform | None = None,
    **filters: Any,
) -> int:
    """Write the export to ``path`` (atomically: a partial file never replaces a good one).
    ``transform`` maps (columns, rows) first, e.g. into Chinese (``yuqing.alerts.export_zh``)."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r} (expected one of {', '.join(FORMATS)})")
    columns, rows = export_rows(session, kind, **filters)
    if transform is not None:
        columns, rows = transform(columns, rows)
    with atomic_output(path, "wb") as fh:
        return write_table(fmt, columns, rows, fh, tz, sheet=kind)
