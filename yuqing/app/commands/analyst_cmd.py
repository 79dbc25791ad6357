"""Analyst commands: ``yuqing digest``, ``yuqing sql``, ``yuqing export``, ``yuqing search``
and ``yuqing datasette``."""

from __future__ import annotations

import json
import sys
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime, time, timedelta
from functools import partial
from pathlib import Path
from typing import IO, Annotated, Any
from zoneinfo import ZoneInfo

import typer

from yuqing.app.commands.sql_limits import DEFAULT_MAX_BYTES, Deadline
from yuqing.app.state import AppState
from yuqing.errors import YuqingError
from yuqing.store.types import utcnow


class UsageError(YuqingError):
    exit_code = 2


def register(app: typer.Typer) -> None:
    app.command("digest")(digest_cmd)
    app.command("sql")(sql_cmd)
    app.command("export")(export_cmd)
    app.command("search")(search_cmd)
    app.command("datasette")(datasette_cmd)


# -- times ----------------------------------------------------------------------------------


# Days a time window may start or end on: far enough out for any question, near enough that
# local midnight still converts to UTC (9999-12-31 and 0001-01-01 overflowed; issue 14).
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(9998, 12, 31)


def in_range(value: datetime, option: str, text: str) -> datetime:
    """``value`` if it lies between :data:`FIRST_DAY` and :data:`LAST_DAY`, else UsageError."""
    if not FIRST_DAY <= value.date() <= LAST_DAY:
        raise UsageError(f"{option}: {text!r} is out of range (from {FIRST_DAY} to {LAST_DAY})")
    return value


def parse_day(value: str, option: str) -> date:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"{option}: invalid date {value!r} (expected YYYY-MM-DD)") from None
    return in_range(datetime.combine(day, time(12)), option, value).date()


def parse_since(value: str, now: datetime, tz: ZoneInfo, option: str = "--since") -> datetime:
    """``7d``/``24h``/``2w`` before ``now``, a day (local midnight) or an ISO date-time."""
    from yuqing.config.types import parse_duration

    try:
        return in_range(now - parse_duration(value), option, value)
    except OverflowError:
        raise UsageError(
            f"{option}: {value!r} is out of range (from {FIRST_DAY} to {LAST_DAY})"
        ) from None
    except ValueError:
        pass
    try:
        return in_range(datetime.combine(date.fromisoformat(value), time(0), tz), option, value)
    except ValueError:
        pass
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise UsageError(
            f"{option}: invalid time {value!r} (expected e.g. 7d, 24h, 2026-11-01 or "
            "2026-11-01T08:00)"
        ) from None
    return in_range(parsed if parsed.tzinfo else parsed.replace(tzinfo=tz), option, value)


def parse_until(value: str, now: datetime, tz: ZoneInfo) -> datetime:
    """A day includes itself (until its end); otherwise as ``--since``."""
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return parse_since(value, now, tz, "--until")
    return in_range(datetime.combine(day, time(0), tz), "--until", value) + timedelta(days=1)


# -- digest ---------------------------------------------------------------------------------


def digest_cmd(
    ctx: typer.Context,
    day: Annotated[
        str | None,
        typer.Option("--date", help="The day to report (YYYY-MM-DD; default yesterday)."),
    ] = None,
    department: Annotated[
        str | None, typer.Option(help="One department code, or 'city' (default: all).")
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Directory for the files (default: the digest archive).")
    ] = None,
    weekly: Annotated[bool, typer.Option("--weekly", help="The week ending on --date.")] = False,
) -> None:
    """Render the digests of a past day as HTML and text files and record them for the web
    app, so the link each digest prints resolves (nothing is sent)."""
    from yuqing.alerts.digest import CITY, archive, archive_dir, record, render
    from yuqing.alerts.digest_data import collect, period_for, scopes

    state: AppState = ctx.obj
    config = state.config()
    tz = ZoneInfo(config.settings.timezone)
    when = parse_day(day, "--date") if day else utcnow().astimezone(tz).date() - timedelta(days=1)
    known = scopes(config)
    if department is not None and department not in known:
        raise UsageError(
            f"--department: unknown department {department!r} (use 'city' or a code from "
            "departments.yaml)"
        )
    codes = (
        [department] if department else [CITY, *(d.code for d in config.departments.departments)]
    )
    period = period_for(when, "weekly" if weekly else "daily", config.settings.timezone)
    db = state.database()
    with db.session() as s:
        facts = collect(config, s, period)
    folder = out or archive_dir(config, when)
    now = utcnow()
    for code in codes:
        rendered = render(config, facts, known[code], now)
        path = archive(rendered, folder)
        with db.session() as s:
            record(s, rendered, path)
        typer.echo(f"{rendered.title}: {path} (+ .txt, .json); web: {rendered.url}")


# -- sql ------------------------------------------------------------------------------------


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    text = str(value)
    return " ".join(text.split()) if "\n" in text or "\t" in text else text


def print_table(columns: Sequence[str], rows: Sequence[Sequence[Any]], max_width: int = 60) -> None:
    """Aligned columns (Chinese counts double width); long cells are cut with …."""

    def cut(text: str) -> str:
        text = text[: max_width + 1]  # every character is at least one column wide
        if _width(text) <= max_width:
            return text
        out, w = "", 0
        for c in text:
            w += _width(c)
            if w > max_width - 1:
                return out + "…"
            out += c
        return out

    cells = [[cut(_cell(v)) for v in row] for row in rows]
    widths = [max([_width(c), *(_width(r[i]) for r in cells)]) for i, c in enumerate(columns)]

    def line(values: Sequence[str]) -> str:
        return "  ".join(v + " " * (w - _width(v)) for v, w in zip(values, widths, strict=True))

    typer.echo(line(list(columns)).rstrip())
    typer.echo("  ".join("-" * w for w in widths))
    for row in cells:
        typer.echo(line(row).rstrip())


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    return str(value)


def sql_cmd(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help="One read-only statement (SELECT, WITH, ...).")],
    fmt: Annotated[str, typer.Option("--format", help="table, csv, json or parquet.")] = "table",
    limit: Annotated[int, typer.Option(help="At most this many rows.")] = 1000,
    max_bytes: Annotated[
        int, typer.Option("--max-bytes", min=1, help="At most this many bytes of values.")
    ] = DEFAULT_MAX_BYTES,
    timeout: Annotated[
        float, typer.Option(help="Stop the query and its output after this many seconds.")
    ] = 30,
    out: Annotated[Path | None, typer.Option(help="Write to this file (default: stdout).")] = None,
) -> None:
    """Run read-only SQL against the database (writes are refused). Views: docs/schema.md."""
    import time as clock

    from yuqing.atomic import atomic_output
    from yuqing.store.readonly import run_readonly

    if fmt not in ("table", "csv", "json", "parquet"):
        raise UsageError(f"--format: unknown format {fmt!r} (expected table, csv, json or parquet)")
    state: AppState = ctx.obj
    config = state.config()
    deadline = Deadline.after(timeout, clock.monotonic())
    result = run_readonly(
        config.settings.effective_database_url,
        query,
        limit=limit,
        timeout=timeout,
        max_bytes=max_bytes,
    )
    if result.bytes_truncated:
        result.notes.append("raise the byte limit with --max-bytes")
    rows = _normalized(result.columns, deadline.rows(result.rows))
    tz = ZoneInfo(config.settings.timezone)
    if out is not None and fmt != "table":
        with atomic_output(out, "wb") as fh:
            n = _write_rows(fmt, result.columns, rows, fh, tz)
    elif fmt == "table":
        table = list(rows)
        if result.columns:
            print_table(result.columns, table)
        n = len(table)
    else:
        n = _write_rows(fmt, result.columns, rows, sys.stdout.buffer, tz)
        sys.stdout.buffer.flush()
    if fmt == "table" or out is not None:
        typer.echo(f"({n} rows, {result.elapsed_s * 1000:.0f} ms)", err=True)
    for note in [*result.notes, *deadline.notes]:
        typer.echo(f"note: {note}", err=True)


def _normalized(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[tuple[Any, ...]]:
    from yuqing.store.export import normalize_value

    for r in rows:
        yield tuple(normalize_value(c, v) for c, v in zip(columns, r, strict=True))


def _write_rows(
    fmt: str, columns: list[str], rows: Iterable[tuple[Any, ...]], fh: IO[bytes], tz: ZoneInfo
) -> int:
    from yuqing.store.export import write_csv, write_parquet

    if fmt == "csv":
        return write_csv(columns, rows, fh, tz)
    if fmt == "parquet":
        return write_parquet(columns, list(rows), fh, typed=False)
    data = [dict(zip(columns, r, strict=True)) for r in rows]
    text = json.dumps(data, ensure_ascii=False, default=_json_default, indent=1)
    fh.write((text + "\n").encode("utf-8"))
    return len(data)


# -- export ---------------------------------------------------------------------------------


def export_cmd(
    ctx: typer.Context,
    kind: Annotated[str, typer.Argument(help="posts or incidents.")],
    since: Annotated[str | None, typer.Option(help="From (7d, 2026-11-01, ...).")] = None,
    until: Annotated[str | None, typer.Option(help="Until this day (inclusive) or time.")] = None,
    sector: Annotated[str | None, typer.Option(help="Only this sector code.")] = None,
    district: Annotated[str | None, typer.Option(help="Only this district (e.g. 龙沙区).")] = None,
    fmt: Annotated[str, typer.Option("--format", help="csv, xlsx or parquet.")] = "csv",
    out: Annotated[
        Path | None, typer.Option(help="Output file (default: <kind>.<format>).")
    ] = None,
    codes: Annotated[
        bool,
        typer.Option(
            "--codes",
            help="Column names and values as codes (life_services, high) instead of Chinese; "
            "Parquet always has codes.",
        ),
    ] = False,
) -> None:
    """Export posts (with their tags) or incidents for a period: Chinese column names and
    values by default (CSV, Excel)."""
    from yuqing.alerts.export_zh import in_chinese
    from yuqing.store.export import FORMATS, KINDS, export_to_file

    if kind not in KINDS:
        raise UsageError(f"unknown export {kind!r} (expected posts or incidents)")
    if fmt not in FORMATS:
        raise UsageError(f"--format: unknown format {fmt!r} (expected csv, xlsx or parquet)")
    state: AppState = ctx.obj
    config = state.config()
    tz = ZoneInfo(config.settings.timezone)
    now = utcnow()
    start = parse_since(since, now, tz) if since else None
    end = parse_until(until, now, tz) if until else None
    path = out or Path(f"{kind}.{fmt}")
    db = state.database()
    with db.session() as s:
        n = export_to_file(
            s,
            kind,
            fmt,
            path,
            tz,
            transform=None if codes or fmt == "parquet" else partial(in_chinese, config),
            since=start,
            until=end,
            sector=sector,
            district=district,
        )
    typer.echo(f"exported {n} {kind} to {path}")


# -- search ---------------------------------------------------------------------------------


def search_cmd(
    ctx: typer.Context,
    expression: Annotated[
        str | None, typer.Argument(help="Keyword expression, e.g. '一刀切 AND (餐饮 OR 烧烤)'.")
    ] = None,
    since: Annotated[str | None, typer.Option(help="Only posts since (7d, 2026-11-01).")] = None,
    until: Annotated[str | None, typer.Option(help="Only posts until.")] = None,
    sector: Annotated[str | None, typer.Option(help="Only this sector code.")] = None,
    district: Annotated[str | None, typer.Option(help="Only this district.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many posts.")] = 50,
    fmt: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
    rebuild_index: Annotated[
        bool, typer.Option("--rebuild-index", help="Re-index every post, then exit.")
    ] = False,
) -> None:
    """Full-text search over posts with the keyword language (newest first)."""
    from yuqing.nlp.errors import KeywordSyntaxError
    from yuqing.nlp.rules import compile_expression
    from yuqing.store import fts
    from yuqing.store.search import search

    state: AppState = ctx.obj
    db = state.database()
    if rebuild_index:
        from yuqing.nlp.loader import load_tagger

        # the tagger's segmentation, as the crawl indexes posts (builds the model if missing)
        segment = load_tagger(state.config()).featurizer.segmenter.index_pieces
        with db.engine.begin() as conn:
            n = fts.rebuild(conn, segment)
        typer.echo(f"full-text index rebuilt: {n} posts")
        return
    if not expression:
        raise UsageError("give a keyword expression, e.g. yuqing search '一刀切 AND 烧烤'")
    if fmt not in ("table", "json"):
        raise UsageError(f"--format: unknown format {fmt!r} (expected table or json)")
    try:
        expr = compile_expression(expression, name="search")
    except KeywordSyntaxError as exc:
        raise UsageError(str(exc)) from exc
    config = state.config()
    tz = ZoneInfo(config.settings.timezone)
    now = utcnow()
    with db.session() as s:
        result = search(
            s,
            expr,
            since=parse_since(since, now, tz) if since else None,
            until=parse_until(until, now, tz) if until else None,
            sector=sector,
            district=district,
            limit=limit,
        )
    if fmt == "json":
        data = [
            {**h.__dict__, "published_at": h.published_at.astimezone(tz).isoformat()}
            for h in result.hits
        ]
        typer.echo(json.dumps(data, ensure_ascii=False, indent=1))
    else:
        rows = [
            (
                h.published_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
                h.district or "",
                h.title or h.snippet[:30],
                "、".join(h.evidence),
                h.url,
            )
            for h in result.hits
        ]
        print_table(["published", "district", "title", "evidence", "url"], rows, max_width=40)
    how = "index" if result.used_index else "scan"
    typer.echo(f"({len(result.hits)} posts; {result.candidates} checked by {how})", err=True)
    if result.truncated:
        typer.echo("note: stopped after scanning the limit; narrow --since", err=True)


# -- datasette ------------------------------------------------------------------------------


def datasette_metadata(database: str, title: str = "yuqing 舆情数据") -> dict[str, Any]:
    """Datasette metadata: the views and their descriptions, and a full-text search query."""
    from yuqing.store.views import VIEWS

    tables: dict[str, Any] = {name: {"description": desc} for name, desc in VIEWS.items()}
    tables["daily_counts"] = {"description": "v_daily_counts 的底表（触发器维护）"}
    tables["source_daily"] = {"description": "按日、来源统计的帖子数（触发器维护）"}
    for hidden in ("posts_fts", "posts_fts_map", "apscheduler_jobs", "alembic_version"):
        tables[hidden] = {"hidden": True}
    return {
        "title": title,
        "description": "Read-only. Columns and views are documented in docs/schema.md.",
        "databases": {
            database: {
                "tables": tables,
                "queries": {
                    "search_words": {
                        "title": "全文检索（分词）",
                        "description": "Posts whose jieba words include :word (e.g. 一刀切).",
                        "sql": (
                            "SELECT p.* FROM posts_fts f JOIN posts_fts_map m "
                            "ON m.fts_rowid = f.rowid JOIN v_posts p ON p.post_id = m.post_id "
                            "WHERE posts_fts MATCH 'words : ' || json_quote(:word) "
                            "ORDER BY p.published_at DESC LIMIT 200"
                        ),
                    }
                },
            }
        },
    }


def datasette_cmd(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8001,
) -> None:
    """Browse the SQLite database in Datasette, read-only (needs the 'datasette' extra)."""
    import importlib.util
    import subprocess

    from yuqing.store.readonly import sqlite_path

    state: AppState = ctx.obj
    config = state.config()
    path = sqlite_path(config.settings.effective_database_url)
    if path is None:
        raise UsageError("yuqing datasette is for the SQLite database; use `yuqing sql` instead")
    if importlib.util.find_spec("datasette") is None:
        raise UsageError(
            "Datasette is not installed: install the optional extra with "
            "`pip install 'yuqing[datasette]'`"
        )
    if not path.is_file():
        raise UsageError(f"no database file {path} (run `yuqing db upgrade` first)")
    from yuqing.atomic import write_atomic

    meta = config.settings.data_dir / "datasette-metadata.json"
    write_atomic(meta, json.dumps(datasette_metadata(path.stem), ensure_ascii=False, indent=1))
    args = [
        sys.executable,
        "-m",
        "datasette",
        "serve",
        "-i",
        str(path),
        "--metadata",
        str(meta),
        "--host",
        host,
        "--port",
        str(port),
        "--setting",
        "sql_time_limit_ms",
        "5000",
    ]
    typer.echo(f"Datasette on http://{host}:{port}/ (read-only: immutable {path})")
    raise typer.Exit(subprocess.call(args))
