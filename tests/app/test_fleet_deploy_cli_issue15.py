"""Issue 15: ``yuqing deploy`` against scripted fake Scrapyd nodes on 127.0.0.1 — a node down
(refused, an HTML error page, hung) does not stop the others and is named; each node is left
with the new and the previous version."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.app.test_fleet_robust_issue15 import BAD_GATEWAY, HANG, Form, Reply, Scripted, ok
from yuqing.app.fleet import client as client_mod


@pytest.fixture
def short_timeouts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(client_mod, "UPLOAD_TIMEOUT_SECONDS", 0.3)


@pytest.mark.parametrize("down", ["refused", "html", "hung"])
def test_deploy_with_a_node_down_serves_the_others_and_names_it_issue_15(
    cli_home: Path, capsys: pytest.CaptureFixture[str], short_timeouts: None, down: str
) -> None:
    from yuqing.app.cli import main

    first, bad, last = Scripted(), Scripted(), Scripted()
    bad_url = bad.url
    if down == "refused":
        bad.stop()
        bad_url = "http://127.0.0.1:9"
    elif down == "html":
        bad.routes["addversion.json"] = lambda form: BAD_GATEWAY
    else:
        bad.routes["addversion.json"] = lambda form: HANG
    try:
        cfg = cli_home / "conf"
        cfg.mkdir()
        (cfg / "settings.yaml").write_text(
            "crawl:\n  backend: scrapyd\n  nodes:\n"
            f"    - {{name: n1, url: '{first.url}'}}\n"
            f"    - {{name: n2, url: '{bad_url}'}}\n"
            f"    - {{name: n3, url: '{last.url}'}}\n",
            encoding="utf-8",
        )
        code = main(["--config", str(cfg), "deploy", "--version", "20261206"])
    finally:
        for node in (first, bad, last):
            node.stop()
    out, err = capsys.readouterr()
    assert code == 1
    assert first.paths() == last.paths() == ["addversion.json", "listversions.json"]
    assert out.splitlines()[0] == "n1: yuqing 20261206 (1 spiders)"
    assert out.splitlines()[1].startswith("n2: failed: scrapyd node n2: addversion.json: ")
    assert out.splitlines()[2] == "n3: yuqing 20261206 (1 spiders)"
    assert (
        err.strip()
        .splitlines()[-1]
        .startswith("error: yuqing 20261206 not deployed to 1 of 3 nodes: n2 (")
    )


def test_deploy_leaves_the_new_and_the_previous_version_on_each_node_issue_15(
    cli_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Scrapyd keeps every uploaded egg; deploy deletes all but the previous one, and warns
    when the node would still run another version (one sorting after the new one)."""
    from yuqing.app.cli import main

    node, ahead = Scripted(), Scripted()
    versions = {node: ["20261201", "20261202", "20261203"], ahead: ["20261207"]}
    for fake_node in (node, ahead):

        def add(form: Form, n: Scripted = fake_node) -> Reply:
            versions[n] = sorted([*versions[n], "20261206"])
            return ok(spiders=1)

        def delete(form: Form, n: Scripted = fake_node) -> Reply:
            versions[n].remove(form["version"][0])
            return ok()

        fake_node.routes["addversion.json"] = add
        fake_node.routes["listversions.json"] = lambda form, n=fake_node: ok(versions=versions[n])
        fake_node.routes["delversion.json"] = delete
    try:
        cfg = cli_home / "conf"
        cfg.mkdir()
        (cfg / "settings.yaml").write_text(
            "crawl:\n  backend: scrapyd\n  nodes:\n"
            f"    - {{name: n1, url: '{node.url}'}}\n"
            f"    - {{name: n2, url: '{ahead.url}'}}\n",
            encoding="utf-8",
        )
        code = main(["--config", str(cfg), "deploy", "--version", "20261206"])
    finally:
        node.stop()
        ahead.stop()
    out, err = capsys.readouterr()
    assert code == 0
    assert versions[node] == ["20261203", "20261206"]
    assert versions[ahead] == ["20261206", "20261207"]
    assert out.splitlines() == [
        "n1: yuqing 20261206 (1 spiders); removed 20261201, 20261202",
        "n2: yuqing 20261206 (1 spiders)",
    ]
    assert (
        "n2: warning: the node runs version 20261207, which sorts after 20261206 "
        "(use a later --version to roll back)"
    ) in err
