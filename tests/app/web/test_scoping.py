"""Department scoping and roles: an officer never sees another department's incidents, on any
route; read-only roles cannot act; each role reaches only its pages."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from tests.app.web.conftest import Clients, Seed, post_form
from tests.app.web.routes import get_pages, incident_actions
from yuqing.store.models import AuditLog, Feedback, Incident
from yuqing.store.session import Database

DIGEST_PAGES = ("/digests", "/digests/{period}/{day}/{code}")  # seed.digest is lsq's
ANALYST_PAGES = ("/dashboard", "/search", "/posts", "/exports", "/exports/{kind}.{fmt}", "/sql")


def _inbox_ids(html: str) -> set[int]:
    return {int(i) for i in re.findall(r'data-incident="(\d+)"', html)}


def test_officer_inbox_lists_only_own_department(clients: Clients, seed: Seed) -> None:
    lsq = clients.login("lsq1")
    assert _inbox_ids(lsq.get("/inbox?status=all").text) == {
        seed.lsq,
        seed.resolved,
        seed.escalated,
    }
    # a department filter in the URL does not widen an officer's view
    assert _inbox_ids(lsq.get("/inbox?status=all&department=jhq").text) == {
        seed.lsq,
        seed.resolved,
        seed.escalated,
    }
    jhq = clients.login("jhq1")
    assert _inbox_ids(jhq.get("/inbox?status=all").text) == {seed.jhq}
    rows = jhq.get("/inbox").text.split('id="inbox"', 1)[1]  # the list, not the filters
    assert "建华区" in rows and "一刀切式关停" not in rows


def test_escalation_receiver_sees_escalated_incident(clients: Clients, seed: Seed) -> None:
    dcs = clients.login("dcs1")
    assert _inbox_ids(dcs.get("/inbox?status=all").text) == {seed.escalated}
    assert dcs.get(f"/incidents/{seed.escalated}").status_code == 200
    assert dcs.get(f"/incidents/{seed.lsq}").status_code == 404


def test_counts_per_status_are_scoped(clients: Clients, seed: Seed) -> None:
    html = clients.login("jhq1").get("/inbox").text
    counts = dict(re.findall(r'data-status="(\w+)">[^<]*<span class="count">(\d+)<', html))
    assert counts == {"active": "1", "open": "1", "acknowledged": "0", "resolved": "0", "all": "1"}


def test_admin_and_analyst_see_all_incidents(clients: Clients, seed: Seed) -> None:
    everything = {seed.lsq, seed.jhq, seed.resolved, seed.escalated}
    for name in ("admin", "ana"):
        assert _inbox_ids(clients.login(name).get("/inbox?status=all").text) == everything
    by_dept = clients.login("admin").get("/inbox?status=all&department=jhq").text
    assert _inbox_ids(by_dept) == {seed.jhq}


def test_officer_gets_404_for_other_department_incident(clients: Clients, seed: Seed) -> None:
    r = clients.login("lsq1").get(f"/incidents/{seed.jhq}")
    assert r.status_code == 404 and "建华区" not in r.text
    assert clients.login("jhq1").get(f"/incidents/{seed.jhq}").status_code == 200


def _snapshot(db: Database, incident_id: int) -> tuple[object, ...]:
    with db.session() as s:
        inc = s.get(Incident, incident_id)
        assert inc is not None
        return (
            inc.status,
            inc.assigned_to,
            s.scalar(select(func.count()).select_from(AuditLog)),
            s.scalar(select(func.count()).select_from(Feedback)),
        )


@pytest.mark.parametrize("template", list(incident_actions(0, 0)))
def test_officer_cannot_act_on_other_department_incident(
    clients: Clients, seed: Seed, sqlite_database: Database, template: str
) -> None:
    lsq = clients.login("lsq1")
    before = _snapshot(sqlite_database, seed.jhq)
    url, data = incident_actions(seed.jhq, seed.jhq_post)[template]
    r = post_form(lsq, url, data)
    assert r.status_code == 404
    assert _snapshot(sqlite_database, seed.jhq) == before


@pytest.mark.parametrize("template", list(incident_actions(0, 0)))
def test_analyst_reads_but_cannot_act(
    clients: Clients, seed: Seed, sqlite_database: Database, template: str
) -> None:
    ana = clients.login("ana")
    page = ana.get(f"/incidents/{seed.lsq}")
    assert page.status_code == 200 and 'id="actions"' not in page.text
    before = _snapshot(sqlite_database, seed.lsq)
    url, data = incident_actions(seed.lsq, seed.hostile_post)[template]
    assert post_form(ana, url, data).status_code == 403
    assert _snapshot(sqlite_database, seed.lsq) == before


def test_feedback_on_a_post_outside_the_incident_is_404(
    clients: Clients, seed: Seed, sqlite_database: Database
) -> None:
    lsq = clients.login("lsq1")
    for action in ("false-positive", "tags"):
        url = f"/incidents/{seed.lsq}/posts/{seed.jhq_post}/{action}"
        assert post_form(lsq, url, {"note": "x", "shutdown": "0"}).status_code == 404
    with sqlite_database.session() as s:
        assert s.scalar(select(func.count()).select_from(Feedback)) == 0


@pytest.mark.parametrize(
    ("user", "allowed"),
    [
        (  # officers see their own department's dashboard (issue 13)
            "lsq1",
            {
                "/inbox",
                "/inbox/export.csv",
                "/incidents/{incident_id}",
                "/account",
                "/triage",
                "/dashboard",
            }
            | {*DIGEST_PAGES},
        ),
        (
            "ana",
            {"/inbox", "/inbox/export.csv", "/incidents/{incident_id}", "/account", "/triage"}
            | {*DIGEST_PAGES, *ANALYST_PAGES},
        ),
        ("admin", None),  # everything
    ],
)
def test_pages_by_role(clients: Clients, seed: Seed, user: str, allowed: set[str] | None) -> None:
    client = clients.login(user)
    for template, url in get_pages(seed).items():
        r = client.get(url)
        expected = 200 if allowed is None or template in allowed else 403
        assert r.status_code == expected, (user, template, r.status_code)


def test_officer_cannot_assign_outside_department(
    clients: Clients, seed: Seed, sqlite_database: Database
) -> None:
    lsq = clients.login("lsq1")
    r = post_form(lsq, f"/incidents/{seed.lsq}/assign", {"assignee": "jhq1"})
    assert r.status_code == 409 and "只能指派给本部门" in r.text
    page = lsq.get(f"/incidents/{seed.lsq}").text
    assert 'value="lsq2"' in page and 'value="jhq1"' not in page
    with sqlite_database.session() as s:
        assert s.get(Incident, seed.lsq).assigned_to is None  # type: ignore[union-attr]


def test_nav_shows_only_allowed_sections(clients: Clients, seed: Seed) -> None:
    officer = clients.login("lsq1").get("/inbox").text
    assert 'href="/dashboard"' in officer  # their department's dashboard (issue 13)
    assert 'href="/posts"' not in officer and 'href="/admin/users"' not in officer
    analyst = clients.login("ana").get("/inbox").text
    assert 'href="/dashboard"' in analyst and 'href="/admin/users"' not in analyst
