"""Issue 15, deployment for real: ``yuqing deploy`` builds the egg and uploads it to a real
Scrapyd node on 127.0.0.1 that has no project of its own (no scrapy.cfg; its scrapyd.conf's
eggs_dir is a temp dir), ``listversions.json`` shows the version, and one crawl of a demo
source, dispatched by the fleet runner, runs from that egg and stores its posts.

SQLite (a file the node's crawl writes too) and the tagger off (the node's environment): the
point is the egg, not the pipeline; bounded well under a minute on an idle machine.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.app.test_fleet_scrapyd_issue15 import Node
from yuqing.app.cli import main
from yuqing.app.fleet.client import ScrapydClient
from yuqing.app.fleet.dispatch import FleetRunner
from yuqing.config import load
from yuqing.crawler.demo_site.server import DemoSite
from yuqing.store.db import upgrade
from yuqing.store.models import CrawlRun, Post
from yuqing.store.session import Database

pytest.importorskip("scrapyd")
pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

SOURCE = "demo-news"
VERSION = "20261206_1"


@pytest.fixture
def egg_node(tmp_path: Path) -> Iterator[tuple[Node, Path, str]]:
    """A Scrapyd node that knows no project until one is deployed, and the config naming it."""
    site = DemoSite()
    site.start()
    node: Node | None = None
    try:
        db_url = f"sqlite:///{tmp_path / 'fleet.db'}"
        db = Database(db_url)
        upgrade(db.engine)
        db.dispose()
        cfg_dir = tmp_path / "cfg"
        cfg_dir.mkdir()
        names = [s.name for s in load(env={}).sources.sources]
        lines = ["sources:"]
        for name in names:
            lines += [
                f"  - name: {name}",
                "    timeout: 2m" if name == SOURCE else "    enabled: false",
            ]
        (cfg_dir / "sources.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if not k.startswith("YUQING_")}
        env |= {
            "YUQING_CONFIG_DIR": str(cfg_dir),
            "YUQING_DATA_DIR": str(tmp_path / "var"),
            "YUQING_DATABASE_URL": db_url,
            "YUQING_DEMO_URL": site.base_url,
            "YUQING_TAGGER": "off",
            "YUQING_RETRY_BACKOFF": "0.05",
            "YUQING_EGG_CACHE": str(tmp_path / "egg-cache"),
        }
        node = Node(tmp_path, "n1", env, eggs_dir=tmp_path / "eggs")
        node.wait_up()
        (cfg_dir / "settings.yaml").write_text(
            "crawl:\n  backend: scrapyd\n  poll_seconds: 0.2\n  node_dead_after_seconds: 5\n"
            f"  nodes:\n    - name: n1\n      url: {node.url}\n"
            f"      jobs_dir: {node.dir / 'crawl-jobs'}\n",
            encoding="utf-8",
        )
        os.environ["YUQING_DEMO_URL"] = site.base_url
        try:
            yield node, cfg_dir, db_url
        finally:
            os.environ.pop("YUQING_DEMO_URL", None)
    finally:
        if node is not None:
            node.kill()
        site.stop()


def test_yuqing_deploy_uploads_the_egg_and_a_crawl_runs_from_it_issue_15(
    egg_node: tuple[Node, Path, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _node, cfg_dir, db_url = egg_node
    client = ScrapydClient(load(config_dir=cfg_dir, env={}).settings.crawl.nodes[0])
    assert client.listversions("yuqing") == []  # nothing to run before the deploy

    egg_file = tmp_path / "yuqing.egg"
    code = main(["--config", str(cfg_dir), "deploy", "--version", VERSION, "--egg", str(egg_file)])
    out = capsys.readouterr().out
    assert code in (0, None), out
    # Scrapyd ran `scrapy list` on the egg: the sources are its spiders
    found = re.fullmatch(rf"n1: yuqing {VERSION} \((\d+) spiders\)", out.strip())
    assert found and int(found[1]) > 0, out
    assert client.listversions("yuqing") == [VERSION]
    assert (tmp_path / "eggs" / "yuqing" / f"{VERSION}.egg").read_bytes() == egg_file.read_bytes()

    config = load(config_dir=cfg_dir, env={"YUQING_DATABASE_URL": db_url})
    db = Database(db_url)
    try:
        assert FleetRunner(config, threading.Event(), db).run(SOURCE) == 0
        with db.session() as s:
            run = s.scalars(select(CrawlRun)).one()
            posts = s.scalar(select(func.count()).select_from(Post))
    finally:
        db.dispose()
    assert (run.node, run.status) == ("n1", "ok"), run.error_messages
    assert posts and posts > 0
    # the crawl imported yuqing from the uploaded egg, unpacked by its settings module
    unpacked = [p for p in (tmp_path / "egg-cache").iterdir() if not p.name.startswith(".")]
    assert len(unpacked) == 1 and (unpacked[0] / "yuqing" / "config" / "settings.yaml").is_file()
