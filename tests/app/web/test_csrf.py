"""CSRF: every POST needs the session's token; a missing, wrong or foreign token changes
nothing."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.app.web.conftest import Clients, Seed, csrf_of
from tests.app.web.routes import post_actions
from yuqing.store.models import AuditLog, Feedback, Incident, Silence, User
from yuqing.store.session import Database


def _state(db: Database) -> tuple[object, ...]:
    with db.session() as s:
        return (
            s.scalar(select(func.count()).select_from(AuditLog)),
            s.scalar(select(func.count()).select_from(Feedback)),
            s.scalar(select(func.count()).select_from(User)),
            tuple(s.execute(select(Incident.id, Incident.status, Incident.assigned_to)).all()),
            tuple(s.execute(select(Silence.id, Silence.ends_at)).all()),
            tuple(s.execute(select(User.id, User.role, User.password_hash)).all()),
        )


def test_every_post_rejects_missing_or_wrong_token(
    clients: Clients, seed: Seed, sqlite_database: Database
) -> None:
    admin = clients.login("admin")
    officer = clients.login("lsq1")
    other = csrf_of(clients.login("lsq2").get("/account").text)  # valid, but another session's
    before = _state(sqlite_database)
    for template, (url, data) in post_actions(seed).items():
        client = officer if template.startswith("/incidents") else admin
        for token in (None, "", "forged-token", other):
            form = dict(data) if token is None else {**data, "csrf_token": token}
            r = client.post(url, data=form)
            assert r.status_code == 403, (template, token, r.status_code)
            assert "无权访问" in r.text
    assert _state(sqlite_database) == before
    # and the same requests with the right token do go through
    assert admin.get("/inbox").status_code == 200


def test_valid_token_is_accepted(clients: Clients, seed: Seed) -> None:
    c: TestClient = clients.login("lsq1")
    token = csrf_of(c.get(f"/incidents/{seed.lsq}").text)
    r = c.post(f"/incidents/{seed.lsq}/note", data={"note": "ok", "csrf_token": token})
    assert r.status_code == 303


def test_login_rotates_the_token(clients: Clients, seed: Seed) -> None:
    c = clients.new()
    anonymous = csrf_of(c.get("/login").text)
    c.post(
        "/login",
        data={"username": "lsq1", "password": "correct-horse-battery", "csrf_token": anonymous},
    )
    assert csrf_of(c.get("/account").text) != anonymous
    r = c.post(f"/incidents/{seed.lsq}/note", data={"note": "x", "csrf_token": anonymous})
    assert r.status_code == 403
