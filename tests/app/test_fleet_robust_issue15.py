"""Issue 15: what a demanding operator meets on a Scrapyd fleet, against scripted fake nodes on
127.0.0.1: error JSON and HTML answers, a node that never answers, refused credentials, a job
stuck in ``pending`` and a schedule whose answer is lost (deploy: test_fleet_deploy_cli_issue15)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from yuqing.app.fleet import client as client_mod
from yuqing.app.fleet.client import NodeError, ScrapydClient
from yuqing.app.fleet.dispatch import FleetRunner
from yuqing.config import load
from yuqing.config.crawl import ScrapydNode
from yuqing.store import crawl as crawl_store
from yuqing.store.models import CrawlRun
from yuqing.store.session import Database

Form = dict[str, list[str]]
Reply = tuple[int, str, bytes] | None  # None: never answer (until the test ends)
HANG: Reply = None
BAD_GATEWAY = (
    502,
    "text/html",
    b"<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway"
    b"</h1></center><hr><center>nginx/1.24.0</center></body></html>",
)


def ok(**body: Any) -> Reply:
    return (
        200,
        "application/json",
        json.dumps({"node_name": "fake", "status": "ok", **body}).encode(),
    )


def error_json(message: str, code: int = 200) -> Reply:
    return code, "application/json", json.dumps({"status": "error", "message": message}).encode()


class Scripted:
    """A fake Scrapyd whose answers the test scripts per endpoint; by default a healthy node
    whose jobs finish at once (closing their run as the crawl process would)."""

    def __init__(self, db: Database | None = None) -> None:
        self.db = db
        self.routes: dict[str, Callable[[Form], Reply]] = {}
        self.calls: list[tuple[str, Form]] = []
        self.finished: list[str] = []
        self.release = threading.Event()
        node = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _serve(self, form: Form) -> None:
                path = urlsplit(self.path).path.lstrip("/")
                node.calls.append((path, form))
                reply = node.routes.get(path, node.default)(form)
                if reply is None:
                    node.release.wait(30)
                    return
                code, ctype, data = reply
                self.send_response(code)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                self._serve(parse_qs(urlsplit(self.path).query))

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                multipart = "multipart" in self.headers.get("Content-Type", "")
                self._serve({} if multipart else parse_qs(body.decode()))

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def default(self, form: Form) -> Reply:
        path = self.calls[-1][0]
        if path == "daemonstatus.json":
            return ok(running=0, pending=0, finished=0)
        if path == "schedule.json":
            return self.finish(form)
        if path == "listjobs.json":
            return ok(pending=[], running=[], finished=[{"id": j} for j in self.finished])
        if path == "cancel.json":
            return ok(prevstate=None)
        return ok(spiders=1)  # addversion.json

    def finish(self, form: Form) -> Reply:
        assert self.db is not None
        settings = dict(s.split("=", 1) for s in form["setting"])
        with self.db.session() as s:
            crawl_store.finish_run(
                s, int(settings["YUQING_RUN_ID"]), crawl_store.RunCounts(status="ok")
            )
        self.finished.append(form["jobid"][0])
        return ok(jobid=form["jobid"][0])

    def paths(self) -> list[str]:
        return [p for p, _ in self.calls]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def stop(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake(sqlite_database: Database) -> Iterator[Callable[[], Scripted]]:
    made: list[Scripted] = []

    def make() -> Scripted:
        made.append(Scripted(sqlite_database))
        return made[-1]

    yield make
    for node in made:
        node.stop()


@pytest.fixture
def short_timeouts(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("TIMEOUT_SECONDS", "SCHEDULE_TIMEOUT_SECONDS", "UPLOAD_TIMEOUT_SECONDS"):
        monkeypatch.setattr(client_mod, name, 0.3)


def _client(node: Scripted, auth_env: str | None = None) -> ScrapydClient:
    return ScrapydClient(ScrapydNode(name="n1", url=node.url, auth_env=auth_env))


def _runner(tmp_path: Path, db: Database, nodes: list[Scripted], extra: str = "") -> FleetRunner:
    lines = "".join(
        f"    - name: n{i + 1}\n      url: {n.url}\n      max_jobs: 2\n"
        for i, n in enumerate(nodes)
    )
    (tmp_path / "settings.yaml").write_text(
        "crawl:\n  backend: scrapyd\n  poll_seconds: 0.05\n  node_dead_after_seconds: 5\n"
        f"{extra}  nodes:\n{lines}",
        encoding="utf-8",
    )
    cfg = load(config_dir=tmp_path, env={"YUQING_DATABASE_URL": db.url})
    return FleetRunner(cfg, threading.Event(), db)


def _runs(db: Database) -> list[tuple[str | None, str, list[str]]]:
    with db.session() as s:
        rows = s.query(CrawlRun).order_by(CrawlRun.id).all()
        return [(r.node, r.status, list(r.error_messages or [])) for r in rows]


# -- what the client reports -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("reply", "kind", "message"),
    [
        (
            error_json("spider 'demo-board' not found"),
            "error",
            "schedule.json: spider 'demo-board' not found",
        ),
        (
            error_json("project 'yuqing' not found", code=400),
            "http",
            "schedule.json: HTTP 400: project 'yuqing' not found",
        ),
        (BAD_GATEWAY, "http", "schedule.json: HTTP 502: 502 Bad Gateway"),
        (
            (200, "text/html; charset=utf-8", b"<html><body><h1>Welcome to nginx!</h1></body>"),
            "answer",
            "schedule.json: not Scrapyd's JSON (text/html): Welcome to nginx!",
        ),
        (
            (200, "application/json", b"[1, 2]"),
            "answer",
            "schedule.json: not Scrapyd's JSON (application/json)",
        ),
        (ok(), "answer", "schedule.json: the answer names no jobid"),
        (HANG, "timeout", "schedule.json: no answer within 0.3 s"),
    ],
    ids=["error-json", "error-json-400", "html-502", "html-200", "json-list", "no-jobid", "hang"],
)
def test_a_nodes_bad_answer_is_one_line_naming_node_endpoint_and_reason_issue_15(
    fake: Callable[[], Scripted], short_timeouts: None, reply: Reply, kind: str, message: str
) -> None:
    node = fake()
    node.routes["schedule.json"] = lambda form: reply
    with pytest.raises(NodeError) as err:
        _client(node).schedule("yuqing", "demo-board", "j1", {})
    assert str(err.value).startswith(f"scrapyd node n1: {message}")
    assert "\n" not in str(err.value) and err.value.kind == kind


def test_refused_credentials_say_which_variable_or_that_none_is_set_issue_15(
    fake: Callable[[], Scripted], monkeypatch: pytest.MonkeyPatch
) -> None:
    node = fake()
    node.routes["daemonstatus.json"] = lambda form: (401, "text/plain", b"Unauthorized")
    monkeypatch.setenv("YUQING_T_N1_AUTH", "yuqing:wrong")
    with pytest.raises(NodeError) as err:
        _client(node, "YUQING_T_N1_AUTH").daemonstatus()
    assert str(err.value) == (
        "scrapyd node n1: daemonstatus.json: HTTP 401: "
        "the node refused the credentials in YUQING_T_N1_AUTH"
    )
    assert err.value.kind == "auth" and "wrong" not in str(err.value)
    with pytest.raises(NodeError, match=r"HTTP 401: the node asks for credentials: set auth_env"):
        _client(node).daemonstatus()


def test_a_malformed_listjobs_is_a_node_error_not_a_crash_issue_15(
    fake: Callable[[], Scripted],
) -> None:
    node = fake()
    node.routes["listjobs.json"] = lambda form: ok(pending="none", running=[], finished=[])
    with pytest.raises(NodeError, match=r"^scrapyd node n1: listjobs.json: 'pending' is not a"):
        _client(node).listjobs("yuqing")


# -- yuqing nodes list -------------------------------------------------------------------------


def test_nodes_list_names_each_bad_node_and_its_reason_issue_15(
    cli_home: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    short_timeouts: None,
) -> None:
    from yuqing.app.cli import main

    up, denied, hung, html = Scripted(), Scripted(), Scripted(), Scripted()
    denied.routes["daemonstatus.json"] = lambda form: (401, "text/plain", b"Unauthorized")
    hung.routes["daemonstatus.json"] = lambda form: HANG
    html.routes["daemonstatus.json"] = lambda form: BAD_GATEWAY
    monkeypatch.setenv("YUQING_T_N2_AUTH", "yuqing:wrong")
    try:
        cfg = cli_home / "conf"
        cfg.mkdir()
        (cfg / "settings.yaml").write_text(
            "crawl:\n  backend: scrapyd\n  nodes:\n"
            f"    - {{name: n1, url: '{up.url}'}}\n"
            f"    - {{name: n2, url: '{denied.url}', auth_env: YUQING_T_N2_AUTH}}\n"
            f"    - {{name: n3, url: '{hung.url}'}}\n"
            f"    - {{name: n4, url: '{html.url}'}}\n",
            encoding="utf-8",
        )
        code = main(["--config", str(cfg), "nodes", "list"])
    finally:
        for node in (up, denied, hung, html):
            node.stop()
    out = capsys.readouterr().out
    assert code == 1
    line = {ln.split()[0]: ln for ln in out.splitlines() if ln[:2] in ("n1", "n2", "n3", "n4")}
    assert line["n1"].split()[:2] == ["n1", "up"]
    assert line["n2"].split()[:2] == ["n2", "denied"]
    assert line["n2"].endswith(
        "daemonstatus.json: HTTP 401: the node refused the credentials in YUQING_T_N2_AUTH"
    )
    assert line["n3"].split()[:2] == ["n3", "down"]
    assert line["n3"].endswith("daemonstatus.json: no answer within 0.3 s")
    assert line["n4"].split()[:2] == ["n4", "down"]
    assert line["n4"].endswith("daemonstatus.json: HTTP 502: 502 Bad Gateway")


# -- the dispatcher ----------------------------------------------------------------------------


def test_a_job_stuck_in_pending_is_taken_back_and_sent_to_another_node_issue_15(
    tmp_path: Path, fake: Callable[[], Scripted], sqlite_database: Database
) -> None:
    stuck, other = fake(), fake()
    other.routes["daemonstatus.json"] = lambda form: ok(running=1, pending=0)  # busier
    jobs: list[str] = []

    def accept(form: Form) -> Reply:
        jobs.append(form["jobid"][0])
        return ok(jobid=jobs[-1])

    stuck.routes["schedule.json"] = accept
    stuck.routes["listjobs.json"] = lambda form: ok(
        pending=[{"id": j} for j in jobs], running=[], finished=[]
    )

    def cancel(form: Form) -> Reply:
        jobs.remove(form["job"][0])
        return ok(prevstate="pending")

    stuck.routes["cancel.json"] = cancel
    runner = _runner(
        tmp_path, sqlite_database, [stuck, other], extra="  pending_timeout_seconds: 0.3\n"
    )
    assert runner.run("demo-board") == 0
    runs = _runs(sqlite_database)
    assert [(n, st) for n, st, _ in runs] == [("n1", "failed"), ("n2", "ok")]
    assert runs[0][2] == [
        "job demo-board-1 was still pending on node n1 after 0.3s (no free slot there); "
        "dispatched elsewhere"
    ]
    assert stuck.paths().count("cancel.json") == 1 and jobs == []


def test_a_crawl_every_node_refuses_fails_once_per_node_not_every_poll_issue_15(
    tmp_path: Path, fake: Callable[[], Scripted], sqlite_database: Database
) -> None:
    """An egg without the spider (a source added after the last deploy): each node is tried
    once, then the crawl fails until its next turn."""
    nodes = [fake(), fake()]
    nodes[0].routes["schedule.json"] = lambda form: error_json("spider 'demo-board' not found")
    nodes[1].routes["schedule.json"] = lambda form: BAD_GATEWAY
    runner = _runner(tmp_path, sqlite_database, nodes)
    assert runner.run("demo-board") == 1
    runs = _runs(sqlite_database)
    assert [(n, st) for n, st, _ in runs] == [("n1", "failed"), ("n2", "failed")]
    assert runs[0][2][0] == (
        "dispatch to node n1 failed: scrapyd node n1: schedule.json: spider 'demo-board' not found"
    )
    assert runs[1][2][0].endswith("schedule.json: HTTP 502: 502 Bad Gateway")


def test_a_schedule_whose_answer_is_lost_is_watched_not_sent_twice_issue_15(
    tmp_path: Path,
    fake: Callable[[], Scripted],
    sqlite_database: Database,
    short_timeouts: None,
) -> None:
    node = fake()

    def take_then_hang(form: Form) -> Reply:
        node.finish(form)  # the node took the job (and it ran) …
        return HANG  # … but its answer never came

    node.routes["schedule.json"] = take_then_hang
    runner = _runner(tmp_path, sqlite_database, [node, fake()])
    assert runner.run("demo-board") == 0
    assert [(n, st) for n, st, _ in _runs(sqlite_database)] == [("n1", "ok")]
    assert node.paths().count("schedule.json") == 1
