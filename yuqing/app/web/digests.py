"""Queries behind the digest pages, and the digest's charts redrawn from its archived data.

Who reads which digest follows the incidents' role model (:mod:`scoping`): admins and analysts
read every digest; an officer the digests their department receives — its own, and the
city-wide one when the department is ``routing.escalation_receiver`` (the same rule that sends
it: :func:`yuqing.alerts.digest_archive.receiver_of`).

A digest's page is drawn from the JSON archived beside its HTML (:mod:`digest_archive`), never
from the e-mail HTML (inline styles, which the CSP forbids); digests archived before the JSON
existed show their plain text.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from fastapi import HTTPException
from sqlalchemy import case, select
from sqlalchemy.orm import Session

from yuqing.alerts.digest_archive import archive_dir, data_path, file_stem, read_data, receiver_of
from yuqing.alerts.digest_data import CITY, CITY_NAME, period_for
from yuqing.alerts.digest_judgement import chart_plan
from yuqing.alerts.digest_view import STATES, digest_path, title_of
from yuqing.app.web.charts import HBarChart, Series, color_of, hbar_chart, line_chart
from yuqing.app.web.labels import SECTOR_NAMES
from yuqing.app.web.params import parse_page
from yuqing.app.web.render import CurrentUser, Web
from yuqing.store.models import Digest

log = logging.getLogger(__name__)
PAGE_SIZE = 50
PERIODS = {"daily": "日报", "weekly": "周报"}


def readable_codes(user: CurrentUser, web: Web) -> list[str] | None:
    """The department codes whose digests ``user`` may read; None for all of them."""
    if user.role in ("admin", "analyst"):
        return None
    if user.role == "officer" and user.department_code:
        own = user.department_code
        return [c for c in (CITY, own) if receiver_of(web.config, c) == own]
    return []


def name_of(web: Web, code: str) -> str:
    return CITY_NAME if code == CITY else web.department_name(code)


@dataclass
class DigestFilter:
    department: str = ""
    period: str = ""
    page: int = 1

    @classmethod
    def parse(cls, params: dict[str, str], departments: list[str]) -> DigestFilter:
        """Unknown values are ignored, never echoed into SQL or pages as filters."""
        return cls(
            department=v if (v := params.get("department", "")) in departments else "",
            period=v if (v := params.get("period", "")) in PERIODS else "",
            page=parse_page(params),
        )

    def params(self) -> dict[str, Any]:
        return {"department": self.department, "period": self.period}


@dataclass
class DigestRow:
    code: str
    period: str
    day: str
    title: str
    receiver: str
    created_at: Any
    sent_at: Any

    @property
    def path(self) -> str:
        return digest_path(self.period, date.fromisoformat(self.day), self.code)


def department_options(user: CurrentUser, web: Web) -> list[tuple[str, str]]:
    """(code, name) for the department filter: what ``user`` may read."""
    codes = readable_codes(user, web)
    everything = [CITY, *(d.code for d in web.config.departments.departments)]
    return [(c, name_of(web, c)) for c in everything if codes is None or c in codes]


def _title(web: Web, code: str, period: str, day: str) -> str:
    try:
        return title_of(
            name_of(web, code),
            period_for(date.fromisoformat(day), period, web.config.settings.timezone),
        )
    except ValueError:  # not written by yuqing: show what is there
        return f"{name_of(web, code)} {PERIODS.get(period, period)} {day}"


def _row(web: Web, code: str, period: str, day: str, created: Any, sent: Any) -> DigestRow:
    receiver = receiver_of(web.config, code)
    return DigestRow(
        code=code,
        period=period,
        day=day,
        title=_title(web, code, period, day),
        receiver=web.department_name(receiver) if receiver else "—",
        created_at=created,
        sent_at=sent,
    )


def digest_list(
    s: Session, user: CurrentUser, web: Web, f: DigestFilter
) -> tuple[list[DigestRow], bool]:
    """One page of the digests ``user`` may read, newest first (a day's weekly digest before
    its daily ones, the city's before the departments'); and whether another page follows."""
    stmt = select(
        Digest.department_code, Digest.period, Digest.day, Digest.created_at, Digest.sent_at
    )
    codes = readable_codes(user, web)
    if codes is not None:
        stmt = stmt.where(Digest.department_code.in_(codes))
    if f.department:
        stmt = stmt.where(Digest.department_code == f.department)
    if f.period:
        stmt = stmt.where(Digest.period == f.period)
    stmt = (
        stmt.order_by(
            Digest.day.desc(),
            Digest.period.desc(),
            case((Digest.department_code == CITY, 0), else_=1),
            Digest.department_code,
        )
        .offset((f.page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE + 1)
    )
    rows = [_row(web, *r) for r in s.execute(stmt).all()]
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE


@dataclass
class DigestPage:
    row: DigestRow
    data: dict[str, Any] | None  # the archived view and chart data; None: text only
    text: str


def _archived(web: Web, row: DigestRow, path: str | None) -> dict[str, Any] | None:
    stem = file_stem(row.code, row.period)
    candidates = [Path(path)] if path else []
    candidates.append(archive_dir(web.config, date.fromisoformat(row.day)) / f"{stem}.html")
    for html in dict.fromkeys(candidates):
        data = read_data(data_path(html))
        if data is None:
            continue
        if (data.get("department_code"), data.get("period"), data.get("day")) != (
            row.code,
            row.period,
            row.day,
        ):
            log.warning("digest data %s is another digest's: ignored", data_path(html))
            continue
        return data
    return None


def digest_or_404(
    s: Session, user: CurrentUser, web: Web, period: str, day: str, code: str
) -> DigestPage:
    """The digest, if it exists and ``user`` may read it; else 404 (as for incidents: no
    hint that another department's digest exists)."""
    try:
        valid = period in PERIODS and date.fromisoformat(day).isoformat() == day
    except ValueError:
        valid = False
    codes = readable_codes(user, web)
    if not valid or (codes is not None and code not in codes):
        raise HTTPException(status_code=404, detail="not found")
    found = s.execute(
        select(Digest.created_at, Digest.sent_at, Digest.path, Digest.text).where(
            Digest.department_code == code, Digest.period == period, Digest.day == day
        )
    ).first()
    if found is None:
        raise HTTPException(status_code=404, detail="not found")
    created, sent, path, text = found
    row = _row(web, code, period, day, created, sent)
    return DigestPage(row=row, data=_archived(web, row, path), text=text or "")


# -- charts ---------------------------------------------------------------------------------


def digest_charts(data: dict[str, Any]) -> dict[str, Any]:
    """The web's SVG charts from a digest's archived chart data (what the e-mail drew as
    PNG): the 14-day trend by sector, posts by district, incidents by state. A chart that
    would be empty or a single bar is None, and ``notes`` says it in a sentence instead;
    posts of unknown district are left out of the district chart (issue 13)."""
    charts = data["charts"]
    view = data["view"]
    plan = chart_plan(charts, str(view.get("period_label", "")))
    sector_order = list(SECTOR_NAMES.values())
    days = [date.fromisoformat(d) for d in charts.get("trend_days", [])]
    series = [
        Series(str(name), [int(v) for v in values], color_of(str(name), sector_order))
        for name, values in charts.get("trend", {}).items()
        if len(values) == len(days)
    ]
    district: HBarChart = hbar_chart(
        f"{view.get('period_label', '')}各地区帖文数", plan["district_bars"]
    )
    state_colors = [c for _, _, c in STATES]
    status = hbar_chart(
        "事件处置情况",
        [(str(n), int(v)) for n, v in charts.get("status", [])],
        colors=state_colors,
    )
    return {
        "trend": line_chart("近14日各行业帖文数", days, series) if plan["trend"] else None,
        "district": district if plan["district"] else None,
        "status": status if plan["status"] else None,
        "notes": plan["notes"],
    }
