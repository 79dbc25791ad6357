"""``python -m bench.web_load --url DB [--workers 2] [--officers 50] [--rounds 10] [--think 1,3]``

Web behind a load balancer, measured (issue 15): starts ``--workers`` ``yuqing web`` processes
on 127.0.0.1 (each with its own data directory, as on separate hosts, one shared
``YUQING_WEB_SECRET_KEY`` and the one database), logs ``--officers`` officers in, then each
officer, concurrently, asks ``--rounds`` times for the inbox, for one of its incidents and for
``/static/app.css``, pausing a random ``--think MIN,MAX`` seconds after each answer (people
read what they asked for; ``--think 0`` asks again at once, the saturation test). Every
request goes to the next worker in turn (a round-robin balancer in the driver), so a session
made on one worker is used on the others.

Reported: requests/s achieved, p50/p95/p99 per page and as a ratio to the baseline measured
in the same run at the same concurrency (the static file, which touches neither session nor
database), and the workers' CPU ms per request (from /proc). Target: p95 < 500 ms. Loopback
only; bounded by ``--rounds``. ``--root CHECKOUT`` runs the workers from another checkout (a
copy of main, to compare old and new code on the same database and machine).

The database is one ``bench.scale`` loaded (incidents of rule ``bench_blanket``); officers
``bench-officer-N`` (password from ``--password``) are created in departments ``dczg`` and
``xfj`` and the incidents assigned to both, if not done before. Figures: README.md here.
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
from dataclasses import dataclass
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
TICK = os.sysconf("SC_CLK_TCK")


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


def start_workers(
    url: str, n: int, tmp: Path, root: Path = ROOT
) -> tuple[list[subprocess.Popen[bytes]], list[str]]:
    """``n`` workers of the checkout ``root`` (its ``yuqing`` package is imported first)."""
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
                cwd=root,
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


BASELINE = "baseline: /static/app.css"


async def officer(
    client: httpx.AsyncClient,
    lb: Balancer,
    incidents: list[int],
    rounds: int,
    rng: random.Random,
    think: tuple[float, float],
    times: dict[str, list[float]],
) -> None:
    if think[1] > 0:  # officers do not all start in the same instant
        await asyncio.sleep(rng.uniform(0, think[1]))
    for _ in range(rounds):
        for page, path in (
            ("inbox", "/inbox"),
            ("incident", f"/incidents/{rng.choice(incidents)}"),
            (BASELINE, "/static/app.css"),
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
            if think[1] > 0:
                await asyncio.sleep(rng.uniform(*think))


@dataclass
class Run:
    times: dict[str, list[float]]
    seconds: float  # of the measured phase (after the logins)
    worker_cpu_s: float  # the workers' CPU in the measured phase


async def drive(
    bases: list[str],
    pids: list[int],
    officers: int,
    password: str,
    incidents: list[int],
    rounds: int,
    think: tuple[float, float],
) -> Run:
    lb = Balancer(bases)
    limits = httpx.Limits(max_connections=officers * 2)
    clients = [httpx.AsyncClient(limits=limits, timeout=120) for _ in range(officers)]
    try:
        for i, c in enumerate(clients):  # one after another: logins are slow on purpose
            await login(c, lb, f"bench-officer-{i}", password)
        times: dict[str, list[float]] = {"inbox": [], "incident": [], BASELINE: []}
        cpu0, t0 = cpu_s(pids), time.perf_counter()
        await asyncio.gather(
            *(
                officer(c, lb, incidents, rounds, random.Random(i), think, times)
                for i, c in enumerate(clients)
            )
        )
        return Run(times, time.perf_counter() - t0, cpu_s(pids) - cpu0)
    finally:
        for c in clients:
            await c.aclose()


def cpu_s(pids: list[int]) -> float:
    """User + system CPU seconds of ``pids`` so far (from /proc; 0 for one that is gone)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICK


def parse_think(value: str) -> tuple[float, float]:
    """``1,3`` → (1.0, 3.0); ``0`` → (0.0, 0.0)."""
    parts = [float(x) for x in value.split(",")]
    if len(parts) == 1:
        parts = parts * 2
    if len(parts) != 2 or not 0 <= parts[0] <= parts[1]:
        raise argparse.ArgumentTypeError(f"--think: MIN,MAX seconds, 0 <= MIN <= MAX: {value!r}")
    return parts[0], parts[1]


def _pct(values: list[float], p: int) -> float:
    if p == 50:
        return statistics.median(values)
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


def bench_parser(prog: str, doc: str | None) -> argparse.ArgumentParser:
    """The options every web bench takes: the database, the officers' password, the checkout."""
    ap = argparse.ArgumentParser(prog=prog, description=doc)
    ap.add_argument("--url", default=os.environ.get("YUQING_SCALE_URL"))
    ap.add_argument("--password", default="bench-password-15")
    ap.add_argument("--root", type=Path, default=ROOT, help="the checkout the workers run")
    return ap


def main() -> None:
    ap = bench_parser("python -m bench.web_load", __doc__)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--officers", type=int, default=50)
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--think", type=parse_think, default=(1.0, 3.0), help="MIN,MAX s or 0")
    args = ap.parse_args()
    if not args.url:
        print("PostgreSQL: skipped (give --url or set YUQING_SCALE_URL)")
        return
    url = normalize_url(args.url)
    db = Database(url)
    incidents = prepare(db, args.officers, args.password)
    with db.engine.connect() as c:
        posts = c.execute(text("SELECT count(*) FROM posts")).scalar() or 0
    db.dispose()
    if not incidents:
        raise SystemExit("no open bench incidents: load the database with bench.scale first")
    with tempfile.TemporaryDirectory() as tmp:
        procs, bases = start_workers(url, args.workers, Path(tmp), root=args.root)
        try:
            run = asyncio.run(
                drive(
                    bases,
                    [p.pid for p in procs],
                    args.officers,
                    args.password,
                    incidents,
                    args.rounds,
                    args.think,
                )
            )
        finally:
            for p in procs:
                p.terminate()
            for p in procs:
                p.wait(timeout=30)
    print(report(run, posts, len(incidents), args))


def report(run: Run, posts: int, incidents: int, args: argparse.Namespace) -> str:
    total = sum(len(v) for v in run.times.values())
    think = (
        "no think time" if args.think[1] == 0 else f"think {args.think[0]:g}-{args.think[1]:g} s"
    )
    base = run.times[BASELINE]
    b = {p: _pct(base, p) for p in (50, 95, 99)}
    lines = [
        f"code: {args.root}; {posts:,} posts, {incidents} open incidents, {args.workers} web "
        f"workers, {args.officers} officers x {args.rounds} rounds, {think}",
        f"{total} requests in {run.seconds:.0f} s: {total / run.seconds:.1f} requests/s; "
        f"workers' CPU {1000 * run.worker_cpu_s / total:.1f} ms per request "
        f"({run.worker_cpu_s / run.seconds:.2f} cores); retries {RETRIES[0]}",
        f"{'page':<26} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}  "
        f"{'p50 x':>6} {'p95 x':>6} {'p99 x':>6}  target p95 < 500 ms",
    ]
    for page, values in run.times.items():
        q = {p: _pct(values, p) for p in (50, 95, 99)}
        ok = "" if page == BASELINE else ("ok" if q[95] < 500 else "MISSED")
        lines.append(
            f"{page:<26} {len(values):>5} {q[50]:>8.0f} {q[95]:>8.0f} {q[99]:>8.0f}  "
            f"{q[50] / b[50]:>6.1f} {q[95] / b[95]:>6.1f} {q[99] / b[99]:>6.1f}  {ok}"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
