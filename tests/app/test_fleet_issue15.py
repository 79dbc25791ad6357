"""Issue 15: the Scrapyd fleet's config, least-loaded choice and re-dispatch, against fake
Scrapyd nodes on 127.0.0.1 (the real ones: test_fleet_scrapyd_issue15.py)."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from yuqing.app.fleet.client import NodeError, ScrapydClient
from yuqing.app.fleet.dispatch import FleetRunner, NodeStatus, least_loaded
from yuqing.config import ConfigErrors, load
from yuqing.config.crawl import ScrapydNode
from yuqing.crawler.sourcelock import SourceLock
from yuqing.store import crawl as crawl_store
from yuqing.store.models import CrawlRun
from yuqing.store.session import Database


class FakeNode:
    """Answers daemonstatus/schedule/listjobs/cancel like Scrapyd; a scheduled job "finishes"
    by closing its run as the crawl process would, unless the node is ``dead``."""

    def __init__(self, db: Database, running: int = 0) -> None:
        self.db = db
        self.running_others = running
        self.dead = False
        self.scheduled: list[dict[str, Any]] = []
        self.finished: set[str] = set()
        self.eggs: list[bytes] = []
        node = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _answer(self, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                if node.dead:
                    self.send_response(503)
                    self.end_headers()
                    return
                path = urlsplit(self.path).path
                if path == "/daemonstatus.json":
                    self._answer({"status": "ok", "running": node.running_others, "pending": 0})
                elif path == "/listjobs.json":
                    self._answer(
                        {
                            "status": "ok",
                            "pending": [],
                            "running": [],
                            "finished": [{"id": j} for j in node.finished],
                        }
                    )

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length)
                if self.path == "/addversion.json":  # multipart: the egg
                    node.eggs.append(body)
                    self._answer({"status": "ok", "spiders": 14})
                    return
                form = parse_qs(body.decode())
                if node.dead:
                    self.send_response(503)
                    self.end_headers()
                    return
                if self.path == "/schedule.json":
                    node.scheduled.append(form)
                    settings = dict(s.split("=", 1) for s in form["setting"])
                    run_id = int(settings["YUQING_RUN_ID"])
                    with node.db.session() as s:
                        crawl_store.finish_run(s, run_id, crawl_store.RunCounts(status="ok"))
                    node.finished.add(form["jobid"][0])
                    self._answer({"status": "ok", "jobid": form["jobid"][0]})
                else:
                    self._answer({"status": "ok", "prevstate": "running"})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"


@pytest.fixture
def nodes(sqlite_database: Database) -> Iterator[list[FakeNode]]:
    made = [FakeNode(sqlite_database, running=1), FakeNode(sqlite_database, running=0)]
    yield made
    for node in made:
        node.server.shutdown()


def _config(tmp_path: Path, nodes: list[FakeNode], db: Database) -> Any:
    lines = "".join(
        f"    - name: n{i + 1}\n      url: {n.url}\n      max_jobs: 2\n"
        for i, n in enumerate(nodes)
    )
    (tmp_path / "settings.yaml").write_text(
        "crawl:\n  backend: scrapyd\n  poll_seconds: 0.05\n  node_dead_after_seconds: 0.2\n"
        f"  nodes:\n{lines}",
        encoding="utf-8",
    )
    return load(config_dir=tmp_path, env={"YUQING_DATABASE_URL": db.url})


def test_least_loaded_takes_the_healthy_node_with_the_lowest_share_issue_15() -> None:
    statuses = [
        NodeStatus("a", "http://a", max_jobs=4, healthy=True, running=2),
        NodeStatus("b", "http://b", max_jobs=2, healthy=True, running=0, pending=1),
        NodeStatus("c", "http://c", max_jobs=8, healthy=False),
        NodeStatus("d", "http://d", max_jobs=1, healthy=True, running=1),  # full
    ]
    assert least_loaded(statuses).name == "a"  # 2/4 = 0.5 = b's 1/2: the first configured
    assert least_loaded(statuses, exclude={"a"}).name == "b"
    assert least_loaded(statuses, exclude={"a", "b"}) is None


def test_a_crawl_goes_to_the_least_loaded_node_and_its_row_names_node_and_job_issue_15(
    tmp_path: Path, nodes: list[FakeNode], sqlite_database: Database
) -> None:
    runner = FleetRunner(
        _config(tmp_path, nodes, sqlite_database), threading.Event(), sqlite_database
    )
    assert runner.run("demo-board") == 0
    assert not nodes[0].scheduled and len(nodes[1].scheduled) == 1
    form = nodes[1].scheduled[0]
    assert form["project"] == ["yuqing"] and form["spider"] == ["demo-board"]
    settings = dict(s.split("=", 1) for s in form["setting"])
    assert settings["JOBDIR"] == "crawl-jobs/demo-board" and settings["YUQING_JOB_GUARD"] == "on"
    with sqlite_database.session() as s:
        run = s.get(CrawlRun, int(settings["YUQING_RUN_ID"]))
        assert run is not None
        assert (run.node, run.job_id, run.status) == ("n2", form["jobid"][0], "ok")


def test_a_crawl_whose_node_dies_is_dispatched_again_elsewhere_issue_15(
    tmp_path: Path, nodes: list[FakeNode], sqlite_database: Database
) -> None:
    cfg = _config(tmp_path, nodes, sqlite_database)
    runner = FleetRunner(cfg, threading.Event(), sqlite_database)
    dying = nodes[1]
    original = dying.server.RequestHandlerClass.do_POST

    def schedule_then_die(handler: Any) -> None:
        dying.finished.clear()
        length = int(handler.headers.get("Content-Length", 0))
        form = parse_qs(handler.rfile.read(length).decode())
        dying.scheduled.append(form)
        dying.dead = True  # accepted the job, then died: never answers again
        handler._answer({"status": "ok", "jobid": form["jobid"][0]})

    dying.server.RequestHandlerClass.do_POST = schedule_then_die  # type: ignore[method-assign]
    try:
        assert runner.run("demo-board") == 0
    finally:
        dying.server.RequestHandlerClass.do_POST = original  # type: ignore[method-assign]
    assert len(dying.scheduled) == 1 and len(nodes[0].scheduled) == 1
    with sqlite_database.session() as s:
        runs = s.query(CrawlRun).order_by(CrawlRun.id).all()
        assert [(r.node, r.status) for r in runs] == [("n2", "failed"), ("n1", "ok")]
        assert runs[0].error_messages[0].startswith("node n2 died: ")


def test_a_crawl_left_running_by_a_dead_scrapyd_is_waited_for_not_doubled_issue_15(
    tmp_path: Path,
    nodes: list[FakeNode],
    sqlite_database: Database,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """n2's Scrapyd dies after starting the crawl, but the crawl process lives on, holding its
    source's lock: the crawl is dispatched again (to n1) only after that crawl released it."""
    cfg = _config(tmp_path, nodes, sqlite_database)
    runner = FleetRunner(cfg, threading.Event(), sqlite_database)
    dying, other = nodes[1], nodes[0]
    orphan = SourceLock(sqlite_database, "demo-board")
    events: list[str] = []
    original = dying.server.RequestHandlerClass.do_POST
    original_other = other.server.RequestHandlerClass.do_POST

    def schedule_then_die(handler: Any) -> None:
        dying.finished.clear()
        length = int(handler.headers.get("Content-Length", 0))
        form = parse_qs(handler.rfile.read(length).decode())
        dying.scheduled.append(form)
        orphan.acquire()  # the crawl process started: it holds the lock and keeps running
        dying.dead = True  # then Scrapyd died
        handler._answer({"status": "ok", "jobid": form["jobid"][0]})

    def schedule_on_other(handler: Any) -> None:
        events.append("n1 scheduled")
        original_other(handler)

    def orphan_ends() -> None:
        """The orphaned crawl ends once the runner has given up on n2 and is waiting."""
        while not any("holds its lock" in r.getMessage() for r in caplog.records):
            threading.Event().wait(0.02)
        events.append("orphan released")
        orphan.release()

    dying.server.RequestHandlerClass.do_POST = schedule_then_die  # type: ignore[method-assign]
    other.server.RequestHandlerClass.do_POST = schedule_on_other  # type: ignore[method-assign]
    ender = threading.Thread(target=orphan_ends, daemon=True)
    ender.start()
    try:
        with caplog.at_level(logging.INFO, logger="yuqing.app.fleet.dispatch"):
            assert runner.run("demo-board") == 0
    finally:
        dying.server.RequestHandlerClass.do_POST = original  # type: ignore[method-assign]
        other.server.RequestHandlerClass.do_POST = original_other  # type: ignore[method-assign]
        orphan.release()
    ender.join(timeout=5)
    assert events == ["orphan released", "n1 scheduled"]
    waits = [r for r in caplog.records if "holds its lock" in r.getMessage()]
    assert waits[0].levelno == logging.WARNING and "crawl demo-board: an earlier crawl" in (
        waits[0].getMessage()
    )
    assert len(dying.scheduled) == 1 and len(other.scheduled) == 1
    with sqlite_database.session() as s:
        runs = s.query(CrawlRun).order_by(CrawlRun.id).all()
        assert [(r.node, r.status) for r in runs] == [("n2", "failed"), ("n1", "ok")]


def test_node_errors_name_the_node_and_the_endpoint_issue_15(nodes: list[FakeNode]) -> None:
    nodes[0].dead = True
    client = ScrapydClient(ScrapydNode(name="n1", url=nodes[0].url))
    with pytest.raises(NodeError, match=r"^scrapyd node n1: daemonstatus.json: HTTP 503$"):
        client.daemonstatus()
    with pytest.raises(NodeError, match="YUQING_T_AUTH is not set"):
        ScrapydClient(ScrapydNode(name="n1", url=nodes[0].url, auth_env="YUQING_T_AUTH")).listjobs(
            "p"
        )


@pytest.mark.parametrize(
    ("yaml", "message"),
    [
        (
            "crawl:\n  backend: scrapyd\n",
            "crawl.backend: 'scrapyd' needs at least one entry in crawl.nodes",
        ),
        (
            "crawl:\n  nodes:\n    - name: n1\n      url: http://u:p@h:6800\n",
            "crawl.nodes[0].url: 'http://u:p@h:6800' is not an http(s) URL without credentials",
        ),
        ("crawl:\n  backend: fleet\n", "crawl.backend"),
        ("crawl:\n  nodes:\n    - name: n1\n      url: http://h\n      password: x\n", "password"),
    ],
)
def test_crawl_settings_errors_name_the_path_and_reason_issue_15(
    tmp_path: Path, yaml: str, message: str
) -> None:
    (tmp_path / "settings.yaml").write_text(yaml, encoding="utf-8")
    with pytest.raises(ConfigErrors) as err:
        load(config_dir=tmp_path, env={})
    assert message in str(err.value)


def test_scrapyd_without_nodes_names_the_file_that_set_the_backend_issue_15(
    tmp_path: Path,
) -> None:
    """The error is reported where ``backend: scrapyd`` was written (the override file, or the
    environment variable), not at the shipped config/settings.yaml that declares crawl."""
    (tmp_path / "settings.yaml").write_text("crawl:\n  backend: scrapyd\n", encoding="utf-8")
    with pytest.raises(ConfigErrors) as err:
        load(config_dir=tmp_path, env={})
    assert str(err.value) == (
        f"{tmp_path / 'settings.yaml'}: crawl.backend: "
        "'scrapyd' needs at least one entry in crawl.nodes"
    )
    with pytest.raises(ConfigErrors) as err:
        load(env={"YUQING_CRAWL__BACKEND": "scrapyd"})
    assert str(err.value) == (
        "environment YUQING_CRAWL__BACKEND: crawl.backend: "
        "'scrapyd' needs at least one entry in crawl.nodes"
    )
    # nodes given by the override file, the backend by the environment: valid
    (tmp_path / "settings.yaml").write_text(
        "crawl:\n  nodes:\n    - {name: n1, url: 'http://127.0.0.1:6800'}\n", encoding="utf-8"
    )
    crawl = load(config_dir=tmp_path, env={"YUQING_CRAWL__BACKEND": "scrapyd"}).settings.crawl
    assert crawl.backend == "scrapyd" and [n.name for n in crawl.nodes] == ["n1"]


def test_the_default_stays_local_issue_15() -> None:
    crawl = load(env={}).settings.crawl
    assert crawl.backend == "local" and crawl.nodes == []


def test_nodes_list_shows_health_jobs_and_the_last_error_issue_15(
    cli_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from yuqing.app.cli import main

    db = Database(f"sqlite:///{cli_home / 'var' / 'yuqing.db'}")
    up, down = FakeNode(db, running=1), FakeNode(db)
    down.dead = True
    try:
        cfg = cli_home / "conf"
        cfg.mkdir()
        (cfg / "settings.yaml").write_text(
            "crawl:\n  backend: scrapyd\n  nodes:\n"
            f"    - name: n1\n      url: {up.url}\n      max_jobs: 3\n"
            f"    - name: n2\n      url: {down.url}\n",
            encoding="utf-8",
        )
        with db.session() as s:
            run_id = crawl_store.start_run(s, "demo-board")
            s.get(CrawlRun, run_id).node = "n1"  # type: ignore[union-attr]
            crawl_store.fail_run(s, run_id, "failed", "node n1 died: timed out")
        code = main(["--config", str(cfg), "nodes", "list"])
    finally:
        up.server.shutdown()
        down.server.shutdown()
        db.dispose()
    out = capsys.readouterr().out
    assert code == 1  # a node is down
    n1 = next(line for line in out.splitlines() if line.startswith("n1 "))
    n2 = next(line for line in out.splitlines() if line.startswith("n2 "))
    assert n1.split()[:5] == ["n1", "up", "0/1", "0", "3"]
    assert n1.endswith(f"run {run_id}: node n1 died: timed out")
    assert n2.split()[:2] == ["n2", "down"]
    assert "daemonstatus.json: HTTP 503" in n2


def test_the_egg_carries_the_package_and_scrapyds_entry_point_issue_15(
    sqlite_database: Database,
) -> None:
    import io
    import zipfile

    from yuqing.app.fleet.deploy import build_egg, deploy
    from yuqing.config.crawl import CrawlSettings

    egg = build_egg("20261206")
    names = zipfile.ZipFile(io.BytesIO(egg)).namelist()
    entry = zipfile.ZipFile(io.BytesIO(egg)).read("EGG-INFO/entry_points.txt").decode()
    assert entry == "[scrapy]\nsettings = yuqing_eggboot\n"  # unpacks the egg, then settings
    assert "yuqing/crawler/settings.py" in names and "yuqing/config/settings.yaml" in names
    assert "yuqing_eggboot.py" in names
    assert not [n for n in names if "__pycache__" in n]
    node = FakeNode(sqlite_database)
    try:
        crawl = CrawlSettings(
            nodes=[
                ScrapydNode(name="n1", url=node.url),
                ScrapydNode(name="n2", url="http://127.0.0.1:9"),
            ]
        )
        results = deploy(crawl, "20261206", egg)
    finally:
        node.server.shutdown()
    assert [(r.node, r.spiders, bool(r.error)) for r in results] == [
        ("n1", 14, False),
        ("n2", 0, True),
    ]
    assert len(node.eggs) == 1 and egg in node.eggs[0]
    assert results[1].error.startswith("scrapyd node n2: addversion.json: ConnectError")
