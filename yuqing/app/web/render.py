"""The web app's shared state, Jinja2 environment (autoescaped everywhere) and page rendering."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse
from sqlalchemy.exc import SQLAlchemyError

from yuqing.alerts import glossary
from yuqing.alerts.health_text import health_reason_zh
from yuqing.app.web import labels
from yuqing.app.web.highlight import safe_url
from yuqing.app.web.sessions import SessionCodec, SessionStore
from yuqing.app.web.throttle import Throttle
from yuqing.app.web.users import ROLE_ZH
from yuqing.config import Config
from yuqing.store import departments
from yuqing.store.session import Database

log = logging.getLogger(__name__)
TEMPLATES = Path(__file__).resolve().parent / "templates"
KEPT_NAMES_TTL = 60.0  # seconds

# Messages shown after an action redirects back (?msg=code); never text from the URL itself.
FLASH = {
    "acknowledged": "已签收。",
    "assigned": "已指派。",
    "noted": "备注已添加。",
    "resolved": "已办结。",
    "part_done": "已标记协办完成，主办单位可见。",
    "part_feedback": "协办反馈已记录，主办单位和其他责任单位可见。",
    "feedback": "反馈已记录，将用于模型再训练。",
    "triage_confirmed": "已确认：事件已开立并分派，结论已作为反馈记录。",
    "triage_rejected": "已排除：不预警，结论已作为反馈记录。",
    "user_created": "用户已创建。",
    "user_updated": "用户已更新。",
    "user_unlocked": "已解除该用户的登录限制。",
    "password": "密码已修改。",
    "silence_created": "静默规则已创建。",
    "silence_expired": "静默规则已结束。",
    "source_confirmed": "采集源已确认，结束试运行：其帖文此后正常触发部门告警。",
}


@dataclass(frozen=True)
class CurrentUser:
    id: int
    username: str
    role: str
    department_code: str | None
    display_name: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_officer(self) -> bool:
        return self.role == "officer"

    @property
    def is_analyst(self) -> bool:
        return self.role in ("analyst", "admin")

    @property
    def label(self) -> str:
        return self.display_name or self.username


@dataclass
class Web:
    """Everything a request handler needs, kept on ``app.state.web``."""

    config: Config
    db: Database
    clock: Callable[[], datetime]
    codec: SessionCodec
    sessions: SessionStore
    throttle: Throttle
    env: jinja2.Environment
    tz: ZoneInfo
    secure_cookies: bool  # base_url is https://
    behind_proxy: bool = False  # trust X-Forwarded-Proto (yuqing web --behind-proxy)

    def now(self) -> datetime:
        return self.clock()

    _kept_names: dict[str, str] = field(default_factory=dict)
    _kept_names_at: float | None = None

    def department_name(self, code: str | None) -> str:
        """The configured name; for a department since removed from departments.yaml, the
        name the departments table kept; else the code itself."""
        if not code:
            return ""
        for d in self.config.departments.departments:
            if d.code == code:
                return d.name
        return self.kept_department_names().get(code, code)

    def department_names(self) -> dict[str, str]:
        """code → name: the configured departments over the ones the table kept."""
        return {
            **self.kept_department_names(),
            **{d.code: d.name for d in self.config.departments.departments},
        }

    def kept_department_names(self) -> dict[str, str]:
        """The departments table's names (re-read at most once a minute; kept on error)."""
        now = time.monotonic()
        if self._kept_names_at is None or now - self._kept_names_at >= KEPT_NAMES_TTL:
            self._kept_names_at = now
            try:
                with self.db.session() as s:
                    self._kept_names = departments.names(s)
            except SQLAlchemyError as exc:
                log.warning("departments table unreadable: %s", exc)
        return self._kept_names


def duration_zh(value: timedelta | None) -> str:
    """``2 天 3 小时``, ``3 小时 20 分``, ``5 分钟`` (of the absolute value)."""
    if value is None:
        return ""
    minutes = int(abs(value.total_seconds()) // 60)
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} 天 {hours} 小时"
    if hours:
        return f"{hours} 小时 {mins} 分"
    return f"{mins} 分钟"


def countdown_zh(remaining: timedelta | None, overdue: timedelta | None) -> str:
    """``剩余 3 小时 0 分`` before the deadline, ``已超时 2 小时 5 分`` after; "" without one."""
    if overdue is not None:
        return f"已超时 {duration_zh(overdue)}"
    if remaining is not None:
        return f"剩余 {duration_zh(remaining)}"
    return ""


def make_env(tz: ZoneInfo) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,  # every template, whatever its name
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )

    def localtime(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
        if value is None:
            return "—"
        return value.astimezone(tz).strftime(fmt)

    def interval(value: timedelta | None) -> str:
        """``5 分钟``, ``4 小时``, ``1 天 6 小时`` (config durations, in Chinese)."""
        if value is None:
            return "—"
        seconds = int(value.total_seconds())
        parts = []
        for size, unit in ((86400, "天"), (3600, "小时"), (60, "分钟"), (1, "秒")):
            if seconds >= size:
                parts.append(f"{seconds // size} {unit}")
                seconds %= size
        return " ".join(parts) or "0 秒"

    def score(value: float | None) -> str:
        return "—" if value is None else f"{value:.2f}"

    env.filters.update(
        localtime=localtime,
        duration=duration_zh,
        interval=interval,
        score=score,
        sector_zh=lambda v: labels.SECTOR_NAMES.get(v or "", v or "—"),
        severity_zh=lambda v: labels.SEVERITY_ZH.get(v, v),
        status_zh=lambda v: labels.STATUS_ZH.get(v, v),
        kind_zh=lambda v: labels.KIND_ZH.get(v, v),
        nstatus_zh=lambda v: labels.NOTIFICATION_STATUS_ZH.get(v, v),
        health_zh=lambda v: labels.HEALTH_ZH.get(v, v),
        run_zh=lambda v: labels.RUN_STATUS_ZH.get(v, v),
        role_zh=lambda v: ROLE_ZH.get(v, v),
        dkind_zh=lambda v: labels.DEPARTMENT_KIND_ZH.get(v, v),
        tag_zh=lambda v: labels.TAG_ZH.get(v, v),
        action_zh=labels.action_zh,
        channel_zh=glossary.channel_name,
        suppression_zh=glossary.suppression_text,
        health_reason_zh=health_reason_zh,
        term=glossary.unify,
        http_url=safe_url,
        yesno=lambda v: "是" if v else "否",
    )
    env.globals.update(
        SECTOR_NAMES=labels.SECTOR_NAMES,
        SEVERITY_ZH=labels.SEVERITY_ZH,
        STATUS_ZH=labels.STATUS_ZH,
        ROLE_ZH=ROLE_ZH,
    )
    return env


def query_string(params: dict[str, Any], **changes: Any) -> str:
    """``?a=1&b=2`` from ``params`` with ``changes`` applied; empty values dropped."""
    merged = {**params, **changes}
    clean = {k: v for k, v in merged.items() if v not in (None, "", [])}
    return "?" + urlencode(clean, doseq=True) if clean else "?"


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    web: Web = request.app.state.web
    session = getattr(request.state, "session", None)
    ctx = {
        "request": request,
        "user": getattr(request.state, "user", None),
        "csrf_token": session.csrf if session is not None else "",
        "now": web.now(),
        "path": request.url.path,
        "city": web.config.gazetteer.city,
        "department_name": web.department_name,
        "qs": query_string,
        "countdown": countdown_zh,
        "rule_name": lambda code: glossary.rule_name(code, web.config.rules.rules),
        "source_title": lambda name: glossary.source_title(name, web.config.sources.sources),
        "route_text": lambda path: glossary.describe_route(
            path, web.config.routing, web.config.rules.rules
        ),
        "plain": lambda text: glossary.plain(text or "", web.config.sources.sources),
        "labels_text": lambda lbl: glossary.labels_text(lbl, web.config.rules.rules),
        "flash": FLASH.get(request.query_params.get("msg", ""), ""),
        **(context or {}),
    }
    html = web.env.get_template(template).render(ctx)
    return HTMLResponse(html, status_code=status_code)
