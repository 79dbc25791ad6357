"""Fixtures for the web tests: a seeded database, the app, logged-in clients."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from html import unescape

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from httpx import Response

from tests.app.web import factories as f
from tests.conftest import FakeClock
from yuqing.alerts import silences
from yuqing.app.web import create_app, security
from yuqing.config import Config
from yuqing.store.session import Database


@pytest.fixture(autouse=True)
def cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2 with tiny parameters: the defaults cost ~0.5 s a hash on CI machines."""
    monkeypatch.setattr(
        security, "HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )


_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def text_of(html: str) -> str:
    """The visible text of ``html``: tags dropped, entities decoded, whitespace collapsed."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def csrf_of(html: str) -> str:
    m = _CSRF.search(html)
    assert m, "no CSRF token in the page"
    return m.group(1)


@dataclass
class Seed:
    lsq: int  # open, overdue, routed to lsq (+ dczg, xfj); hostile post text
    jhq: int  # open, routed to jhq only
    resolved: int  # resolved, lsq
    escalated: int  # acknowledged, escalated to dcs
    hostile_post: int
    plain_post: int
    jhq_post: int
    source_ok: int
    source_failing: int
    silence: int
    users: dict[str, int]
    digest: str  # /digests/daily/2026-11-27/lsq: with the hostile post
    triage: int  # a pending 待研判 item on jhq_post, for jhq (issue 11)


def seed_db(db: Database, config: Config, clock: FakeClock) -> Seed:
    now = clock()
    with db.session() as s:
        users = {}
        for name, role, dept in (
            ("admin", "admin", None),
            ("lsq1", "officer", "lsq"),
            ("lsq2", "officer", "lsq"),
            ("jhq1", "officer", "jhq"),
            ("dcs1", "officer", "dcs"),
            ("ana", "analyst", None),
        ):
            users[name] = f.user(s, config, name, role, dept).id
        ok = f.source(s, "demo-board", health="ok", last_run_at=now, last_success_at=now)
        bad = f.source(
            s,
            "weibo-search",
            kind="jsonapi",
            health="failing",
            health_reason="3 failed runs: HTTP 503",
            last_run_at=now,
        )
        f.crawl_run(s, ok, at=now - timedelta(hours=1), items_scraped=12, items_new=3)
        f.crawl_run(
            s,
            bad,
            at=now - timedelta(hours=1),
            status="failed",
            errors=2,
            error_messages=["<b>HTTP 503</b> from https://weibo.example/api"],
        )
        hostile = f.post(
            s,
            ok,
            title=f.HOSTILE_TITLE,
            text=f.HOSTILE_TEXT,
            published_at=now - timedelta(hours=4),
            url="javascript:alert(document.cookie)",
            tags={},
        )
        plain = f.post(
            s,
            ok,
            title="龙沙区洗车店统一停业",
            text="龙沙区多家洗车店被要求统一停业整顿，手续齐全也不行，谁来管？",
            published_at=now - timedelta(hours=3, minutes=30),
            tags={"evidence": {"blanket": ["统一停业"], "complaint": ["谁来管"]}},
        )
        jhq_post = f.post(
            s,
            ok,
            title="建华区工地停工",
            text="建华区某工地突然全部停工，工人工资没着落，请求政府协调。",
            published_at=now - timedelta(hours=2),
            tags={"sector": "construction", "district": "建华区", "blanket": False},
        )
        queued = f.triage_item(s, jhq_post, ["jhq"], at=now - timedelta(minutes=30))
        lsq = f.incident(
            s,
            departments=["lsq", "dczg", "xfj"],
            posts=[hostile, plain],
            opened_at=now - timedelta(hours=3),
        )
        jhq = f.incident(
            s,
            departments=["jhq"],
            posts=[jhq_post],
            opened_at=now - timedelta(hours=1),
            due_in=timedelta(hours=8),
            rule="shutdown-report",
            severity="medium",
            sector="construction",
            district="建华区",
            title="建华区 建筑施工 关停报道",
        )
        resolved = f.incident(
            s,
            departments=["lsq"],
            posts=[plain],
            opened_at=now - timedelta(days=2),
            status="resolved",
            severity="normal",
            rule="complaint",
        )
        escalated = f.incident(
            s,
            departments=["lsq", "dcs"],
            posts=[plain],
            opened_at=now - timedelta(hours=6),
            due_in=timedelta(hours=8),
            status="acknowledged",
            severity="medium",
            rule="shutdown-report",
        )
        f.notification(s, lsq, "lsq", at=now - timedelta(hours=3))
        f.notification(
            s,
            lsq,
            "dczg",
            at=now - timedelta(hours=3),
            status="dead",
            error="SMTP 550 <b>mailbox unavailable</b>",
        )
        f.notification(s, lsq, "xfj", at=now - timedelta(hours=3))
        f.notification(s, jhq, "jhq", at=now - timedelta(hours=1))
        f.notification(s, escalated, "dcs", at=now - timedelta(hours=3), kind="escalation")
        silence = silences.create(
            s,
            ['district="铁锋区"'],
            author="admin",
            comment="<b>督察</b>期间暂停通知 {{ 7*7 }}",
            duration=timedelta(hours=4),
            now=now,
        )
        day = (now + timedelta(hours=8)).date()  # the local day (UTC+8)
        digest = f.digest(s, config, "lsq", day, now=now + timedelta(hours=16))
        return Seed(
            digest=f"/digests/{digest.period}/{digest.day}/{digest.department_code}",
            silence=silence.id,
            users=users,
            lsq=lsq.id,
            jhq=jhq.id,
            resolved=resolved.id,
            escalated=escalated.id,
            hostile_post=hostile.id,
            plain_post=plain.id,
            jhq_post=jhq_post.id,
            source_ok=ok.id,
            source_failing=bad.id,
            triage=queued.id,
        )


@pytest.fixture
def seed(sqlite_database: Database, config: Config, clock: FakeClock) -> Seed:
    return seed_db(sqlite_database, config, clock)


@pytest.fixture
def app_client(
    sqlite_database: Database, config: Config, clock: FakeClock, seed: Seed
) -> Iterator[TestClient]:
    app = create_app(config, sqlite_database, clock=clock)
    with TestClient(app, follow_redirects=False) as client:
        yield client


class Clients:
    """Log in as any seeded user; each login gets its own cookie jar."""

    def __init__(self, app_client: TestClient) -> None:
        self.app = app_client.app

    def new(self) -> TestClient:
        return TestClient(self.app, follow_redirects=False)

    def login(self, username: str, password: str = f.PASSWORD) -> TestClient:
        client = self.new()
        token = csrf_of(client.get("/login").text)
        r = client.post(
            "/login", data={"username": username, "password": password, "csrf_token": token}
        )
        assert r.status_code == 303, (r.status_code, r.text[:500])
        return client


@pytest.fixture
def clients(app_client: TestClient) -> Clients:
    return Clients(app_client)


def post_form(client: TestClient, url: str, data: dict[str, str] | None = None) -> Response:
    """POST ``data`` with the client's CSRF token (read from the account page)."""
    page = client.get("/account")
    if page.status_code != 200:  # not logged in: the login form carries the token too
        page = client.get("/login")
    return client.post(url, data={**(data or {}), "csrf_token": csrf_of(page.text)})
