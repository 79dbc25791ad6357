"""Analyst pages: search (the keyword language), the post list, exports, read-only SQL."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import Response, StreamingResponse
from sqlalchemy import select

from yuqing.alerts import locality
from yuqing.alerts.export_zh import in_chinese
from yuqing.alerts.key_posts import reply_headings
from yuqing.app.web import sqlconsole, stats
from yuqing.app.web.audit import audit
from yuqing.app.web.deps import analyst, csrf, get_web
from yuqing.app.web.highlight import split_evidence
from yuqing.app.web.labels import SECTORS
from yuqing.app.web.posts import PostFilter, PostRow, list_posts
from yuqing.app.web.render import CurrentUser, render
from yuqing.config import Config
from yuqing.nlp.errors import KeywordSyntaxError
from yuqing.nlp.rules import compile_expression
from yuqing.store.export import ExportError, export_rows, write_table
from yuqing.store.models import Source
from yuqing.store.readonly import QueryError, QueryResult, QueryTimeout, ReadOnlyViolation
from yuqing.store.search import search as search_posts
from yuqing.store.views import VIEWS

router = APIRouter()
Analyst = Annotated[CurrentUser, Depends(analyst)]
SEARCH_LIMIT = 100
SEARCH_MAX_SCAN = 50_000  # candidates checked per request; the CLI has no such cap


@router.get("/search")
def search_page(
    request: Request,
    user: Analyst,
    q: Annotated[str, Query(max_length=1000)] = "",
    start: Annotated[str, Query(alias="from", max_length=20)] = "",
    end: Annotated[str, Query(alias="to", max_length=20)] = "",
    sector: Annotated[str, Query(max_length=40)] = "",
    district: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    web = get_web(request)
    today = web.now().astimezone(web.tz).date()
    rng = stats.parse_range(start, end, today, default_days=90)
    districts = web.config.gazetteer.district_names()
    sector = sector if sector in SECTORS else ""
    district = district if district in districts else ""
    error, result, hits = "", None, []
    replies: dict[int, tuple[str, str]] = {}
    if q.strip():
        try:
            expr = compile_expression(q.strip())
        except KeywordSyntaxError as exc:
            error = f"检索式有误：{exc}"
        else:
            lo, hi = rng.bounds(web.tz)
            with web.db.session() as s:
                result = search_posts(
                    s,
                    expr,
                    since=lo,
                    until=hi,
                    sector=sector or None,
                    district=district or None,
                    limit=SEARCH_LIMIT,
                    max_scan=SEARCH_MAX_SCAN,
                )
                replies = reply_headings(s, [h.post_id for h in result.hits])
            hits = [(h, split_evidence(h.snippet, h.evidence)) for h in result.hits]
    return render(
        request,
        "search.html",
        {
            "q": q,
            "rng": rng,
            "sector": sector,
            "district": district,
            "sectors": SECTORS,
            "districts": districts,
            "error": error,
            "result": result,
            "hits": hits,
            "replies": replies,
            "limit": SEARCH_LIMIT,
        },
        status_code=400 if error else 200,
    )


@router.get("/posts")
def posts_page(
    request: Request,
    user: Analyst,
    start: Annotated[str, Query(alias="from", max_length=20)] = "",
    end: Annotated[str, Query(alias="to", max_length=20)] = "",
) -> Response:
    web = get_web(request)
    today = web.now().astimezone(web.tz).date()
    rng = stats.parse_range(start, end, today, default_days=30)
    districts = web.config.gazetteer.district_names()
    with web.db.session() as s:
        sources = list(s.scalars(select(Source.name).order_by(Source.name)))
        f = PostFilter.parse(dict(request.query_params), districts, sources)
        lo, hi = rng.bounds(web.tz)
        rows, has_next = list_posts(s, f, lo, hi)
    params = {**f.params(), "from": rng.start.isoformat(), "to": rng.end.isoformat()}
    return render(
        request,
        "posts.html",
        {
            "f": f,
            "rng": rng,
            "rows": rows,
            "has_next": has_next,
            "params": params,
            "sources": sources,
            "sectors": SECTORS,
            "districts": districts,
            "other_region": _other_region(web.config, rows),
        },
    )


def _other_region(config: Config, rows: list[PostRow]) -> dict[int, str]:
    """Posts about other places (the locality gate): stored and searchable, never alerted."""
    out = {}
    for r in rows:
        if r.tags is not None:
            verdict = locality.decide(config, r.tags.district, r.tags.city_match, r.source)
            if not verdict.local:
                out[r.post.id] = verdict.why_zh
    return out


# -- exports ---------------------------------------------------------------------------------

EXPORT_KINDS = {"posts": "帖文及标签", "incidents": "预警事件及办理时效"}
EXPORT_FORMATS = {"csv": "CSV（Excel 可直接打开）", "xlsx": "Excel (.xlsx)", "parquet": "Parquet"}
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "parquet": "application/vnd.apache.parquet",
}


@router.get("/exports")
def exports_page(request: Request, user: Analyst) -> Response:
    web = get_web(request)
    today = web.now().astimezone(web.tz).date()
    rng = stats.parse_range("", "", today, default_days=30)
    return render(
        request,
        "exports.html",
        {
            "rng": rng,
            "kinds": EXPORT_KINDS,
            "formats": EXPORT_FORMATS,
            "sectors": SECTORS,
            "districts": web.config.gazetteer.district_names(),
        },
    )


@router.get("/exports/{kind}.{fmt}")
def export_download(
    request: Request,
    user: Analyst,
    kind: str,
    fmt: str,
    start: Annotated[str, Query(alias="from", max_length=20)] = "",
    end: Annotated[str, Query(alias="to", max_length=20)] = "",
    sector: Annotated[str, Query(max_length=40)] = "",
    district: Annotated[str, Query(max_length=40)] = "",
    codes: Annotated[str, Query(max_length=5)] = "",
) -> Response:
    """Chinese column names and values (CSV, Excel) unless ``codes=1`` (issue 13)."""
    if kind not in EXPORT_KINDS or fmt not in EXPORT_FORMATS:
        raise HTTPException(status_code=404, detail="no such export")
    web = get_web(request)
    today = web.now().astimezone(web.tz).date()
    rng = stats.parse_range(start, end, today, default_days=30)
    sector = sector if sector in SECTORS else ""
    district = district if district in web.config.gazetteer.district_names() else ""
    lo, hi = rng.bounds(web.tz)
    spool = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115
    try:
        with web.db.session() as s:
            columns, rows = export_rows(
                s, kind, since=lo, until=hi, sector=sector or None, district=district or None
            )
            if codes not in ("1", "true", "on") and fmt != "parquet":
                columns, rows = in_chinese(web.config, columns, rows)
            n = write_table(fmt, columns, rows, spool, web.tz, sheet=kind)
            audit(
                s,
                user.username,
                "export",
                "export",
                kind,
                {
                    "format": fmt,
                    "from": rng.start.isoformat(),
                    "to": rng.end.isoformat(),
                    "sector": sector,
                    "district": district,
                    "codes": codes in ("1", "true", "on"),
                    "rows": n,
                },
                at=web.now(),
            )
    except ExportError as exc:
        spool.close()
        return render(
            request, "error.html", {"title": "导出失败", "text": str(exc), "code": 400}, 400
        )
    except BaseException:
        spool.close()
        raise
    spool.seek(0)

    def chunks() -> Iterator[bytes]:
        try:
            while block := spool.read(64 * 1024):
                yield block
        finally:
            spool.close()

    name = f"yuqing-{kind}-{rng.start.isoformat()}-{rng.end.isoformat()}.{fmt}"
    return StreamingResponse(
        chunks(),
        media_type=MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


# -- read-only SQL ---------------------------------------------------------------------------

SQL_EXAMPLE = (
    "SELECT published_day, sector, district, COUNT(*) AS posts, SUM(shutdown) AS shutdown\n"
    "FROM v_posts\nGROUP BY 1, 2, 3\nORDER BY 1 DESC, 4 DESC"
)


def _sql_page(
    request: Request,
    sql: str = "",
    limit: int = sqlconsole.DEFAULT_ROWS,
    result: QueryResult | None = None,
    error: str = "",
    status: int = 200,
) -> Response:
    return render(
        request,
        "sql.html",
        {
            "sql": sql or SQL_EXAMPLE,
            "limit": limit,
            "limits": sqlconsole.ROW_LIMITS,
            "timeout": sqlconsole.TIMEOUT_S,
            "max_bytes": sqlconsole.MAX_BYTES,
            "result": result,
            "error": error,
            "views": VIEWS,
        },
        status_code=status,
    )


@router.get("/sql")
def sql_page(request: Request, user: Analyst) -> Response:
    return _sql_page(request)


def _sql_error_zh(exc: QueryError) -> str:
    if isinstance(exc, sqlconsole.ProtectedData):
        return (
            f"网页查询不允许读取受保护的数据（{exc.name}），"
            "请使用分析视图 v_posts、v_incidents、v_daily_counts。"
        )
    if isinstance(exc, QueryTimeout):
        return f"查询超过 {sqlconsole.TIMEOUT_S:g} 秒，已取消。请缩小范围或加上筛选条件。"
    if isinstance(exc, ReadOnlyViolation):
        return "只允许单条只读查询（SELECT / WITH / EXPLAIN）：该语句会修改数据库或无法确认只读。"
    return f"查询失败：{exc}"


@router.post("/sql", dependencies=[Depends(csrf)])
def sql_run(
    request: Request,
    user: Analyst,
    sql: Annotated[str, Form(max_length=sqlconsole.MAX_SQL_CHARS)] = "",
    limit: Annotated[int, Form()] = sqlconsole.DEFAULT_ROWS,
) -> Response:
    web = get_web(request)
    limit = limit if limit in sqlconsole.ROW_LIMITS else sqlconsole.DEFAULT_ROWS
    result: QueryResult | None = None
    error = ""
    try:
        result = sqlconsole.run_console(web.db.url, sql, limit)
    except QueryError as exc:
        error = _sql_error_zh(exc)
    with web.db.session() as s:
        audit(
            s,
            user.username,
            "sql.query",
            "sql",
            "-",
            {
                "sql": sql[:2000],
                "rows": len(result.rows) if result else None,
                "truncated": bool(result and (result.truncated or result.bytes_truncated)),
                "error": str(error)[:500] if error else None,
            },
            at=web.now(),
        )
    return _sql_page(request, sql, limit, result, error, 400 if error else 200)
