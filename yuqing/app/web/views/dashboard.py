"""The dashboard (issue 13): led by 一刀切/关停 ranked by district with the change against the
previous period of the same length, KPIs with their comparison and a link to what they count,
the 关停 trend first; then posts and incidents per day by sector and district (posts of unknown
district counted apart, never a district) and, for admins and analysts, sources health.

Every officer sees their own department's dashboard (:mod:`yuqing.app.web.leader`); admins and
analysts the city's, with a district selector.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from yuqing.alerts.digest_view import blanket_rules, source_titles
from yuqing.app.web import leader, stats
from yuqing.app.web.charts import Series, color_of, line_chart, stacked_bars
from yuqing.app.web.deps import any_user, get_web
from yuqing.app.web.labels import SECTOR_NAMES
from yuqing.app.web.render import CurrentUser, render

router = APIRouter()
TOP_DISTRICTS = 8
TREND_WIDTH, TREND_HEIGHT = 960, 260  # the lead chart spans the page


def _series(
    counts: stats.Counts,
    keys: list[str],
    days: list[str],
    name: dict[str, str],
    order: list[str],
) -> list[Series]:
    return [
        Series(
            name.get(k, k),
            [counts.get(k, {}).get(d, 0) for d in days],
            color_of(k, order),
        )
        for k in keys
    ]


def _sector_keys(counts: stats.Counts) -> list[str]:
    known = [k for k in SECTOR_NAMES if k in counts]
    return known + sorted(k for k in counts if k not in SECTOR_NAMES)


def _district_keys(keys: list[str], order: list[str]) -> list[str]:
    """The top districts in gazetteer order, then the rest."""
    rank = {name: i for i, name in enumerate(order)}
    return sorted(keys, key=lambda k: rank.get(k, len(order) + (k == "__rest__")))


def _known(counts: stats.Counts, order: list[str]) -> tuple[stats.Counts, int]:
    """The counts of known districts, and the total of the others (unknown district)."""
    known = {k: v for k, v in counts.items() if k in order}
    return known, sum(sum(v.values()) for k, v in counts.items() if k not in order)


def _href(path: str, **params: str) -> str:
    query = urlencode({k: v for k, v in params.items() if v})
    return f"{path}?{query}" if query else path


@router.get("/dashboard")
def dashboard(
    request: Request,
    user: Annotated[CurrentUser, Depends(any_user)],
    start: Annotated[str, Query(alias="from", max_length=20)] = "",
    end: Annotated[str, Query(alias="to", max_length=20)] = "",
    district: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    web = get_web(request)
    now = web.now()
    today = now.astimezone(web.tz).date()
    rng = stats.parse_range(start, end, today)
    prev = leader.previous(rng)
    scope = leader.dashboard_scope(web, user, district)
    analyst = user.role in ("admin", "analyst")
    days = [d.isoformat() for d in rng.days]
    names = {**SECTOR_NAMES, stats.UNKNOWN: "未标注", "__rest__": "其他区县"}
    lo, hi = rng.bounds(web.tz)
    plo, phi = prev.bounds(web.tz)
    blanket = blanket_rules(web.config)
    with web.db.session() as s:
        posts_sector = stats.posts_per_day(s, rng, web.tz, "sector", scope.posts)
        posts_district = stats.posts_per_day(s, rng, web.tz, "district", scope.posts)
        inc_sector = stats.incidents_per_day(s, rng, web.tz, "sector", scope.incidents)
        inc_district = stats.incidents_per_day(s, rng, web.tz, "district", scope.incidents)
        shutdown = stats.shutdown_per_day(s, rng, web.tz, scope.posts)
        sources = stats.sources_health(s, rng, web.tz) if analyst else []
        cur, before = leader.post_totals(s, lo, hi, scope), leader.post_totals(s, plo, phi, scope)
        incidents = leader.incidents_opened(s, lo, hi, scope)
        incidents_before = leader.incidents_opened(s, plo, phi, scope)
        overdue = leader.overdue_now(s, now, scope)
        by_district = leader.shutdown_by_district(s, lo, hi, scope)
        by_district_before = leader.shutdown_by_district(s, plo, phi, scope)
        cases = leader.cases_by_district(s, now, scope, blanket)
    order = web.config.gazetteer.district_names()
    window = {"from": rng.start.isoformat(), "to": rng.end.isoformat()}

    def inbox_of(d: str) -> str:
        return _href("/inbox", status="all", district=d)

    # one 一刀切 rule: its counts open the inbox filtered by it (several: the district's list)
    blanket_rule = next(iter(blanket)) if len(blanket) == 1 else ""

    def blanket_of(d: str, status: str = "all") -> str:
        return _href("/inbox", status=status, rule=blanket_rule, district=d)

    rows, unknown_shutdown = leader.ranking(
        by_district,
        by_district_before,
        cases,
        order,
        inbox_of,
        blanket_of,
        lambda d: blanket_of(d, "active"),
    )

    def posts_link(flag: str = "") -> str | None:
        return _href("/posts", flag=flag, district=scope.district, **window) if analyst else None

    kpis: list[dict[str, Any]] = [
        {
            "key": "blanket",
            "label": "一刀切式关停帖文",
            "now": cur["blanket"],
            "change": leader.change(cur["blanket"], before["blanket"]),
            "href": posts_link("blanket") or inbox_of(scope.district),
            "lead": True,
        },
        {
            "key": "shutdown",
            "label": "关停报告帖文",
            "now": cur["shutdown"],
            "change": leader.change(cur["shutdown"], before["shutdown"]),
            "href": posts_link("shutdown") or inbox_of(scope.district),
            "lead": True,
        },
        {
            "key": "incidents",
            "label": "新增预警事件",
            "now": incidents,
            "change": leader.change(incidents, incidents_before),
            "href": inbox_of(scope.district),
        },
        {
            "key": "overdue",
            "label": "超时未签收（当前）",
            "now": overdue,
            "change": None,
            "href": _href("/inbox", status="open", district=scope.district),
            "bad": overdue > 0,
        },
        {
            "key": "posts",
            "label": "帖文",
            "now": cur["posts"],
            "change": leader.change(cur["posts"], before["posts"]),
            "href": posts_link(),
        },
    ]
    if analyst:
        failing = sum(1 for src in sources if src.health == "failing")
        kpis.append(
            {
                "key": "failing",
                "label": "故障采集源",
                "now": failing,
                "change": None,
                "href": "/admin/sources" if user.role == "admin" else "#sources-health",
                "bad": failing > 0,
            }
        )

    kpis = [{"lead": False, "bad": False, "change": None, "href": None, **k} for k in kpis]
    sectors = list(SECTOR_NAMES)
    posts_district, posts_unknown = _known(posts_district, order)
    inc_district, inc_unknown = _known(inc_district, order)
    pd_keys, posts_district = stats.top_keys(posts_district, TOP_DISTRICTS)
    id_keys, inc_district = stats.top_keys(inc_district, TOP_DISTRICTS)
    pd_keys, id_keys = _district_keys(pd_keys, order), _district_keys(id_keys, order)
    trend = line_chart(
        "关停类舆情走势（每日帖文数）",
        rng.days,
        _series(
            shutdown,
            ["shutdown", "blanket"],
            days,
            {"shutdown": "关停报告", "blanket": "其中一刀切"},
            ["shutdown", "blanket"],
        ),
        width=TREND_WIDTH,
        height=TREND_HEIGHT,
    )
    by_district_charts = len(scope.districts) > 1 and not scope.district
    charts = [
        (
            stacked_bars(
                "每日帖文数（按区县）",
                rng.days,
                _series(posts_district, pd_keys, days, names, order),
            ),
            f"另有 {posts_unknown} 条帖文未识别区县。" if posts_unknown else "",
        ),
        (
            stacked_bars(
                "每日预警事件数（按区县）",
                rng.days,
                _series(inc_district, id_keys, days, names, order),
            ),
            f"另有 {inc_unknown} 起预警事件未识别区县。" if inc_unknown else "",
        ),
        (
            stacked_bars(
                "每日帖文数（按行业）",
                rng.days,
                _series(posts_sector, _sector_keys(posts_sector), days, names, sectors),
            ),
            "",
        ),
        (
            stacked_bars(
                "每日预警事件数（按行业）",
                rng.days,
                _series(inc_sector, _sector_keys(inc_sector), days, names, sectors),
            ),
            "",
        ),
    ]
    if not by_district_charts:  # one district: its ranking says it all
        charts = charts[2:]
    titles = source_titles(web.config)
    return render(
        request,
        "dashboard.html",
        {
            "rng": rng,
            "prev": prev,
            "scope": scope,
            "kpis": kpis,
            "ranking": rows,
            "unknown_shutdown": unknown_shutdown,
            "trend": trend,
            "charts": charts,
            "sources": sources,
            "analyst": analyst,
            "source_titles": titles,
        },
    )
