"""Static files served from memory and the plain-ASGI middleware (issue 15: web p95 under load):
the same answers, headers and conditional requests as Starlette's StaticFiles gave."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.testclient import TestClient

from tests.app.web.conftest import Clients, Seed
from yuqing.app.web.app import STATIC
from yuqing.app.web.assets import Assets
from yuqing.app.web.sessions import SESSION_COOKIE

SAME = ("content-type", "content-length", "etag", "last-modified", "accept-ranges")


def _starlette(directory: Path) -> TestClient:
    plain = FastAPI()
    plain.mount("/static", StaticFiles(directory=directory), name="static")
    return TestClient(plain)


@pytest.mark.parametrize("name", sorted(p.name for p in STATIC.iterdir() if p.is_file()))
def test_every_static_file_as_starlette_served_it(app_client: TestClient, name: str) -> None:
    ours = app_client.get(f"/static/{name}")
    theirs = _starlette(STATIC).get(f"/static/{name}")
    assert ours.status_code == theirs.status_code == 200
    assert ours.content == theirs.content == (STATIC / name).read_bytes()
    assert {h: ours.headers.get(h) for h in SAME} == {h: theirs.headers.get(h) for h in SAME}


def test_static_file_keeps_security_headers_and_sets_no_cookie(app_client: TestClient) -> None:
    r = app_client.get("/static/app.css")
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "default-src 'none'" in r.headers["content-security-policy"]
    assert "cache-control" not in r.headers and "set-cookie" not in r.headers
    assert SESSION_COOKIE not in app_client.cookies


def test_conditional_requests_get_304(app_client: TestClient) -> None:
    first = app_client.get("/static/app.js")
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    for headers in (
        {"if-none-match": etag},
        {"if-none-match": f'W/{etag}, "other"'},
        {"if-none-match": "*"},
        {"if-modified-since": modified},
    ):
        r = app_client.get("/static/app.js", headers=headers)
        assert r.status_code == 304, headers
        assert r.content == b"" and r.headers["etag"] == etag
    changed = app_client.get("/static/app.js", headers={"if-none-match": '"other"'})
    assert changed.status_code == 200 and changed.content == first.content


def test_head_has_the_headers_and_no_body(app_client: TestClient) -> None:
    r = app_client.head("/static/app.css")
    assert r.status_code == 200 and r.content == b""
    assert r.headers["content-length"] == str(len((STATIC / "app.css").read_bytes()))


@pytest.mark.parametrize("path", ["/static/nope.css", "/static/%2e%2e/app.py", "/static/"])
def test_what_is_not_a_static_file_is_a_404_page(app_client: TestClient, path: str) -> None:
    r = app_client.get(path)
    assert r.status_code == 404 and "未找到" in r.text
    assert "cache-control" not in r.headers  # as before: nothing under /static/ gets no-store


def test_other_methods_and_ranges_are_left_to_staticfiles(app_client: TestClient) -> None:
    assert app_client.post("/static/app.css").status_code == 405
    part = app_client.get("/static/app.css", headers={"range": "bytes=0-9"})
    assert part.status_code == 206 and part.content == (STATIC / "app.css").read_bytes()[:10]


def test_a_changed_file_is_read_again(tmp_path: Path) -> None:
    css = tmp_path / "x.css"
    css.write_text("a{}", encoding="utf-8")
    assets = Assets(tmp_path)
    first = assets.get("/static/x.css")
    assert first is not None and first.body == b"a{}"
    assert assets.get("/static/x.css") is first  # cached while unchanged
    css.write_text("a{color:red}", encoding="utf-8")
    os.utime(css, ns=(first.stamp[0] + 10**9, first.stamp[0] + 10**9))
    second = assets.get("/static/x.css")
    assert second is not None and second.body == b"a{color:red}"
    assert second.etag != first.etag
    css.unlink()
    assert assets.get("/static/x.css") is None


def test_only_files_inside_the_directory(tmp_path: Path) -> None:
    (tmp_path / "static").mkdir()
    (tmp_path / "secret.txt").write_text("no", encoding="utf-8")
    (tmp_path / "static" / ".hidden").write_text("no", encoding="utf-8")
    (tmp_path / "static" / "sub").mkdir()
    assets = Assets(tmp_path / "static")
    for path in (
        "/static/../secret.txt",
        "/static/sub/../../secret.txt",
        "/static/.hidden",
        "/static/sub",
        "/static/sub/",
        "/static/",
        "/static/a\\b",
    ):
        assert assets.get(path) is None, path


def test_pages_still_get_the_session_cookie_and_no_store(clients: Clients, seed: Seed) -> None:
    anonymous = clients.new().get("/login")
    assert anonymous.headers["set-cookie"].startswith(f"{SESSION_COOKIE}=")
    assert anonymous.headers["cache-control"] == "no-store"
    officer = clients.login("lsq1")
    r = officer.get("/inbox")
    assert r.status_code == 200 and "set-cookie" not in r.headers  # the session is unchanged
