"""Every web parameter is checked: a bad date, page or id is a 400 page that names the
parameter, never a 500 (issue 14: `from`/`to` = 9999-12-31 or 0001-01-01 gave
`OverflowError: date value out of range` on /posts, /search, /dashboard, /exports/*.csv)."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from tests.app.web.conftest import Clients, Seed, csrf_of, text_of
from tests.app.web.routes import get_pages, post_actions
from yuqing.app.web.app import ROUTERS

DATED = ["/posts", "/search?q=关停", "/dashboard", "/exports/posts.csv", "/exports/incidents.csv"]
BAD_DATES = ["9999-12-31", "0001-01-01", "2026-02-30", "2026-1-5", "yesterday", "２０２６-01-01"]


@pytest.mark.parametrize("param", ["from", "to"])
def test_bad_dates_are_400_with_a_message(clients: Clients, seed: Seed, param: str) -> None:
    """issue 14: out-of-range dates were a 500 (17 tracebacks)."""
    ana = clients.login("ana")
    for url, value in itertools.product(DATED, BAD_DATES):
        sep = "&" if "?" in url else "?"
        r = ana.get(f"{url}{sep}{param}={value}")
        assert r.status_code == 400, (url, value, r.status_code)
        assert (
            f"参数 {param} 的值 '{value}' 无效："
            "应为 2000-01-01 至 2100-12-31 之间的日期（YYYY-MM-DD）。" in text_of(r.text)
        ), (url, value)


def test_good_dates_still_work(clients: Clients, seed: Seed) -> None:
    ana = clients.login("ana")
    for url in DATED:
        sep = "&" if "?" in url else "?"
        r = ana.get(f"{url}{sep}from=2000-01-01&to=2100-12-31")
        assert r.status_code == 200, url
    assert ana.get("/posts?from=&to=").status_code == 200  # empty: the default range


PAGED = ["/posts", "/inbox", "/digests", "/admin/audit"]
BAD_PAGES = ["-1", "0", "10000001", "99999999999999999999", "abc", "²", "1.5"]
BAD_IDS = {
    "/incidents/0": "参数 incident_id 的值 '0' 无效：应不小于 1。",
    "/incidents/-5": "参数 incident_id 的值 '-5' 无效：应不小于 1。",
    "/incidents/abc": "参数 incident_id 的值 'abc' 无效：应为整数。",
    "/incidents/99999999999999999999": (
        "参数 incident_id 的值 '99999999999999999999' 无效：应不大于 2147483647。"
    ),
    "/admin/sources/1e3": "参数 source_id 的值 '1e3' 无效：应为整数。",
}


def test_bad_pages_and_ids_are_400(clients: Clients, seed: Seed) -> None:
    admin = clients.login("admin")
    for url, page in itertools.product(PAGED, BAD_PAGES):
        r = admin.get(f"{url}?page={page}")
        assert r.status_code == 400, (url, page)
        assert f"参数 page 的值 '{page}' 无效" in text_of(r.text), (url, page)
    assert "应为 1 至 10000 的整数" in text_of(admin.get("/posts?page=0").text)
    for url, message in BAD_IDS.items():
        r = admin.get(url)
        assert r.status_code == 400 and message in text_of(r.text), (url, text_of(r.text))


def test_an_id_in_range_that_does_not_exist_is_404(clients: Clients, seed: Seed) -> None:
    admin = clients.login("admin")
    assert admin.get("/incidents/2147483647").status_code == 404
    assert admin.get("/admin/sources/2147483647").status_code == 404


# -- fuzzing every route ---------------------------------------------------------------------

BAD_VALUES = [
    "9999-12-31",
    "0001-01-01",
    "-1",
    "0",
    "99999999999999999999",
    "9" * 5000,
    "abc",
    "²",
    "",
    "%",
    "' OR 1=1 --",
    "<script>x</script>",
    "\x00",
    "１２",
    "NaN",
]
# pages that read filters from the query string themselves, and the names they read
SELF_PARSING = {"/posts", "/inbox", "/digests", "/login", "/", "/triage"}
COMMON_NAMES = [
    "from",
    "to",
    "page",
    "status",
    "severity",
    "sector",
    "district",
    "department",
    "period",
    "source",
    "flag",
    "offset",
    "q",
    "msg",
    "next",
    "limit",
]
_PARAM = re.compile(r"{(\w+)}")


def _routes() -> Iterator[APIRoute]:
    """Every route of the app (its routers: FastAPI's router as the app includes it)."""
    for router in ROUTERS:
        for route in router.routes:
            if isinstance(route, APIRoute):
                yield route


def _valid_urls(seed: Seed) -> dict[tuple[str, str], str]:
    urls = {("GET", t): u for t, u in get_pages(seed).items()}
    urls.update({("POST", t): u for t, (u, _) in post_actions(seed).items()})
    urls.update({("GET", "/"): "/", ("GET", "/login"): "/login", ("GET", "/healthz"): "/healthz"})
    urls[("POST", "/login")] = "/login"
    return urls


def _path_variants(template: str, valid: str) -> Iterator[str]:
    """``valid`` with one path parameter at a time replaced by each bad value."""
    names = _PARAM.findall(template)
    pattern = "^" + _PARAM.sub(r"(?P<\1>[^/]+?)", template.replace(".", r"\.")) + "$"
    m = re.match(pattern, valid.split("?")[0])
    assert m, (template, valid)
    for name in names:
        for value in BAD_VALUES:
            if value:
                start, end = m.span(name)
                yield valid[:start] + quote(value, safe="") + valid[end:]


def test_fuzzing_every_route_finds_no_500(clients: Clients, seed: Seed) -> None:
    """Each route's declared query and path parameters, and the names pages read themselves,
    get each bad value (one parameter at a time), logged in as an admin."""
    admin = clients.login("admin")
    token = csrf_of(admin.get("/account").text)
    urls = _valid_urls(seed)
    seen = 0
    failures: list[str] = []
    for route in _routes():
        for method in sorted(route.methods or ()):
            valid = urls[(method, route.path)]
            if route.path in ("/logout", "/account/password"):
                continue  # would end the fuzzing session; their params are form fields only
            names = [p.alias for p in route.dependant.query_params]
            if route.path in SELF_PARSING and method == "GET":
                names = list(dict.fromkeys(names + COMMON_NAMES))
            requests = [
                f"{valid.split('?')[0]}?{name}={quote(value, safe='')}"
                if "?" not in valid
                else f"{valid}&{name}={quote(value, safe='')}"
                for name in names
                for value in BAD_VALUES
            ]
            requests += list(_path_variants(route.path, valid.split("?")[0]))
            for url in requests:
                seen += 1
                if method == "GET":
                    r = admin.get(url, params=None)
                else:
                    r = admin.post(url, data={"csrf_token": token})
                if r.status_code >= 500:
                    failures.append(f"{method} {url[:120]} -> {r.status_code}")
    assert seen > 1000
    assert failures == []


def test_fuzzing_sees_every_route(app_client: TestClient, seed: Seed) -> None:
    """The fuzz test knows a valid URL for every route (a new route must be added)."""
    urls = _valid_urls(seed)
    routes = {(m, r.path) for r in _routes() for m in r.methods or ()}
    assert len(routes) > 30 and routes == set(urls)


def test_fuzzing_every_form_finds_no_500(clients: Clients, seed: Seed) -> None:
    """Each POST route's form fields (the declared ones and the ones its valid example sends)
    get each bad value, one field at a time, the others valid."""
    admin = clients.login("admin")
    token = csrf_of(admin.get("/account").text)
    actions = post_actions(seed)
    failures: list[str] = []
    seen = 0
    for route in _routes():
        if "POST" not in (route.methods or ()) or route.path in ("/logout", "/account/password"):
            continue
        url, valid = actions.get(route.path, ("/login", {}))
        fields = list(dict.fromkeys([p.alias for p in route.dependant.body_params] + [*valid]))
        for name, value in itertools.product(fields, BAD_VALUES):
            seen += 1
            r = admin.post(url, data={**valid, name: value, "csrf_token": token})
            if r.status_code >= 500:
                failures.append(f"POST {url} {name}={value[:20]!r} -> {r.status_code}")
    assert seen > 200
    assert failures == []
