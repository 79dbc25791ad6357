"""``yuqing nodes list`` and ``yuqing deploy``: the Scrapyd crawl fleet (issue 15)."""

from __future__ import annotations

from typing import Annotated

import typer
from sqlalchemy import func, select

from yuqing.app.fleet.client import ScrapydClient
from yuqing.app.fleet.deploy import KEEP, build_egg, default_version, deploy
from yuqing.app.fleet.dispatch import node_statuses
from yuqing.app.state import AppState
from yuqing.store.models import CrawlRun

nodes_app = typer.Typer(help="The Scrapyd nodes crawls run on (crawl.nodes in settings.yaml).")


def register(app: typer.Typer) -> None:
    app.add_typer(nodes_app, name="nodes")
    app.command("deploy")(deploy_cmd)


@nodes_app.command("list")
def list_nodes(ctx: typer.Context) -> None:
    """Each node's health, running jobs (ours / all) and last error. HEALTH: up, down (no
    answer, an HTTP error, not Scrapyd), denied (HTTP 401/403: the credentials). Exit code 1
    when a node is not up."""
    state: AppState = ctx.obj
    cfg = state.config()
    crawl = cfg.settings.crawl
    if not crawl.nodes:
        typer.echo(f"no Scrapyd nodes configured (crawl.backend: {crawl.backend})")
        return
    db = state.database()
    with db.session() as s:
        ours = dict(
            s.execute(
                select(CrawlRun.node, func.count())
                .where(CrawlRun.status == "running", CrawlRun.node.is_not(None))
                .group_by(CrawlRun.node)
            ).all()
        )
        last_errors: dict[str, str] = {}
        for node in crawl.nodes:
            run = s.scalars(
                select(CrawlRun)
                .where(CrawlRun.node == node.name, CrawlRun.status.in_(("failed", "timeout")))
                .order_by(CrawlRun.id.desc())
                .limit(1)
            ).first()
            if run is not None and run.error_messages:
                when = run.finished_at.strftime("%Y-%m-%d %H:%M") if run.finished_at else "?"
                last_errors[node.name] = f"{when} run {run.id}: {run.error_messages[0]}"
    typer.echo(f"backend: {crawl.backend}; project: {crawl.project}")
    typer.echo(f"{'NODE':<12} {'HEALTH':<7} {'RUNNING':>8} {'PENDING':>8} {'MAX':>4}  LAST ERROR")
    down = 0
    statuses = node_statuses(ScrapydClient(node) for node in crawl.nodes)
    for node, st in zip(crawl.nodes, statuses, strict=True):
        down += not st.healthy
        health = "up" if st.healthy else "denied" if st.kind == "auth" else "down"
        running = f"{ours.get(node.name, 0)}/{st.running}" if st.healthy else "-"
        pending = str(st.pending) if st.healthy else "-"
        error = st.error or last_errors.get(node.name, "")
        typer.echo(
            f"{node.name:<12} {health:<7} {running:>8} {pending:>8} {node.max_jobs:>4}  {error}"
        )
    typer.echo("RUNNING: this database's crawls / all jobs on the node")
    if down:
        raise typer.Exit(1)


def deploy_cmd(
    ctx: typer.Context,
    version: Annotated[
        str | None, typer.Option(help="The version to upload as (default: UTC time).")
    ] = None,
    egg_out: Annotated[
        str | None, typer.Option("--egg", help="Also write the egg to this file.")
    ] = None,
    keep: Annotated[
        int,
        typer.Option(min=0, help="Versions left on each node, the new one included (0: all)."),
    ] = KEEP,
) -> None:
    """Build the project egg and upload it to every configured Scrapyd node; older versions
    but the previous one are deleted from the nodes."""
    state: AppState = ctx.obj
    crawl = state.config().settings.crawl
    if not crawl.nodes:
        typer.echo("error: no Scrapyd nodes configured (crawl.nodes in settings.yaml)", err=True)
        raise typer.Exit(2)
    version = version or default_version()
    egg = build_egg(version)
    if egg_out:
        with open(egg_out, "wb") as fh:
            fh.write(egg)
    failed = []
    for result in deploy(crawl, version, egg, keep=keep):
        if result.error:
            failed.append(result.node)
            typer.echo(f"{result.node}: failed: {result.error}")
            continue
        removed = f"; removed {', '.join(result.removed)}" if result.removed else ""
        typer.echo(f"{result.node}: {crawl.project} {version} ({result.spiders} spiders){removed}")
        if result.warning:
            typer.echo(f"{result.node}: warning: {result.warning}", err=True)
    if failed:
        typer.echo(
            f"error: {crawl.project} {version} not deployed to {len(failed)} of "
            f"{len(crawl.nodes)} nodes: {', '.join(failed)} (run `yuqing deploy` again once "
            "they are up: crawls there run the previous version meanwhile)",
            err=True,
        )
        raise typer.Exit(1)
