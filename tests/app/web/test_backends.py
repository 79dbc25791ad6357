"""Every page and the main actions on every configured backend (SQLite, and PostgreSQL when
YUQING_TEST_POSTGRES_URL is set): the dashboard's day bucketing, search's index, exports and
the SQL console differ per backend."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.app.web.conftest import Clients, csrf_of, post_form, seed_db, text_of
from tests.app.web.factories import PASSWORD
from tests.app.web.routes import get_pages
from tests.conftest import FakeClock
from yuqing.app.web import create_app
from yuqing.config import Config
from yuqing.store.session import Database


def test_pages_and_actions(database: Database, config: Config, clock: FakeClock) -> None:
    seed = seed_db(database, config, clock)
    with TestClient(create_app(config, database, clock=clock), follow_redirects=False) as app:
        clients = Clients(app)
        admin = clients.login("admin")
        for template, url in get_pages(seed).items():
            r = admin.get(url)
            assert r.status_code == 200, (template, r.text[-2000:])
        dashboard = text_of(admin.get("/dashboard?from=2026-11-20&to=2026-11-27").text)
        assert "2 一刀切式关停帖文" in dashboard and "3 关停报告帖文" in dashboard
        assert "4 新增预警事件" in dashboard and "1 故障采集源" in dashboard
        search = text_of(admin.get("/search?q=龙沙区 AND (烧烤 OR 洗车)&from=2026-11-01").text)
        assert "找到 2 条" in search
        csv = admin.get("/exports/incidents.csv?from=2026-11-01&to=2026-11-30")
        assert csv.status_code == 200 and len(csv.content.decode("utf-8-sig").splitlines()) == 5
        sql = post_form(admin, "/sql", {"sql": "SELECT COUNT(*) AS n FROM v_posts", "limit": "100"})
        assert "<td>3</td>" in sql.text
        refused = post_form(admin, "/sql", {"sql": "DELETE FROM posts", "limit": "100"})
        assert refused.status_code == 400
        officer = clients.login("lsq1")
        token = csrf_of(officer.get(f"/incidents/{seed.lsq}").text)
        resolved = {"resolution": "已处理", "verification": "属实", "verified": "true",
                    "production_restored": "yes", "public_response": "replied"}  # fmt: skip
        for action, data in (("acknowledge", {}), ("resolve", resolved)):
            r = officer.post(f"/incidents/{seed.lsq}/{action}", data={**data, "csrf_token": token})
            assert r.status_code == 303, r.text[-2000:]
        assert officer.get(f"/incidents/{seed.jhq}").status_code == 404
        inbox = text_of(officer.get("/inbox?status=resolved").text)
        assert "已办结 2" in inbox


def test_sessions_and_login_throttle(database: Database, config: Config, clock: FakeClock) -> None:
    """issue 14: sessions and failed logins live in the database, on every backend."""
    from yuqing.app.web.sessions import SESSION_COOKIE

    seed = seed_db(database, config, clock)
    with TestClient(create_app(config, database, clock=clock), follow_redirects=False) as app:
        clients = Clients(app)
        officer = clients.login("lsq1")
        cookie = officer.cookies[SESSION_COOKIE]
        assert post_form(officer, "/logout").status_code == 303
        replay = clients.new()
        replay.cookies.set(SESSION_COOKIE, cookie)
        assert replay.get(f"/incidents/{seed.lsq}").status_code == 303
        c = clients.new()
        for expected in (401, 401, 401, 401):  # the fourth failure starts a 2 s back-off
            token = csrf_of(c.get("/login").text)
            form = {"username": "lsq2", "password": "guess-guess", "csrf_token": token}
            assert c.post("/login", data=form).status_code == expected
        form["password"] = PASSWORD
        assert c.post("/login", data=form).status_code == 429
        clock.advance(seconds=2)
        assert c.post("/login", data=form).status_code == 303
