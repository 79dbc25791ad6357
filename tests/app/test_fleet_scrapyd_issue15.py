"""Issue 15, the tested deployment: two real Scrapyd nodes on 127.0.0.1 and a throw-away
PostgreSQL (``bash .ci/with-postgres``), one scheduler cycle over the demo site with
``crawl.backend: scrapyd``; one node is killed (SIGKILL, with its crawl) mid-crawl. Every
crawl still ends ``ok`` on the surviving node, every post is stored once and every alert is
delivered once (the webhook receiver sees each idempotency key once).

Skips without PostgreSQL or Scrapyd (``pip install 'yuqing[fleet]'``). Bounded: crawls of two
demo sources, node polling every 0.2 s, a node dead after 2 s unreachable.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from yuqing.alerts.receivers import WebhookReceiver
from yuqing.app.fleet.client import NodeError, ScrapydClient
from yuqing.app.scheduler import Runtime, run_once
from yuqing.config import load
from yuqing.config.crawl import ScrapydNode
from yuqing.crawler.demo_site.server import DemoSite
from yuqing.store.db import upgrade
from yuqing.store.models import CrawlRun, Notification, Post, Source
from yuqing.store.session import Database

pytest.importorskip("scrapyd")
# Idle, the crawls take well under a minute (the tagger's model is the session's, built once:
# tests/conftest.py); the bound is for a busy machine (each crawl's own timeout is 3 minutes).
pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

SOURCES = ("demo-board", "demo-news")


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Node:
    """One Scrapyd process in a directory of its own (its scrapyd.conf names the project)."""

    def __init__(
        self, root: Path, name: str, env: dict[str, str], eggs_dir: Path | None = None
    ) -> None:
        self.name = name
        self.port = _port()
        self.dir = root / name
        self.dir.mkdir()
        (self.dir / "scrapyd.conf").write_text(
            "[scrapyd]\nbind_address = 127.0.0.1\n"
            f"http_port = {self.port}\nmax_proc = 2\npoll_interval = 0.2\n"
            f"logs_dir = logs\neggs_dir = {eggs_dir or 'eggs'}\ndbs_dir = dbs\n",
            encoding="utf-8",
        )
        if eggs_dir is None:
            # the project without an egg: yuqing as installed (Scrapyd and Scrapy read this);
            # with eggs_dir, only an egg `yuqing deploy` uploads (test_fleet_deploy_issue15.py)
            (self.dir / "scrapy.cfg").write_text(
                "[settings]\nyuqing = yuqing.crawler.settings\n", encoding="utf-8"
            )
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "scrapyd", "--nodaemon", "--pidfile="],
            cwd=self.dir,
            env=env,
            stdout=open(self.dir / "scrapyd.out", "wb"),  # noqa: SIM115
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its crawls are in its process group: killed with it
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_up(self) -> None:
        client = ScrapydClient(ScrapydNode(name=self.name, url=self.url))
        for _ in range(300):
            try:
                client.daemonstatus()
                return
            except Exception:
                if self.proc.poll() is not None:
                    raise RuntimeError((self.dir / "scrapyd.out").read_text()) from None
                time.sleep(0.1)
        raise RuntimeError(f"scrapyd {self.name} did not start")

    def kill(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


@pytest.fixture
def fleet(
    tmp_path: Path, fresh_pg_url: str, models_data_dir: Path
) -> Iterator[tuple[Runtime, list[Node], WebhookReceiver]]:
    site = DemoSite()
    site.start()
    receiver = WebhookReceiver(tmp_path / "received.jsonl")
    receiver.start()
    nodes: list[Node] = []
    try:
        cfg_dir = tmp_path / "cfg"
        cfg_dir.mkdir()
        data_dir = models_data_dir  # the session's tagger models: the nodes' crawls load them
        names = [s.name for s in load(env={}).sources.sources]
        lines = ["sources:"]
        for name in names:
            lines += [
                f"  - name: {name}",
                "    timeout: 3m" if name in SOURCES else "    enabled: false",
            ]
        (cfg_dir / "sources.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
        (cfg_dir / "departments.yaml").write_text(
            "departments:\n  - code: dczg\n    name: 市生态环境局督察整改办\n    kind: office\n"
            f"    channels:\n      - type: webhook\n        url: {receiver.url}\n",
            encoding="utf-8",
        )
        env = {k: v for k, v in os.environ.items() if not k.startswith("YUQING_")}
        env |= {
            "YUQING_CONFIG_DIR": str(cfg_dir),
            "YUQING_DATA_DIR": str(data_dir),
            "YUQING_DATABASE_URL": fresh_pg_url,
            "YUQING_DEMO_URL": site.base_url,
            "YUQING_RETRY_BACKOFF": "0.05",
        }
        for name in ("n1", "n2"):
            nodes.append(Node(tmp_path, name, env))
        for node in nodes:
            node.wait_up()
        node_lines = "".join(
            f"    - name: {n.name}\n      url: {n.url}\n      max_jobs: 2\n"
            f"      jobs_dir: {n.dir / 'crawl-jobs'}\n"
            for n in nodes
        )
        (cfg_dir / "settings.yaml").write_text(
            "triage:\n  enabled: false\nsource_probation_days: 0\n"
            "crawl:\n  backend: scrapyd\n  poll_seconds: 0.2\n  node_dead_after_seconds: 2\n"
            f"  nodes:\n{node_lines}",
            encoding="utf-8",
        )
        config = load(
            config_dir=cfg_dir,
            env={
                "YUQING_DATA_DIR": str(data_dir),
                "YUQING_DATABASE_URL": fresh_pg_url,
            },
        )
        db = Database(fresh_pg_url)
        upgrade(db.engine)
        os.environ["YUQING_DEMO_URL"] = site.base_url
        try:
            yield Runtime(config, db), nodes, receiver
        finally:
            os.environ.pop("YUQING_DEMO_URL", None)
            db.dispose()
    finally:
        for node in nodes:
            node.kill()
        receiver.stop()
        site.stop()


def test_a_node_killed_mid_crawl_loses_nothing_and_doubles_nothing_issue_15(
    fleet: tuple[Runtime, list[Node], WebhookReceiver],
) -> None:
    runtime, nodes, receiver = fleet
    victim = nodes[0]
    killed: list[int] = []

    def kill_once_crawling() -> None:
        """Kill n1 (SIGKILL to Scrapyd and its crawls) once a crawl of it has started."""
        client = ScrapydClient(ScrapydNode(name=victim.name, url=victim.url))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not runtime.stopping:
            with runtime.db.session() as s:
                job = s.scalar(
                    select(CrawlRun.job_id).where(
                        CrawlRun.node == victim.name, CrawlRun.status == "running"
                    )
                )
            try:
                running = bool(job) and client.listjobs("yuqing").state(job) == "running"
            except NodeError:  # a slow answer on a busy machine: ask again
                running = False
            if running:
                time.sleep(1.0)  # the crawl process is starting or crawling
                victim.kill()
                killed.append(job)
                return
            time.sleep(0.05)

    killer = threading.Thread(target=kill_once_crawling, daemon=True)
    killer.start()
    report = run_once(runtime, force=True)
    killer.join(timeout=5)

    assert killed, "node n1 was never seen crawling"
    assert report.crawled == dict.fromkeys(SOURCES, 0), report
    with runtime.db.session() as s:
        runs = s.execute(
            select(Source.name, CrawlRun.node, CrawlRun.status, CrawlRun.error_messages)
            .join(Source, Source.id == CrawlRun.source_id)
            .order_by(CrawlRun.id)
        ).all()
        died = [r for r in runs if r.node == victim.name and r.status == "failed"]
        assert died and all("node n1" in r.error_messages[0] for r in died), runs
        # every source ended with an ok run on the surviving node
        assert {r.name for r in runs if r.status == "ok" and r.node == "n2"} == set(SOURCES)
        dupes = s.scalar(
            select(func.count()).select_from(
                select(Post.source_id, Post.url)
                .group_by(Post.source_id, Post.url)
                .having(func.count() > 1)
                .subquery()
            )
        )
        assert dupes == 0
        posts = s.scalar(select(func.count()).select_from(Post))
        sent = s.scalars(
            select(Notification.idempotency_key).where(Notification.status == "sent")
        ).all()
    assert posts and posts > 50
    assert sent, "no alert was delivered"
    hooked = sorted(k for k in sent if "/webhook#" in k)  # dczg's channel; others by e-mail
    assert hooked, "no alert reached the webhook"
    assert sorted(receiver.keys()) == hooked  # each delivered, once
