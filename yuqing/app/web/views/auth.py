"""Log in and out, the health check, the home redirect and the user's own account."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy import select, text

from yuqing.app.web.audit import audit
from yuqing.app.web.deps import any_user, csrf, get_web, load_user
from yuqing.app.web.errors import UserError
from yuqing.app.web.render import CurrentUser, render
from yuqing.app.web.security import hash_password, needs_rehash, verify_password
from yuqing.app.web.users import record_login, set_password
from yuqing.store.models import User

router = APIRouter()


def client_address(request: Request) -> str:
    """The client's address (behind ``--behind-proxy``, uvicorn sets it from the proxy's
    X-Forwarded-For)."""
    return request.client.host if request.client else "unknown"


def home_for(user: CurrentUser) -> str:
    return "/dashboard" if user.role == "analyst" else "/inbox"


def safe_next(target: str | None) -> str | None:
    """A same-site path to go back to after login; anything else (``//evil``, URLs) is None."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    if any(c in target for c in "\r\n\\") or target.startswith("/login"):
        return None
    return target


@router.get("/healthz")
def healthz(request: Request) -> JSONResponse:
    web = get_web(request)
    try:
        with web.db.session() as s:
            s.execute(text("SELECT 1"))
    except Exception as exc:  # reported, not raised: this is the health check
        return JSONResponse({"status": "error", "database": type(exc).__name__}, 503)
    return JSONResponse({"status": "ok"})


@router.get("/")
def index(request: Request) -> Response:
    user = load_user(request)
    if user is None:
        return RedirectResponse("/login", 303)
    return RedirectResponse(home_for(user), 303)


@router.get("/login")
def login_page(request: Request, next: str = "") -> Response:
    user = load_user(request)
    if user is not None:
        return RedirectResponse(safe_next(next) or home_for(user), 303)
    return render(request, "login.html", {"next": safe_next(next) or "", "error": ""})


@router.post("/login", dependencies=[Depends(csrf)])
def login(
    request: Request,
    username: Annotated[str, Form(max_length=100)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    web = get_web(request)
    address = client_address(request)
    username = username.strip()
    ctx = {"next": safe_next(next) or "", "username": username}
    with web.db.session() as s:
        wait = web.throttle.wait_s(s, username, address)
        if wait:
            audit(s, username or "-", "login.blocked", "user", username, {"address": address})
            ctx["error"] = f"登录失败次数过多，请 {wait} 秒后再试。"
            return render(request, "login.html", ctx, status_code=429)
    with web.db.session() as s:
        user = s.scalar(select(User).where(User.username == username)) if username else None
        ok = verify_password(user.password_hash if user else None, password)
        if user is None or not ok or not user.active:
            failure = web.throttle.failed(s, username, address)
            detail = {"address": address, "delay_s": failure.delay_s}
            audit(s, username or "-", "login.failed", "user", username, detail)
            if failure.address_over_limit and failure.address_failures == (
                web.config.settings.web.login_address_limit
            ):
                audit(s, "-", "login.address_limit", "address", address, detail)
            ctx["error"] = "用户名或密码错误。" + (
                f"请 {failure.delay_s} 秒后再试。" if failure.delay_s else ""
            )
            return render(request, "login.html", ctx, status_code=401)
        if needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
        web.throttle.succeeded(s, username, address)
        record_login(s, user, web.now(), address)
        old = request.state.session
        web.sessions.revoke(s, old.token, web.now(), "login")  # if it was a session
        # a fresh token and CSRF token: no fixation
        request.state.session = web.sessions.start(
            s,
            web.codec,
            user.id,
            web.now(),
            address=address,
            user_agent=request.headers.get("user-agent", ""),
        )
        role = user.role
    target = safe_next(next) or ("/dashboard" if role == "analyst" else "/inbox")
    return RedirectResponse(target, 303)


@router.post("/logout", dependencies=[Depends(csrf)])
def logout(request: Request) -> Response:
    web = get_web(request)
    user = load_user(request)
    with web.db.session() as s:
        if web.sessions.revoke(s, request.state.session.token, web.now(), "logout") and user:
            audit(s, user.username, "logout", "user", user.username, {})
    request.state.session = web.codec.new()
    return RedirectResponse("/login", 303)


@router.get("/account")
def account(request: Request, user: Annotated[CurrentUser, Depends(any_user)]) -> Response:
    return render(request, "account.html", {"error": ""})


@router.post("/account/password", dependencies=[Depends(csrf)])
def change_password(
    request: Request,
    user: Annotated[CurrentUser, Depends(any_user)],
    current: Annotated[str, Form(max_length=1000)] = "",
    new: Annotated[str, Form(max_length=1000)] = "",
    repeat: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    web = get_web(request)
    with web.db.session() as s:
        row = s.get(User, user.id)
        assert row is not None
        error = ""
        if not verify_password(row.password_hash, current):
            error = "当前密码不正确。"
        elif new != repeat:
            error = "两次输入的新密码不一致。"
        else:
            try:
                set_password(s, row, new, actor=user.username, now=web.now())
            except UserError as exc:
                error = exc.zh
        if error:
            return render(request, "account.html", {"error": error}, status_code=400)
        # every session of the user ended; this browser continues in a new one
        request.state.session = web.sessions.start(
            s,
            web.codec,
            row.id,
            web.now(),
            address=client_address(request),
            user_agent=request.headers.get("user-agent", ""),
        )
    return RedirectResponse("/account?msg=password", 303)
