"""The analysts' dashboard: posts and incidents per day by sector and district, shutdown reports
over time, sources health — for a date range."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from yuqing.app.web import stats
from yuqing.app.web.charts import Series, color_of, line_chart, stacked_bars
from yuqing.app.web.deps import analyst, get_web
from yuqing.app.web.labels import SECTOR_NAMES
from yuqing.app.web.render import CurrentUser, render

router = APIRouter()
TOP_DISTRICTS = 8


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
    """The top districts in gazetteer order, then unknown, then the rest."""
    rank = {name: i for i, name in enumerate(order)}
    return sorted(keys, key=lambda k: rank.get(k, len(order) + (k == "__rest__")))


@router.get("/dashboard")
def dashboard(
    request: Request,
    user: Annotated[CurrentUser, Depends(analyst)],
    start: Annotated[str, Query(alias="from", max_length=20)] = "",
    end: Annotated[str, Query(alias="to", max_length=20)] = "",
) -> Response:
    web = get_web(request)
    today = web.now().astimezone(web.tz).date()
    rng = stats.parse_range(start, end, today)
    days = [d.isoformat() for d in rng.days]
    names = {**SECTOR_NAMES, stats.UNKNOWN: "未标注/未识别", "__rest__": "其他区县"}
    with web.db.session() as s:
        posts_sector = stats.posts_per_day(s, rng, web.tz, "sector")
        posts_district = stats.posts_per_day(s, rng, web.tz, "district")
        inc_sector = stats.incidents_per_day(s, rng, web.tz, "sector")
        inc_district = stats.incidents_per_day(s, rng, web.tz, "district")
        shutdown = stats.shutdown_per_day(s, rng, web.tz)
        sources = stats.sources_health(s, rng, web.tz)
    sectors = list(SECTOR_NAMES)
    districts = web.config.gazetteer.district_names()
    pd_keys, posts_district = stats.top_keys(posts_district, TOP_DISTRICTS)
    id_keys, inc_district = stats.top_keys(inc_district, TOP_DISTRICTS)
    pd_keys, id_keys = _district_keys(pd_keys, districts), _district_keys(id_keys, districts)
    charts = [
        stacked_bars(
            "每日帖文数（按行业）",
            rng.days,
            _series(posts_sector, _sector_keys(posts_sector), days, names, sectors),
        ),
        stacked_bars(
            "每日帖文数（按区县）",
            rng.days,
            _series(posts_district, pd_keys, days, names, districts),
        ),
        stacked_bars(
            "每日预警事件数（按行业）",
            rng.days,
            _series(inc_sector, _sector_keys(inc_sector), days, names, sectors),
        ),
        stacked_bars(
            "每日预警事件数（按区县）",
            rng.days,
            _series(inc_district, id_keys, days, names, districts),
        ),
        line_chart(
            "关停类舆情走势",
            rng.days,
            _series(
                shutdown,
                ["shutdown", "blanket"],
                days,
                {"shutdown": "关停报告", "blanket": "其中一刀切"},
                ["shutdown", "blanket"],
            ),
        ),
    ]
    totals = {
        "posts": sum(sum(v.values()) for v in posts_sector.values()),
        "incidents": sum(sum(v.values()) for v in inc_sector.values()),
        "shutdown": sum(shutdown["shutdown"].values()),
        "blanket": sum(shutdown["blanket"].values()),
        "failing": sum(1 for src in sources if src.health == "failing"),
    }
    return render(
        request,
        "dashboard.html",
        {"rng": rng, "charts": charts, "sources": sources, "totals": totals},
    )
