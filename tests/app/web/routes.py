"""Every route of the web app with a concrete URL and example form data, so that the tests
can check auth, CSRF and scoping on all of them — and fail when a route is added untested."""

from __future__ import annotations

from tests.app.web.conftest import Seed
from tests.app.web.factories import PASSWORD

PUBLIC = {("GET", "/healthz"), ("GET", "/"), ("GET", "/login"), ("POST", "/login")}


def get_pages(seed: Seed) -> dict[str, str]:
    """Route template -> URL, for every GET page that needs a login."""
    return {
        "/inbox": "/inbox",
        "/inbox/export.csv": "/inbox/export.csv",
        "/triage": "/triage",
        "/incidents/{incident_id}": f"/incidents/{seed.lsq}",
        "/digests": "/digests",
        "/digests/{period}/{day}/{code}": seed.digest,
        "/account": "/account",
        "/dashboard": "/dashboard",
        "/search": "/search?q=一刀切",
        "/posts": "/posts",
        "/exports": "/exports",
        "/exports/{kind}.{fmt}": "/exports/posts.csv",
        "/sql": "/sql",
        "/admin/users": "/admin/users",
        "/admin/silences": "/admin/silences",
        "/admin/sources": "/admin/sources",
        "/admin/sources/{source_id}": f"/admin/sources/{seed.source_ok}",
        "/admin/departments": "/admin/departments",
        "/admin/audit": "/admin/audit",
    }


def incident_actions(incident: int, post: int) -> dict[str, tuple[str, dict[str, str]]]:
    """Route template -> (URL, valid form data) for the actions on one incident."""
    return {
        "/incidents/{incident_id}/acknowledge": (f"/incidents/{incident}/acknowledge", {}),
        "/incidents/{incident_id}/assign": (
            f"/incidents/{incident}/assign",
            {"assignee": "lsq2"},
        ),
        "/incidents/{incident_id}/note": (f"/incidents/{incident}/note", {"note": "已电话联系"}),
        "/incidents/{incident_id}/resolve": (
            f"/incidents/{incident}/resolve",
            {"resolution": "已恢复营业"},
        ),
        "/incidents/{incident_id}/feedback": (
            f"/incidents/{incident}/feedback",
            {"note": "已派员核查"},
        ),
        "/incidents/{incident_id}/part-done": (f"/incidents/{incident}/part-done", {}),
        "/incidents/{incident_id}/posts/{post_id}/false-positive": (
            f"/incidents/{incident}/posts/{post}/false-positive",
            {"note": "不是关停"},
        ),
        "/incidents/{incident_id}/posts/{post_id}/tags": (
            f"/incidents/{incident}/posts/{post}/tags",
            {"shutdown": "0"},
        ),
    }


Form = dict[str, str]


def post_actions(seed: Seed) -> dict[str, tuple[str, Form]]:
    """Route template -> (URL, valid form data) for every POST that needs a login."""
    return {
        **incident_actions(seed.lsq, seed.hostile_post),
        "/inbox/acknowledge": ("/inbox/acknowledge", {"incident": str(seed.lsq)}),
        "/triage/{item_id}/confirm": (f"/triage/{seed.triage}/confirm", {"note": "属实"}),
        "/triage/{item_id}/reject": (f"/triage/{seed.triage}/reject", {"note": "不属实"}),
        "/logout": ("/logout", {}),
        "/account/password": (
            "/account/password",
            {
                "current": PASSWORD,
                "new": "new-password-123",
                "repeat": "new-password-123",
            },
        ),
        "/sql": ("/sql", {"sql": "SELECT 1", "limit": "100"}),
        "/admin/users": (
            "/admin/users",
            {"username": "new1", "role": "analyst", "password": "long-enough-pw"},
        ),
        "/admin/users/{user_id}": (
            f"/admin/users/{seed.users['lsq2']}",
            {"role": "officer", "department": "lsq", "display_name": "x", "active": "1"},
        ),
        "/admin/users/{user_id}/unlock": (f"/admin/users/{seed.users['lsq1']}/unlock", {}),
        "/admin/silences": (
            "/admin/silences",
            {"matchers": 'district="龙沙区"', "duration": "4h", "comment": "督察期间"},
        ),
        "/admin/silences/{silence_id}/expire": (f"/admin/silences/{seed.silence}/expire", {}),
        "/admin/sources/{source_id}/confirm": (f"/admin/sources/{seed.source_ok}/confirm", {}),
    }
