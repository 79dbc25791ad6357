"""Authentication: every route but /healthz needs a login; sessions, cookies, rate limits,
security headers, redirects."""

from __future__ import annotations

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.app.web.conftest import Clients, Seed, csrf_of, post_form
from tests.app.web.factories import PASSWORD
from tests.app.web.routes import PUBLIC, get_pages, post_actions
from tests.conftest import FakeClock
from yuqing.app.web import security
from yuqing.app.web.app import ROUTERS
from yuqing.app.web.sessions import SESSION_COOKIE
from yuqing.store.models import AuditLog, User
from yuqing.store.session import Database


def test_route_inventory_is_complete(app_client: TestClient, seed: Seed) -> None:
    """Guards the per-route tests: a new route must be added to tests/app/web/routes.py."""
    routes = {
        (method, r.path)
        for router in ROUTERS
        for r in router.routes
        if isinstance(r, APIRoute)
        for method in r.methods or ()
    }
    assert len(routes) > 30
    known = (
        PUBLIC
        | {("GET", path) for path in get_pages(seed)}
        | {("POST", path) for path in post_actions(seed)}
    )
    assert routes == known


def test_every_page_requires_login(app_client: TestClient, seed: Seed) -> None:
    for template, url in get_pages(seed).items():
        r = app_client.get(url)
        assert r.status_code == 303, template
        assert r.headers["location"].startswith("/login?next=%2F"), template


def test_every_post_requires_login(
    app_client: TestClient, seed: Seed, sqlite_database: Database
) -> None:
    token = csrf_of(app_client.get("/login").text)  # a valid anonymous token: auth must refuse
    with sqlite_database.session() as s:
        before = s.scalar(select(func.count()).select_from(AuditLog))
    for template, (url, data) in post_actions(seed).items():
        r = app_client.post(url, data={**data, "csrf_token": token})
        assert r.status_code in (303, 403), template
        if r.status_code == 303:
            assert r.headers["location"].startswith("/login"), template
    with sqlite_database.session() as s:
        assert s.scalar(select(func.count()).select_from(AuditLog)) == before


def test_healthz_is_public(app_client: TestClient) -> None:
    r = app_client.get("/healthz")
    assert r.status_code == 200 and r.json() == {"status": "ok"}


@pytest.mark.parametrize("path", ["/login", "/inbox", "/healthz", "/no-such-page"])
def test_security_headers(clients: Clients, seed: Seed, path: str) -> None:
    r = clients.login("lsq1").get(path)
    csp = r.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "same-origin"
    assert r.headers["cache-control"] == "no-store"


def test_static_files_are_local_and_cacheable(app_client: TestClient) -> None:
    css = app_client.get("/static/app.css")
    assert css.status_code == 200 and "cache-control" not in css.headers
    page = app_client.get("/login").text
    assert "http://" not in page.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in page


def test_session_cookie_flags(app_client: TestClient) -> None:
    r = app_client.get("/login")
    cookie = r.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # base_url is http://127.0.0.1:8000


def test_session_cookie_secure_behind_https(
    sqlite_database: Database, config: object, clock: FakeClock
) -> None:
    from yuqing.app.web import create_app

    cfg = config.model_copy(deep=True)  # type: ignore[attr-defined]
    cfg.settings.base_url = "https://yuqing.example.gov.cn"
    with TestClient(create_app(cfg, sqlite_database, clock=clock)) as client:
        assert "Secure" in client.get("/login").headers["set-cookie"]


def test_login_and_home_by_role(clients: Clients, seed: Seed) -> None:
    assert clients.login("lsq1").get("/").headers["location"] == "/inbox"
    assert clients.login("ana").get("/").headers["location"] == "/dashboard"


def _login(client: TestClient, username: str, password: str, next_: str = "") -> object:
    token = csrf_of(client.get("/login").text)
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token, "next": next_},
    )


def test_wrong_password_unknown_user_inactive_user(
    clients: Clients, seed: Seed, sqlite_database: Database
) -> None:
    c = clients.new()
    for username, password in (("lsq1", "wrong-password"), ("nobody", PASSWORD)):
        r = _login(c, username, password)
        assert r.status_code == 401 and "用户名或密码错误" in r.text  # type: ignore[attr-defined]
    with sqlite_database.session() as s:
        s.scalar(select(User).where(User.username == "jhq1")).active = False  # type: ignore[union-attr]
    assert _login(c, "jhq1", PASSWORD).status_code == 401  # type: ignore[attr-defined]
    with sqlite_database.session() as s:
        failed = s.scalars(select(AuditLog.actor).where(AuditLog.action == "login.failed"))
        assert sorted(failed) == ["jhq1", "lsq1", "nobody"]


def test_login_needs_csrf(clients: Clients, seed: Seed) -> None:
    c = clients.new()
    c.get("/login")
    r = c.post("/login", data={"username": "lsq1", "password": PASSWORD})
    assert r.status_code == 403


@pytest.mark.parametrize(
    ("next_", "expected"),
    [
        ("/incidents/1", "/incidents/1"),
        ("//evil.example/x", "/inbox"),
        ("https://evil.example/", "/inbox"),
        ("/\\evil.example", "/inbox"),
        ("", "/inbox"),
    ],
)
def test_login_redirect_stays_on_site(
    clients: Clients, seed: Seed, next_: str, expected: str
) -> None:
    r = _login(clients.new(), "lsq1", PASSWORD, next_)
    assert r.headers["location"] == expected  # type: ignore[attr-defined]


def test_tampered_cookie_is_anonymous(clients: Clients, seed: Seed) -> None:
    c = clients.login("admin")
    value = c.cookies[SESSION_COOKIE]
    forged = TestClient(c.app, follow_redirects=False)
    forged.cookies.set(SESSION_COOKIE, value[:-2] + ("AA" if value[-2:] != "AA" else "BB"))
    assert forged.get("/inbox").status_code == 303


def test_logout_ends_session(clients: Clients, seed: Seed) -> None:
    c = clients.login("lsq1")
    assert post_form(c, "/logout").headers["location"] == "/login"
    assert c.get("/inbox").status_code == 303


def test_password_change_ends_other_sessions(clients: Clients, seed: Seed) -> None:
    a, b = clients.login("lsq1"), clients.login("lsq1")
    r = post_form(
        a,
        "/account/password",
        {"current": PASSWORD, "new": "brand-new-pw-1", "repeat": "brand-new-pw-1"},
    )
    assert r.headers["location"] == "/account?msg=password"
    assert a.get("/inbox").status_code == 200  # the session that changed it continues
    assert b.get("/inbox").status_code == 303
    clients.login("lsq1", "brand-new-pw-1")


def test_password_change_errors(clients: Clients, seed: Seed) -> None:
    c = clients.login("lsq1")
    bad = {"current": "wrong", "new": "brand-new-pw-1", "repeat": "brand-new-pw-1"}
    assert "当前密码不正确" in post_form(c, "/account/password", bad).text
    short = {"current": PASSWORD, "new": "short", "repeat": "short"}
    assert "至少 10 个字符" in post_form(c, "/account/password", short).text


def test_deactivated_user_is_logged_out(clients: Clients, seed: Seed) -> None:
    officer = clients.login("lsq2")
    admin = clients.login("admin")
    r = post_form(
        admin,
        f"/admin/users/{seed.users['lsq2']}",
        {"role": "officer", "department": "lsq", "display_name": "lsq2", "active": "0"},
    )
    assert r.status_code == 303
    assert officer.get("/inbox").status_code == 303


def test_passwords_are_argon2id() -> None:
    default = security.PasswordHasher()
    assert default.hash("x" * 12).startswith("$argon2id$")
    assert security.hash_password("x" * 12).startswith("$argon2id$")
    assert security.verify_password(security.hash_password("secret-pass"), "secret-pass")
    assert not security.verify_password(None, "secret-pass")
    assert not security.verify_password("not-a-hash", "secret-pass")
