"""``python -m bench.web_load --url DB [--workers 2] [--officers 50] [--rounds 10]``

Web behind a load balancer, measured (issue 15): starts ``--workers`` ``yuqing web`` processes
on 127.0.0.1 (each with its own data directory, as on separate hosts, one shared
``YUQING_WEB_SECRET_KEY`` and the one database), logs ``--officers`` officers in, then each
officer, concurrently, asks ``--rounds`` times for the inbox and for one of its incidents;
every request goes to the next worker in turn (a round-robin balancer in the driver), so a
session made on one worker is used on the others.

Reported: p50/p95 per page and as a ratio to a baseline measured in the same run at the same
concurrency (a static file, ``/static/app.css``, which touches neither session nor database).
Target: p95 < 500 ms. Loopback only; bounded by ``--rounds``.

The database is one ``bench.scale`` loaded (incidents of rule ``bench_blanket``); officers
``bench-officer-N`` (password from ``--password``) are created in departments ``dczg`` and
``xfj`` and the incidents assigned to both, if not done before.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from sqlalchemy import text

from yuqing.config import load
from yuqing.store.db import normalize_url
from yuqing.store.session import Database

ROOT = Path(__file__).resolve().parents[2]
DEPARTMENTS = ("dczg", "xfj")
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
RETRIES = [0]


def prepare(db: Database, officers: int, password: str) -> list[int]:
    """Officers and incident assignments (idempotent); the ids of open bench incidents."""
    from yuqing.app.web.users import create_user

    cfg = load(env={})
    with db.session() as s:
        have = {
            r[0]
            for r in s.execute(text("SELECT username FROM users WHERE username LIKE 'bench-%'"))
        }
        for i in range(officers):
            name = f"bench-officer-{i}"
            if name not in have:
                create_user(
                    s,
                    cfg,
                    username=name,
                    password=password,
                    role="officer",
                    department=DEPARTMENTS[i % len(DEPARTMENTS)],
                    display_name=f"干部{i}",
                )
        for role, code in (("lead", DEPARTMENTS[0]), ("support", DEPARTMENTS[1])):
            s.execute(
                text(
                    "INSERT INTO incident_departments (incident_id, department_code, route, "
                    "group_key, role, notified_count, notified_posts) "
                    "SELECT id, :code, 'bench', 'bench', :role, 1, post_count FROM incidents "
                    "WHERE rule = 'bench_blanket' ON CONFLICT DO NOTHING"
                ),
                {"code": code, "role": role},
            )
        ids = [
            r[0]
            for r in s.execute(
                text(
                    "SELECT id FROM incidents WHERE rule = 'bench_blanket' "
                    "AND status != 'resolved' ORDER BY id"
                )
            )
        ]
    return ids


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_workers(url: str, n: int, tmp: Path) -> tuple[list[subprocess.Popen[bytes]], list[str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("YUQING_")}
    env["YUQING_DATABASE_URL"] = url
    env["YUQING_WEB_SECRET_KEY"] = secrets.token_hex(32)  # the one key all workers share
    procs, bases = [], []
    for i in range(n):
        port = _free_port()
        log = (tmp / f"web{i}.log").open("wb")
        procs.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "yuqing",
                    "--data-dir",
                    str(tmp / f"host{i}"),
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
    deadline = time.monotonic() + 120
    for base in bases:
        while True:
            try:
                if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"web worker {base} did not start (see {tmp})")
            time.sleep(0.2)
    return procs, bases


class Balancer:
    """Round robin over the workers, per request."""

    def __init__(self, bases: list[str]) -> None:
        self.bases = bases
        self.i = 0

    def next(self) -> str:
        self.i += 1
        return self.bases[self.i % len(self.bases)]


async def login(client: httpx.AsyncClient, lb: Balancer, user: str, password: str) -> None:
    page = await client.get(lb.next() + "/login")
    token = CSRF.search(page.text)
    assert token, page.text[:300]
    r = await client.post(
        lb.next() + "/login",
        data={"username": user, "password": password, "csrf_token": token.group(1)},
    )
    if r.status_code != 303:
        raise SystemExit(f"login of {user} failed: {r.status_code}")


async def officer(
    client: httpx.AsyncClient,
    lb: Balancer,
    incidents: list[int],
    rounds: int,
    rng: random.Random,
    times: dict[str, list[float]],
) -> None:
    for _ in range(rounds):
        for page, path in (
            ("inbox", "/inbox"),
            ("incident", f"/incidents/{rng.choice(incidents)}"),
            ("baseline: /static/app.css", "/static/app.css"),
        ):
            t = time.perf_counter()
            try:
                r = await client.get(lb.next() + path)
            except (httpx.ReadError, httpx.RemoteProtocolError):
                # a kept-alive connection the worker closed as it was reused: once more
                RETRIES[0] += 1
                r = await client.get(lb.next() + path)
            times[page].append((time.perf_counter() - t) * 1000)
            if r.status_code != 200:
                raise SystemExit(f"{path}: {r.status_code} (session not shared?)")


async def drive(
    bases: list[str], officers: int, password: str, incidents: list[int], rounds: int
) -> dict[str, list[float]]:
    lb = Balancer(bases)
    limits = httpx.Limits(max_connections=officers * 2)
    clients = [httpx.AsyncClient(limits=limits, timeout=60) for _ in range(officers)]
    try:
        for i, c in enumerate(clients):  # one after another: logins are slow on purpose
            await login(c, lb, f"bench-officer-{i}", password)
        times: dict[str, list[float]] = {
            "inbox": [],
            "incident": [],
            "baseline: /static/app.css": [],
        }
        await asyncio.gather(
            *(
                officer(c, lb, incidents, rounds, random.Random(i), times)
                for i, c in enumerate(clients)
            )
        )
        return times
    finally:
        for c in clients:
            await c.aclose()


def _pct(values: list[float], p: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1]


def main() -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.web_load", description=__doc__)
    ap.add_argument("--url", default=os.environ.get("YUQING_SCALE_URL"))
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--officers", type=int, default=50)
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--password", default="bench-password-15")
    args = ap.parse_args()
    if not args.url:
        print("PostgreSQL: skipped (give --url or set YUQING_SCALE_URL)")
        return
    url = normalize_url(args.url)
    db = Database(url)
    incidents = prepare(db, args.officers, args.password)
    with db.engine.connect() as c:
        posts = c.execute(text("SELECT count(*) FROM posts")).scalar()
    db.dispose()
    if not incidents:
        raise SystemExit("no open bench incidents: load the database with bench.scale first")
    with tempfile.TemporaryDirectory() as tmp:
        procs, bases = start_workers(url, args.workers, Path(tmp))
        try:
            started = time.perf_counter()
            times = asyncio.run(drive(bases, args.officers, args.password, incidents, args.rounds))
            took = time.perf_counter() - started
        finally:
            for p in procs:
                p.terminate()
            for p in procs:
                p.wait(timeout=30)
    base = times["baseline: /static/app.css"]
    b50, b95 = statistics.median(base), _pct(base, 95)
    print(
        f"{posts:,} posts, {len(incidents)} open incidents, {args.workers} web workers, "
        f"{args.officers} concurrent officers x {args.rounds} rounds ({took:.0f} s with logins)"
    )
    print(
        f"{'page':<28} {'requests':>8} {'p50 ms':>8} {'p95 ms':>8} {'p50 x':>7} {'p95 x':>7}"
        "  target p95 < 500 ms"
    )
    for page, values in times.items():
        p50, p95 = statistics.median(values), _pct(values, 95)
        ok = "" if page.startswith("baseline") else ("ok" if p95 < 500 else "MISSED")
        print(
            f"{page:<28} {len(values):>8} {p50:>8.1f} {p95:>8.1f} {p50 / b50:>7.1f} "
            f"{p95 / b95:>7.1f}  {ok}"
        )


if __name__ == "__main__":
    main()
