"""Login throttling (issue 14): "20 failed logins from one address give every user from that
address 429 for 15 min (admin with the right password included); 5 failures against a
username lock that user out even with the right password." Now attackers are slowed and the
legitimate user is not locked out."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select

from tests.app.web.conftest import Clients, Seed, csrf_of, post_form, text_of
from tests.app.web.factories import PASSWORD
from tests.config.test_loader import problem
from tests.conftest import FakeClock
from yuqing.app.cli import main
from yuqing.app.web.throttle import Throttle
from yuqing.config import Config
from yuqing.config.settings import WebSettings
from yuqing.store.models import AuditLog, LoginThrottle
from yuqing.store.session import Database
from yuqing.store.types import utcnow

ATTACKER = "203.0.113.7"
OFFICE = "198.51.100.20"


def _from(clients: Clients, address: str) -> TestClient:
    return TestClient(clients.app, follow_redirects=False, client=(address, 40000))


def _login(client: TestClient, username: str, password: str) -> Response:
    token = csrf_of(client.get("/login").text)
    return client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token}
    )


def _actions(db: Database, action: str) -> list[AuditLog]:
    with db.session() as s:
        return list(s.scalars(select(AuditLog).where(AuditLog.action == action)))


def test_twenty_failures_from_one_address_do_not_lock_out_other_users(
    clients: Clients, seed: Seed, sqlite_database: Database
) -> None:
    """issue 14: 20 failures from one address gave every user from it 429 for 15 min."""
    attacker = _from(clients, ATTACKER)
    for i in range(20):
        assert _login(attacker, f"user{i}", "guess-guess").status_code == 401
    # the admin, not attacked from this address, logs in with the right password at once
    assert _login(_from(clients, ATTACKER), "admin", PASSWORD).status_code == 303
    # the limit has teeth: a wrong password from that address now delays at once
    r = _login(attacker, "lsq1", "guess-guess")
    assert r.status_code == 401 and "请 2 秒后再试" in text_of(r.text)
    r = _login(attacker, "lsq1", PASSWORD)
    assert r.status_code == 429 and "登录失败次数过多，请 2 秒后再试。" in text_of(r.text)
    [limit] = _actions(sqlite_database, "login.address_limit")
    assert limit.object_id == ATTACKER and limit.detail["address"] == ATTACKER


def test_five_failures_against_a_user_delay_only_the_attacking_address(
    clients: Clients, seed: Seed, clock: FakeClock, sqlite_database: Database
) -> None:
    """issue 14: 5 failures against a username locked that user out, right password or not."""
    attacker = _from(clients, ATTACKER)
    for _ in range(5):
        assert _login(attacker, "lsq1", "guess-guess").status_code == 401
        clock.advance(seconds=10)  # past every delay so far: each guess is checked
    # 3 free failures, then 2 s, 4 s (doubling)
    assert [a.detail["delay_s"] for a in _actions(sqlite_database, "login.failed")] == [
        0,
        0,
        0,
        2,
        4,
    ]
    clock.advance(seconds=-10)  # back to the moment of the fifth failure
    # the right password from another address works at once
    assert _login(_from(clients, OFFICE), "lsq1", PASSWORD).status_code == 303
    # from the attacking address: delayed, not locked for 15 min
    r = _login(attacker, "lsq1", PASSWORD)
    assert r.status_code == 429 and "请 4 秒后再试" in text_of(r.text)
    assert _actions(sqlite_database, "login.blocked")[0].detail == {"address": ATTACKER}
    clock.advance(seconds=4)
    assert _login(attacker, "lsq1", PASSWORD).status_code == 303


def test_back_off_doubles_up_to_its_cap_and_is_forgotten(
    sqlite_database: Database, config: Config, clock: FakeClock
) -> None:
    throttle = Throttle(config.settings.web, clock)
    with sqlite_database.session() as s:
        delays = [throttle.failed(s, "lsq1", ATTACKER).delay_s for _ in range(14)]
        assert delays == [0, 0, 0, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300]
        assert throttle.wait_s(s, "LSQ1", ATTACKER) == 300  # usernames compare case-blind
        assert throttle.wait_s(s, "lsq1", OFFICE) == 0
    clock.advance(minutes=16)  # login_window_minutes: 15
    with sqlite_database.session() as s:
        assert throttle.wait_s(s, "lsq1", ATTACKER) == 0
        assert throttle.failed(s, "lsq1", ATTACKER).delay_s == 0  # counting starts again


def test_admin_unlock_from_the_users_page(
    clients: Clients, seed: Seed, sqlite_database: Database
) -> None:
    attacker = _from(clients, ATTACKER)
    for _ in range(6):
        _login(attacker, "lsq1", "guess-guess")
    admin = clients.login("admin")
    page = admin.get("/admin/users")
    assert f'action="/admin/users/{seed.users["lsq1"]}/unlock"' in page.text
    assert "登录受限至" in text_of(page.text)
    r = post_form(admin, f"/admin/users/{seed.users['lsq1']}/unlock")
    assert r.headers["location"] == "/admin/users?msg=user_unlocked"
    assert "已解除该用户的登录限制" in text_of(admin.get(r.headers["location"]).text)
    assert "登录受限至" not in text_of(admin.get("/admin/users").text)
    assert _login(attacker, "lsq1", PASSWORD).status_code == 303
    [entry] = _actions(sqlite_database, "login.unlock")
    assert (entry.actor, entry.object_id, entry.detail) == ("admin", "lsq1", {"cleared": 1})
    # only admins unlock
    officer = clients.login("lsq2")
    assert post_form(officer, f"/admin/users/{seed.users['lsq1']}/unlock").status_code == 403


def test_cli_unlock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    for var in ("YUQING_CONFIG_DIR", "YUQING_DATABASE_URL", "YUQING_DATA_DIR"):
        monkeypatch.delenv(var, raising=False)
    args = ["--data-dir", str(tmp_path / "var")]
    assert main([*args, "db", "upgrade"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("a-long-password\n"))
    assert main([*args, "users", "add", "li", "--role", "admin", "--password-stdin"]) == 0
    db = Database(f"sqlite:///{tmp_path / 'var' / 'yuqing.db'}")
    try:
        with db.session() as s:
            throttle = Throttle(WebSettings(), utcnow)
            for address in (ATTACKER, OFFICE):
                for _ in range(4):
                    throttle.failed(s, "li", address)
        capsys.readouterr()
        assert main([*args, "users", "unlock", "li"]) == 0
        assert capsys.readouterr().out == "unlocked li (2 addresses cleared)\n"
        with db.session() as s:
            assert s.scalars(select(LoginThrottle.username)).all() == ["*", "*"]
            entry = s.scalar(select(AuditLog).where(AuditLog.action == "login.unlock"))
            assert entry is not None and entry.actor == "cli" and entry.detail == {"cleared": 2}
    finally:
        db.dispose()


def test_web_settings_are_validated(tmp_path: Path) -> None:
    msg = problem(tmp_path, "settings.yaml", "web:\n  session_idle_minutes: 0\n")
    assert msg.endswith(
        "settings.yaml: web.session_idle_minutes: Input should be greater than or equal to 5 "
        "(got 0)"
    )
    msg = problem(
        tmp_path, "settings.yaml", "web:\n  session_idle_minutes: 600\n  session_max_hours: 8\n"
    )
    assert msg == (
        f"{tmp_path / 'conf' / 'settings.yaml'}: web.session_idle_minutes: "
        "600 minutes is longer than session_max_hours (8 h)"
    )
    msg = problem(tmp_path, "settings.yaml", "web:\n  login_backoff_max_seconds: 1\n")
    assert msg.endswith(
        "settings.yaml: web.login_backoff_max_seconds: 1 s is below login_backoff_seconds (2 s)"
    )
    msg = problem(tmp_path, "settings.yaml", "web:\n  login_lockout_minutes: 15\n")
    assert msg.endswith("settings.yaml: web.login_lockout_minutes: unknown key")


def test_workers_share_the_failures(
    sqlite_database: Database, config: Config, clock: FakeClock, seed: Seed
) -> None:
    """Two app instances (two web workers) on one database see the same back-off."""
    from yuqing.app.web import create_app

    one = TestClient(create_app(config, sqlite_database, clock=clock), follow_redirects=False)
    two = TestClient(create_app(config, sqlite_database, clock=clock), follow_redirects=False)
    for _ in range(4):
        assert _login(one, "lsq1", "guess-guess").status_code == 401
    assert _login(two, "lsq1", PASSWORD).status_code == 429
