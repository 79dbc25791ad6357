"""分派依据 is kept as it read when the incident was routed (issue 13): routing.yaml addresses
routes by position (``routes[4]``), so inserting or reordering routes must not change what old
incidents say; rows routed before migration 0013 (no stored text) fall back to the path."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from tests.alerts.factories import add_posts, blanket
from tests.app.web import factories as f
from tests.app.web.conftest import Clients
from tests.conftest import FakeClock
from yuqing.alerts import glossary
from yuqing.alerts.evaluate import evaluate
from yuqing.app.web import create_app
from yuqing.config import Config
from yuqing.config.routing import Route
from yuqing.store.models import Incident, IncidentDepartment
from yuqing.store.session import Database

ORIGINAL = {"dczg": "一刀切式关停交市生态环境局督察整改办", "lsq": "按「区县为龙沙区」分派"}


def _reordered(config: Config) -> Config:
    """The same config with a route inserted first: every top-level path shifts by one."""
    new = Route(description="新增的分派规则", receiver="xfj", matchers=['district="铁锋区"'])
    routing = config.routing.model_copy(update={"routes": [new, *config.routing.routes]})
    return config.model_copy(update={"routing": routing})


@pytest.fixture
def routed(sqlite_database: Database, config: Config, clock: FakeClock) -> int:
    add_posts(sqlite_database, [blanket()], published=clock())
    evaluate(config, sqlite_database, clock())
    with sqlite_database.session() as s:
        f.user(s, config, "admin", "admin", None)
        return s.execute(
            select(Incident.id).where(Incident.rule == "blanket-shutdown")
        ).scalar_one()


@pytest.fixture
def clients(
    sqlite_database: Database, config: Config, clock: FakeClock, routed: int
) -> Iterator[Clients]:
    app = create_app(_reordered(config), sqlite_database, clock=clock)
    with TestClient(app, follow_redirects=False) as client:
        yield Clients(client)


def test_route_text_is_stored_when_routed(sqlite_database: Database, routed: int) -> None:
    with sqlite_database.session() as s:
        rows = dict(
            s.execute(
                select(IncidentDepartment.department_code, IncidentDepartment.route_text).where(
                    IncidentDepartment.incident_id == routed
                )
            ).all()
        )
    assert {code: rows[code] for code in ORIGINAL} == ORIGINAL


def test_incident_page_keeps_the_original_route_text_after_routes_change(
    clients: Clients, sqlite_database: Database, config: Config, routed: int
) -> None:
    """issue 13: route, then insert a route before it; the page still shows the original."""
    with sqlite_database.session() as s:
        lsq_path = s.execute(
            select(IncidentDepartment.route).where(
                IncidentDepartment.incident_id == routed,
                IncidentDepartment.department_code == "lsq",
            )
        ).scalar_one()
    today = _reordered(config)
    # the test means something: today's config describes the stored path differently
    assert glossary.describe_route(lsq_path, today.routing, today.rules.rules) != ORIGINAL["lsq"]
    html = clients.login("admin").get(f"/incidents/{routed}").text
    for text in ORIGINAL.values():
        assert f"分派依据：{text}" in html
    assert "新增的分派规则" not in html


def test_rows_routed_before_the_migration_describe_their_path(
    clients: Clients, sqlite_database: Database, config: Config, routed: int
) -> None:
    with sqlite_database.session() as s:
        s.execute(update(IncidentDepartment).values(route_text=None))
        path = s.execute(
            select(IncidentDepartment.route).where(IncidentDepartment.department_code == "lsq")
        ).scalar_one()
    today = _reordered(config)
    expected = glossary.describe_route(path, today.routing, today.rules.rules)
    html = clients.login("admin").get(f"/incidents/{routed}").text
    assert f"分派依据：{expected}" in html
