"""Server-side sessions (issue 14): a cookie copied before logout opens nothing afterwards;
sessions rotate at login, end at password change and deactivation, time out when idle and
after a maximum age; the cookie is Secure over TLS."""

from __future__ import annotations

import base64
import hashlib
import json

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.app.web.conftest import Clients, Seed, csrf_of, post_form
from tests.app.web.factories import PASSWORD
from tests.conftest import FakeClock
from yuqing.app.web import create_app
from yuqing.app.web.sessions import SESSION_COOKIE
from yuqing.app.web.users import get_user, set_password
from yuqing.config import Config
from yuqing.store.models import AuditLog, WebSession
from yuqing.store.session import Database


def _audit_count(db: Database) -> int:
    with db.session() as s:
        return int(s.scalar(select(func.count()).select_from(AuditLog)) or 0)


def _replay(client: TestClient, cookie: str) -> TestClient:
    thief = TestClient(client.app, follow_redirects=False)
    thief.cookies.set(SESSION_COOKIE, cookie)
    return thief


def test_cookie_copied_before_logout_is_refused(
    clients: Clients, seed: Seed, sqlite_database: Database
) -> None:
    """issue 14: a yuqing_session cookie copied before POST /logout still opened /inbox and
    POSTed /incidents/2/note afterwards."""
    officer = clients.login("lsq1")
    cookie = officer.cookies[SESSION_COOKIE]
    page = officer.get(f"/incidents/{seed.lsq}")
    assert page.status_code == 200
    token = csrf_of(page.text)  # the form token the thief copied too
    assert _replay(officer, cookie).get("/inbox").status_code == 200  # a valid copy works...
    assert post_form(officer, "/logout").headers["location"] == "/login"
    before = _audit_count(sqlite_database)
    thief = _replay(officer, cookie)  # ...until logout
    r = thief.get("/inbox")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    r = _replay(officer, cookie).post(
        f"/incidents/{seed.lsq}/note", data={"note": "登出后写入", "csrf_token": token}
    )
    assert r.status_code == 303 and r.headers["location"] == "/login"
    assert _audit_count(sqlite_database) == before
    with sqlite_database.session() as s:
        assert s.scalar(select(AuditLog).where(AuditLog.action == "incident.note")) is None
        row = s.scalar(select(WebSession).where(WebSession.revoked_reason == "logout"))
        assert row is not None and row.revoked_at is not None


def test_the_cookie_carries_only_a_session_token(
    clients: Clients, seed: Seed, sqlite_database: Database
) -> None:
    officer = clients.login("lsq1", PASSWORD)
    cookie = officer.cookies[SESSION_COOKIE]
    token = officer.app.state.web.codec.load(cookie).token  # type: ignore[attr-defined]
    with sqlite_database.session() as s:
        row = s.get(WebSession, hashlib.sha256(token.encode()).hexdigest())
        assert row is not None and row.user_id == seed.users["lsq1"]
        assert row.address == "testclient" and row.user_agent.startswith("testclient")
        assert s.get(WebSession, token) is None  # the table keeps the hash, not the token
    payload = base64.urlsafe_b64decode(cookie.split(".")[0] + "==")
    assert json.loads(payload) == token  # one random token: no user id, no role, no CSRF


def test_login_rotates_the_session(clients: Clients, seed: Seed) -> None:
    c = clients.new()
    token = csrf_of(c.get("/login").text)
    anonymous = c.cookies[SESSION_COOKIE]
    r = c.post("/login", data={"username": "lsq1", "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 303
    assert c.cookies[SESSION_COOKIE] != anonymous
    assert csrf_of(c.get("/account").text) != token
    # the cookie a fixation attacker planted before the login is still anonymous
    assert _replay(c, anonymous).get("/inbox").status_code == 303


def test_password_change_by_cli_ends_every_session(
    clients: Clients, seed: Seed, sqlite_database: Database
) -> None:
    a, b = clients.login("lsq1"), clients.login("lsq1")
    with sqlite_database.session() as s:
        set_password(s, get_user(s, "lsq1"), "brand-new-pw-1", actor="cli")
    assert a.get("/inbox").status_code == 303 and b.get("/inbox").status_code == 303
    with sqlite_database.session() as s:
        reasons = s.scalars(
            select(WebSession.revoked_reason).where(WebSession.user_id == seed.users["lsq1"])
        )
        assert list(reasons) == ["password", "password"]
        logged = s.scalar(select(AuditLog).where(AuditLog.action == "user.password"))
        assert logged is not None and logged.detail == {"sessions_ended": 2}


def test_disabling_a_user_revokes_their_sessions(
    clients: Clients, seed: Seed, sqlite_database: Database
) -> None:
    officer = clients.login("lsq2")
    r = post_form(
        clients.login("admin"),
        f"/admin/users/{seed.users['lsq2']}",
        {"role": "officer", "department": "lsq", "display_name": "lsq2", "active": "0"},
    )
    assert r.status_code == 303
    with sqlite_database.session() as s:
        row = s.scalar(select(WebSession).where(WebSession.user_id == seed.users["lsq2"]))
        assert row is not None and row.revoked_reason == "disabled"
    assert officer.get("/inbox").status_code == 303


def test_idle_timeout(clients: Clients, seed: Seed, clock: FakeClock) -> None:
    officer = clients.login("lsq1")  # session_idle_minutes: 120 (shipped default)
    clock.advance(minutes=100)
    assert officer.get("/inbox").status_code == 200  # use keeps it alive
    clock.advance(minutes=100)
    assert officer.get("/inbox").status_code == 200
    clock.advance(minutes=121)
    r = officer.get("/inbox")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_absolute_timeout(
    clients: Clients, seed: Seed, clock: FakeClock, sqlite_database: Database
) -> None:
    officer = clients.login("lsq1")  # session_max_hours: 12
    for _ in range(7):  # busy all day: 11 h 40 min
        clock.advance(minutes=100)
        assert officer.get("/inbox").status_code == 200
    clock.advance(minutes=21)
    assert officer.get("/inbox").status_code == 303
    with sqlite_database.session() as s:
        assert s.scalar(select(WebSession.revoked_reason)) == "expired"


def _cookie(app: object, headers: dict[str, str] | None = None, base: str = "http://t") -> str:
    """The Set-Cookie header a new visitor gets."""
    with TestClient(app, base_url=base) as c:  # type: ignore[arg-type]
        return c.get("/login", headers=headers or {}).headers["set-cookie"]


def test_secure_cookie_over_tls_and_behind_a_proxy(
    sqlite_database: Database, config: Config, clock: FakeClock
) -> None:
    plain = create_app(config, sqlite_database, clock=clock)
    proxied = create_app(config, sqlite_database, clock=clock, behind_proxy=True)
    https = {"X-Forwarded-Proto": "https"}
    assert "Secure" not in _cookie(plain)
    assert "Secure" not in _cookie(plain, https)  # not trusted without --behind-proxy
    assert "Secure" in _cookie(plain, base="https://t")  # uvicorn serving TLS itself
    assert "Secure" in _cookie(proxied, https)
    assert "Secure" not in _cookie(proxied, {"X-Forwarded-Proto": "http"})


def test_old_session_rows_are_deleted(
    clients: Clients, seed: Seed, clock: FakeClock, sqlite_database: Database
) -> None:
    clients.login("lsq1")
    clock.advance(hours=12 + 24 * 7 - 1)
    clients.login("lsq2")
    with sqlite_database.session() as s:
        assert s.scalar(select(func.count()).select_from(WebSession)) == 2  # kept a week
    clock.advance(hours=2)
    clients.login("lsq2")
    with sqlite_database.session() as s:
        users = s.scalars(select(WebSession.user_id).order_by(WebSession.created_at))
        assert list(users) == [seed.users["lsq2"], seed.users["lsq2"]]
