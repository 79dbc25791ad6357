"""The FastAPI application: ``create_app(config, db)``; ``yuqing web`` serves it with uvicorn."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from yuqing.app.web.deps import LoginRequired
from yuqing.app.web.render import Web, make_env, render
from yuqing.app.web.security import (
    SECURITY_HEADERS,
    SESSION_COOKIE,
    SESSION_MAX_AGE,
    LoginLimiter,
    SessionCodec,
    secret_key,
)
from yuqing.app.web.views import admin, analysis, auth, dashboard, digests, incidents, triage
from yuqing.config import Config
from yuqing.store.session import Database
from yuqing.store.types import utcnow

log = logging.getLogger(__name__)
ROUTERS = (
    auth.router,
    incidents.router,
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
    429: ("请求过于频繁", "登录失败次数过多，请 15 分钟后再试。"),
}


def create_app(
    config: Config,
    db: Database,
    *,
    clock: Callable[[], datetime] | None = None,
    limiter: LoginLimiter | None = None,
) -> FastAPI:
    """The web app for ``config`` and ``db``. ``clock`` (aware datetimes) drives due times and
    rate limits in tests."""
    clock = clock or utcnow
    tz = ZoneInfo(config.settings.timezone)
    web = Web(
        config=config,
        db=db,
        clock=clock,
        codec=SessionCodec(secret_key(config)),
        limiter=limiter or LoginLimiter(clock=clock),
        env=make_env(tz),
        tz=tz,
        secure_cookies=config.settings.base_url.startswith("https://"),
    )
    app = FastAPI(
        title="yuqing",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.web = web

    @app.middleware("http")
    async def session_and_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        request.state.session = web.codec.load(request.cookies.get(SESSION_COOKIE))
        request.state.user = None
        response = await call_next(request)
        session = request.state.session
        stateless = request.url.path == "/healthz" or request.url.path.startswith("/static/")
        if session.dirty and not stateless:
            response.set_cookie(
                SESSION_COOKIE,
                web.codec.dump(session),
                max_age=SESSION_MAX_AGE,
                path="/",
                httponly=True,
                samesite="lax",
                secure=web.secure_cookies,
            )
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if not request.url.path.startswith("/static/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

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
        return render(request, "error.html", {"title": title, "text": text, "code": 400}, 400)

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
