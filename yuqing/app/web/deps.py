"""Request dependencies: the logged-in user, role checks, CSRF checks."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import HTTPException, Request

from yuqing.app.web.render import CurrentUser, Web
from yuqing.app.web.security import csrf_ok


class LoginRequired(Exception):
    """No valid session: the handler sends the browser to the login page."""


def get_web(request: Request) -> Web:
    web: Web = request.app.state.web
    return web


def load_user(request: Request) -> CurrentUser | None:
    """The session's user, if the session row is valid (not revoked, idle or expired) and the
    user active. A cookie whose session ended gets a fresh anonymous token."""
    if request.state.user is not None:
        return request.state.user
    web = get_web(request)
    browser = request.state.session
    with web.db.session() as s:
        user_id, user = web.sessions.session_user(s, browser.token, web.now())
        if user is None or not user.active:
            if user is not None:
                web.sessions.revoke(s, browser.token, web.now(), "inactive")
            if user_id is not None or browser.user_id is not None:
                request.state.session = web.codec.new()  # drop the ended session
            return None
        browser.user_id = user.id
        current = CurrentUser(
            id=user.id,
            username=user.username,
            role=user.role,
            department_code=user.department_code,
            display_name=user.display_name,
        )
    request.state.user = current
    return current


def current_user(request: Request) -> CurrentUser:
    user = load_user(request)
    if user is None:
        raise LoginRequired()
    return user


def require(*roles: str) -> Callable[[Request], CurrentUser]:
    """A dependency: the logged-in user, who must have one of ``roles`` (403 otherwise)."""

    def dependency(request: Request) -> CurrentUser:
        user = current_user(request)
        if user.role not in roles:
            raise HTTPException(status_code=403, detail="forbidden")
        if user.role == "officer" and not user.department_code:
            raise HTTPException(status_code=403, detail="officer without department")
        return user

    return dependency


any_user = require("admin", "officer", "analyst")
incident_reader = any_user
analyst = require("admin", "analyst")
admin = require("admin")


async def csrf(request: Request) -> None:
    """Every POST carries the session's CSRF token in the form field ``csrf_token``."""
    form = await request.form()
    if not csrf_ok(request.state.session, form.get("csrf_token")):
        raise HTTPException(status_code=403, detail="csrf")
