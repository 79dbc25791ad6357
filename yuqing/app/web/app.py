"""The FastAPI application: ``create_app(config, db)``; ``yuqing web`` serves it with uvicorn."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from yuqing.app.web.assets import Assets
from yuqing.app.web.deps import LoginRequired
from yuqing.app.web.middleware import WebMiddleware
from yuqing.app.web.params import BadParam, shown
from yuqing.app.web.render import Web, make_env, render
from yuqing.app.web.security import secret_key
from yuqing.app.web.sessions import SessionCodec, SessionStore
from yuqing.app.web.throttle import Throttle
from yuqing.app.web.views import (
    admin,
    analysis,
    auth,
    dashboard,
    digests,
    handlers,
    inbox_actions,
    incidents,
    triage,
)
from yuqing.config import Config
from yuqing.store.session import Database
from yuqing.store.types import utcnow

log = logging.getLogger(__name__)
ROUTERS = (
    auth.router,
    incidents.router,
    handlers.router,
    inbox_actions.router,
    triage.router,
    digests.router,
    dashboard.router,
    analysis.router,
    admin.router,
)
STATIC = Path(__file__).resolve().parent / "static"

ERROR_ZH = {
    400: ("请求无效", "提交的内容不完整或格式有误。"),
    403: ("无权访问", "您的账号没有执行此操作的权限，或表单已过期，请刷新页面后重试。"),
    404: ("未找到", "页面不存在，或不在您的部门可见范围内。"),
    405: ("方法不允许", "不支持此请求方式。"),
    413: ("内容过大", "提交的内容过大。"),
    429: ("请求过于频繁", "登录失败次数过多，请稍后再试。"),
}


def _validation_zh(err: Any) -> str:
    """One of FastAPI's validation errors in Chinese, naming the parameter and its value."""
    loc = [str(part) for part in err.get("loc", ()) if part not in ("query", "path", "body")]
    name = ".".join(loc) or "?"
    value = err.get("input")
    ctx = err.get("ctx") or {}
    kind = str(err.get("type", ""))
    if kind.startswith("int"):
        expected = "应为整数"
    elif "ge" in ctx and "le" in ctx:
        expected = f"应在 {ctx['ge']} 至 {ctx['le']} 之间"
    elif "ge" in ctx or "gt" in ctx:
        expected = f"应不小于 {ctx.get('ge', ctx.get('gt'))}"
    elif "le" in ctx or "lt" in ctx:
        expected = f"应不大于 {ctx.get('le', ctx.get('lt'))}"
    elif "max_length" in ctx:
        expected = f"最多 {ctx['max_length']} 个字符"
    elif kind == "missing":
        return f"缺少参数 {name}。"
    else:
        expected = "格式有误"
    shown_value = shown(str(value)) if isinstance(value, str | int) else ""
    return f"参数 {name} 的值 {shown_value} 无效：{expected}。".replace("  ", " ")


def create_app(
    config: Config,
    db: Database,
    *,
    clock: Callable[[], datetime] | None = None,
    behind_proxy: bool = False,
) -> FastAPI:
    """The web app for ``config`` and ``db``. ``clock`` (aware datetimes) drives due times,
    session timeouts and login back-off in tests. ``behind_proxy``: a TLS-terminating proxy
    in front sets X-Forwarded-Proto (trusted only then)."""
    clock = clock or utcnow
    tz = ZoneInfo(config.settings.timezone)
    settings = config.settings.web
    max_age_s = settings.session_max_hours * 3600
    web = Web(
        config=config,
        db=db,
        clock=clock,
        codec=SessionCodec(secret_key(config), max_age_s),
        sessions=SessionStore(settings),
        throttle=Throttle(settings, clock),
        env=make_env(tz),
        tz=tz,
        secure_cookies=config.settings.base_url.startswith("https://"),
        behind_proxy=behind_proxy,
    )
    app = FastAPI(
        title="yuqing",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.web = web

    app.add_middleware(WebMiddleware, web=web, assets=Assets(STATIC), max_age_s=max_age_s)

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> Response:
        target = request.url.path
        if request.url.query and request.method == "GET":
            target += "?" + request.url.query
        if request.method == "GET" and target != "/":
            return RedirectResponse(f"/login?next={quote(target, safe='')}", 303)
        return RedirectResponse("/login", status_code=303)

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> Response:
        title, text = ERROR_ZH[400]
        problems = [_validation_zh(err) for err in exc.errors()[:3]]
        log.info("400 %s %s: %s", request.method, request.url.path, exc.errors()[:3])
        return render(
            request,
            "error.html",
            {"title": title, "text": " ".join(problems) or text, "code": 400},
            400,
        )

    @app.exception_handler(BadParam)
    async def bad_param(request: Request, exc: BadParam) -> Response:
        log.info("400 %s %s: %s", request.method, request.url.path, exc)
        title = ERROR_ZH[400][0]
        return render(request, "error.html", {"title": title, "text": exc.zh, "code": 400}, 400)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        title, text = ERROR_ZH.get(exc.status_code, ("出错了", "请求无法完成。"))
        return render(
            request,
            "error.html",
            {"title": title, "text": text, "code": exc.status_code},
            status_code=exc.status_code,
        )

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for router in ROUTERS:
        app.include_router(router)
    return app
