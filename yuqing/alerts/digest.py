"""Daily and weekly digests: one per department and one city-wide (``city``) for the leaders.

``run_daily(config, db, now)`` is the scheduler's job at ``schedule.digest_at``: it renders the
digests of the day that just ended (and, on ``schedule.weekly_digest_day``, of the week that
ended with it), archives each as ``<data_dir>/digests/<day>/<department>[-weekly].html|.txt``
and ``.json`` (the data the web app renders, see :mod:`yuqing.alerts.digest_archive`),
records it in ``digests`` and puts one outbox row per channel of the receiving department
(``kind="digest"``, key ``digest-<id>/<department>/<channel>``). It is idempotent: a digest
already handed to the outbox is not rendered or queued again. One department that fails never
stops the others. The city-wide digest goes to ``routing.escalation_receiver`` (市政府督查室).

``render_digest(config, db, department_code, day, period)`` renders any day on demand, without
side effects; ``yuqing digest`` renders, archives and records it (``record``; not sent), so the
详情 link it prints opens in the web app. A digest opens with a 研判 paragraph and judges
states and deadlines when it is made if that is before its period ends
(:mod:`yuqing.alerts.digest_judgement`). The payload contract is in notes/alerts-contract.md
("Digest payload"); the facts come from :mod:`yuqing.alerts.digest_data`.
"""

from __future__ import annotations

import base64
import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
from sqlalchemy import select
from sqlalchemy.orm import Session

from yuqing.alerts import charts
from yuqing.alerts.digest_archive import (
    archive_dir,
    data_path,
    dumps,
    file_stem,
    receiver_of,
    snapshot,
)
from yuqing.alerts.digest_data import CITY, Facts, Scope, collect, period_for, scopes
from yuqing.alerts.digest_judgement import chart_plan
from yuqing.alerts.digest_view import STATES, build_view, summary
from yuqing.alerts.errors import AlertsError
from yuqing.alerts.outbox_rows import enabled_channels, insert_rows, iso, outbox_row
from yuqing.alerts.routing import next_active
from yuqing.atomic import write_atomic
from yuqing.config import Config
from yuqing.config.departments import WEEKDAYS
from yuqing.store.models import Digest
from yuqing.store.session import Database
from yuqing.store.types import utcnow

log = logging.getLogger(__name__)
TEMPLATES = Path(__file__).resolve().parent / "templates"
_ENV = jinja2.Environment(
    loader=jinja2.FileSystemLoader(str(TEMPLATES)),
    autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",), default=False),
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


class DigestError(AlertsError):
    exit_code = 2


@dataclass
class RenderedDigest:
    department_code: str
    department_name: str
    period: str
    day: date
    title: str
    html: str  # self-contained: charts as data: URIs
    text: str  # the plain-text alternative
    summary: str  # a few lines for chat robots and SMS
    images: dict[str, bytes] = field(default_factory=dict)
    url: str | None = None
    data: dict[str, Any] = field(default_factory=dict)  # archived as JSON for the web app

    @property
    def file_stem(self) -> str:
        return file_stem(self.department_code, self.period)


@dataclass
class DigestRunResult:
    rendered: int = 0
    enqueued: int = 0  # outbox rows
    skipped: int = 0  # already queued earlier
    errors: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        text = f"digests: rendered {self.rendered}, queued {self.enqueued} notifications"
        return (
            text
            + (f", skipped {self.skipped}" if self.skipped else "")
            + (f", {len(self.errors)} failed" if self.errors else "")
        )


# -- rendering ------------------------------------------------------------------------------


def _charts(view: dict[str, Any], data: dict[str, Any]) -> dict[str, bytes]:
    plan = chart_plan(data, view["period_label"])  # no empty or one-bar charts (issue 13)
    try:
        out = {}
        if plan["trend"]:
            out["trend"] = charts.trend_chart(
                data["trend_days"], data["trend"], "近14日各行业帖文数"
            )
        if plan["district"]:
            out["district"] = charts.bar_chart(
                plan["district_bars"], f"{view['period_label']}各地区帖文数"
            )
        if plan["status"]:
            out["status"] = charts.bar_chart(
                data["status"], "事件处置情况", colors=[c for _, _, c in STATES]
            )
        return out
    except charts.ChartError as exc:
        log.error("digest %s: charts left out: %s", view["title"], exc)
        view["chart_note"] = "（图表未能生成：服务器缺少中文字体，请联系运维。）"
        return {}


def render(config: Config, facts: Facts, scope: Scope, now: datetime) -> RenderedDigest:
    view, data = build_view(config, facts, scope, now)
    archived = snapshot(scope.code, scope.name, facts.period.kind, facts.period.day, view, data)
    images = _charts(view, data)
    if images:
        view["images"] = {
            k: "data:image/png;base64," + base64.b64encode(v).decode() for k, v in images.items()
        }
    return RenderedDigest(
        department_code=scope.code,
        department_name=scope.name,
        period=facts.period.kind,
        day=facts.period.day,
        title=view["title"],
        html=_ENV.get_template("digest.html.j2").render(d=view),
        text=_ENV.get_template("digest.txt.j2").render(d=view),
        summary=summary(view),
        images=images,
        url=view["url"],
        data=archived,
    )


def render_digest(
    config: Config,
    db: Database,
    department_code: str,
    day: date,
    period: str = "daily",
    now: datetime | None = None,
) -> RenderedDigest:
    """The digest of ``department_code`` (or ``city``) for ``day``; no side effects."""
    known = scopes(config)
    if department_code not in known:
        raise DigestError(
            f"unknown department {department_code!r} (expected city or a code in departments.yaml)"
        )
    try:
        p = period_for(day, period, config.settings.timezone)
    except ValueError as exc:
        raise DigestError(str(exc)) from exc
    with db.session() as s:
        facts = collect(config, s, p)
    return render(config, facts, known[department_code], now or utcnow())


# -- archive, record, deliver ---------------------------------------------------------------


def archive(rendered: RenderedDigest, out_dir: Path) -> Path:
    """Write ``<out_dir>/<stem>.html``, ``.txt`` and ``.json``; returns the HTML file's path."""
    html = out_dir / f"{rendered.file_stem}.html"
    files = [(html, rendered.html), (html.with_suffix(".txt"), rendered.text)]
    if rendered.data:
        files.append((data_path(html), dumps(rendered.data)))
    for path, body in files:
        write_atomic(path, body)
    return html


def record(session: Session, rendered: RenderedDigest, path: Path) -> Digest:
    """The ``digests`` row of an archived digest (created or refreshed; ``sent_at`` kept), so
    the web app's page of it (the 详情 link) resolves."""
    row = session.execute(
        select(Digest).where(
            Digest.department_code == rendered.department_code,
            Digest.period == rendered.period,
            Digest.day == rendered.day.isoformat(),
        )
    ).scalar_one_or_none()
    if row is None:
        row = Digest(
            department_code=rendered.department_code,
            period=rendered.period,
            day=rendered.day.isoformat(),
            html="",
            text="",
        )
        session.add(row)
    row.html, row.text, row.path = rendered.html, rendered.text, str(path)
    session.flush()
    return row


def _enqueue(
    session: Session, config: Config, digest: Digest, rendered: RenderedDigest, now: datetime
) -> int:
    code = receiver_of(config, rendered.department_code)
    dept = next((d for d in config.departments.departments if d.code == code), None)
    if dept is None:
        log.warning("digest %s: no receiving department configured", rendered.title)
        return 0
    tz = config.settings.timezone
    base: dict[str, Any] = {
        "kind": "digest",
        "created_at": iso(now, tz),
        "department": {"code": dept.code, "name": dept.name},
        "digest": {
            "id": digest.id,
            "department_code": rendered.department_code,
            "period": rendered.period,
            "day": rendered.day.isoformat(),
            "title": rendered.title,
            "url": rendered.url,
            "text": rendered.summary,
        },
    }
    due = next_active(dept, now, tz)
    rows = []
    for name, channel in enabled_channels(dept):
        key = f"digest-{digest.id}/{dept.code}/{name}"
        payload = {**base, "idempotency_key": key, "digest": dict(base["digest"])}
        if channel.type in ("email", "file"):
            payload["digest"].update(html=rendered.html, full_text=rendered.text)
        rows.append(
            outbox_row(key, dept.code, name, "digest", payload, due, now, digest_id=digest.id)
        )
    return insert_rows(session, rows)


def _already_queued(session: Session, code: str, period: str, day: date) -> bool:
    sent = session.execute(
        select(Digest.sent_at).where(
            Digest.department_code == code, Digest.period == period, Digest.day == day.isoformat()
        )
    ).scalar_one_or_none()
    return sent is not None


def run_daily(config: Config, db: Database, now: datetime | None = None) -> DigestRunResult:
    """The scheduler's digest job: yesterday's digests (and last week's on the weekly day)."""
    now = now or utcnow()
    local = now.astimezone(ZoneInfo(config.settings.timezone))
    day = local.date() - timedelta(days=1)
    kinds = ["daily"]
    if WEEKDAYS[local.weekday()] == config.schedule.weekly_digest_day:
        kinds.append("weekly")
    known = scopes(config)
    codes = [CITY] + [d.code for d in config.departments.departments if d.channels]
    result = DigestRunResult()
    for kind in kinds:
        period = period_for(day, kind, config.settings.timezone)
        facts: Facts | None = None
        for code in codes:
            try:
                with db.session() as s:
                    if _already_queued(s, code, kind, day):
                        result.skipped += 1
                        continue
                if facts is None:
                    with db.session() as s:
                        facts = collect(config, s, period)
                rendered = render(config, facts, known[code], now)
                path = archive(rendered, archive_dir(config, day))
                with db.session() as s:
                    digest = record(s, rendered, path)
                    result.enqueued += _enqueue(s, config, digest, rendered, now)
                    digest.sent_at = now
                result.rendered += 1
            except Exception as exc:  # one department never stops the others
                log.exception("digest %s %s %s failed", kind, day, code)
                result.errors.append(f"{kind} {day} {code}: {type(exc).__name__}: {exc}")
    log.info("%s", result)
    return result


run_scheduled = run_daily  # the name the scheduler (app/scheduler.py) looks up
