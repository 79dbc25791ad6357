"""Several `yuqing web` workers behind a load balancer (issue 15): two real processes, each with
its own data directory (as on two hosts), one database and one YUQING_WEB_SECRET_KEY, share
sessions and the login back-off."""

from __future__ import annotations

import os
import re
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from yuqing.app.web.users import create_user
from yuqing.config import load
from yuqing.store.db import upgrade
from yuqing.store.session import Database

ROOT = Path(__file__).resolve().parents[3]
PASSWORD = "correct horse battery 15"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def workers(db_url: str, tmp_path: Path) -> Iterator[list[str]]:
    db = Database(db_url)
    upgrade(db.engine)
    with db.session() as s:
        create_user(
            s,
            load(env={}),
            username="officer1",
            password=PASSWORD,
            role="officer",
            department="dczg",
        )
    db.dispose()
    cfg_dir = tmp_path / "cfg"
    cfg_dir.mkdir()
    # a back-off long enough that the next request surely falls inside it
    (cfg_dir / "settings.yaml").write_text(
        "web:\n  login_backoff_seconds: 600\n  login_backoff_max_seconds: 600\n",
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("YUQING_")}
    env["YUQING_DATABASE_URL"] = db_url
    env["YUQING_WEB_SECRET_KEY"] = secrets.token_hex(32)
    procs, bases = [], []
    try:
        for host in ("host-a", "host-b"):
            port = _port()
            log = (tmp_path / f"{host}.log").open("wb")
            procs.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "yuqing",
                        "--config",
                        str(cfg_dir),
                        "--data-dir",
                        str(tmp_path / host),
                        "web",
                        "--port",
                        str(port),
                    ],
                    cwd=ROOT,
                    env=env,
                    stdout=log,
                    stderr=log,
                )
            )
            bases.append(f"http://127.0.0.1:{port}")
        for proc, base in zip(procs, bases, strict=True):
            deadline = time.monotonic() + 120  # against hanging only
            while True:
                try:
                    if httpx.get(base + "/healthz", timeout=5).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                assert proc.poll() is None, (tmp_path / "host-a.log").read_text()
                assert time.monotonic() < deadline, "web worker did not start"
                time.sleep(0.1)
        yield bases
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=30)


def _csrf(client: httpx.Client, url: str) -> str:
    found = CSRF.search(client.get(url).text)
    assert found
    return found.group(1)


def _login(client: httpx.Client, base: str, password: str) -> httpx.Response:
    token = _csrf(client, base + "/login")
    return client.post(
        base + "/login",
        data={"username": "officer1", "password": password, "csrf_token": token},
    )


def test_issue_15_a_session_made_on_one_worker_is_valid_and_ended_on_the_others(
    workers: list[str],
) -> None:
    a, b = workers
    with httpx.Client(follow_redirects=False, timeout=60) as client:
        assert client.get(b + "/inbox").status_code == 303  # not logged in anywhere yet
        assert _login(client, a, PASSWORD).status_code == 303
        inbox = client.get(b + "/inbox")  # the balancer sends the next request elsewhere
        assert inbox.status_code == 200
        logout = client.post(b + "/logout", data={"csrf_token": _csrf(client, b + "/inbox")})
        assert logout.status_code == 303
        stolen = dict(client.cookies)  # as if copied before the logout
    with httpx.Client(follow_redirects=False, timeout=60, cookies=stolen) as other:
        r = other.get(a + "/inbox")
        assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_issue_15_login_back_off_counts_failures_on_every_worker(workers: list[str]) -> None:
    a, b = workers
    with httpx.Client(follow_redirects=False, timeout=60) as client:
        # three free failures, spread over both workers, then the fourth starts the back-off
        for base in (a, b, a, b):
            assert _login(client, base, "wrong").status_code == 401
        # worker a has seen two failures itself: only the shared count makes it wait
        blocked = _login(client, a, PASSWORD)
        assert blocked.status_code == 429
        assert "登录失败次数过多" in blocked.text
        assert _login(client, b, PASSWORD).status_code == 429
