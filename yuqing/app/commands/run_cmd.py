"""``yuqing run [--once]`` (the scheduler process) and ``yuqing deliver`` (the outbox, once)."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Annotated

import typer

from yuqing.alerts import outbox, outbox_admin
from yuqing.alerts.outbox import DeliveryPolicy, DeliveryResult
from yuqing.app import leader
from yuqing.app.checks import deep_check
from yuqing.app.proclock import DbLock
from yuqing.app.scheduler import CycleReport, Runtime, heartbeat_interval, run_once, serve
from yuqing.app.state import AppState
from yuqing.config import Config
from yuqing.config.types import parse_duration
from yuqing.store.dbclock import database_clock
from yuqing.store.session import Database


def register(app: typer.Typer) -> None:
    app.command("run")(run)
    app.command("deliver")(deliver)


def _duration(value: str | None, hint: str, default: timedelta) -> timedelta:
    if value is None:
        return default
    try:
        return parse_duration(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint=hint) from exc


def _policy(lease: str | None) -> DeliveryPolicy:
    if lease is None:
        return DeliveryPolicy()
    try:
        return DeliveryPolicy(lease=parse_duration(lease))
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--lease") from exc


def run(
    ctx: typer.Context,
    once: Annotated[
        bool, typer.Option("--once", help="Run one cycle (crawl → evaluate → deliver) and exit.")
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="With --once: crawl every source, due or not.")
    ] = False,
    lease: Annotated[
        str | None, typer.Option(help="How long a send may take before others retry it (2m).")
    ] = None,
    standby: Annotated[
        bool,
        typer.Option(
            "--standby",
            help="If another scheduler leads, wait and take over when it stops renewing.",
        ),
    ] = False,
    leader_lease: Annotated[
        str | None,
        typer.Option(help="With --standby: the leader's lease, renewed every quarter (2m)."),
    ] = None,
) -> None:
    """Run the scheduler: crawls, evaluation, delivery, escalation, digests, retention."""
    state: AppState = ctx.obj
    cfg = state.config()
    deep_check(cfg)
    db = state.database()
    logging.getLogger("httpx").setLevel(logging.WARNING)
    if standby:
        lock = leader.lease_lock(
            db, _duration(leader_lease, "--leader-lease", leader.DEFAULT_LEASE)
        )
        if not leader.standby(lock):
            return
    else:
        lock = DbLock(db)
        lock.acquire()
    runtime = Runtime(cfg, db, policy=_policy(lease))
    try:
        if once:
            with lock.kept_alive(heartbeat_interval(lock)):
                report = run_once(runtime, force=force)
            _print_cycle(cfg, db, report)
            if report.failed_steps:
                raise typer.Exit(1)
        elif not serve(runtime, lock, heartbeat_interval(lock)):
            typer.echo("error: the scheduler lock was taken over; stopped", err=True)
            raise typer.Exit(1)
    finally:
        lock.release()


def deliver(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(min=1, help="At most this many sends.")] = 100,
    lease: Annotated[str | None, typer.Option(help="Claim lease (default 2m).")] = None,
    retry_dead: Annotated[
        bool, typer.Option("--retry-dead", help="First give dead notifications a fresh start.")
    ] = False,
) -> None:
    """Send the due notifications in the outbox once (safe next to a running scheduler)."""
    state: AppState = ctx.obj
    cfg = state.config()
    db = state.database()
    logging.getLogger("httpx").setLevel(logging.WARNING)
    if retry_dead:
        typer.echo(f"requeued {outbox_admin.retry_dead(db)} dead notification(s)")
    # the database's clock: the claims' leases are compared with the scheduler's (issue 15)
    now = database_clock(db)()
    result = outbox.deliver_due(cfg, db, now=now, limit=limit, policy=_policy(lease))
    _print_delivery(result)


def _print_delivery(result: DeliveryResult) -> None:
    typer.echo(f"deliver: {result}")
    for error in result.errors[:20]:
        typer.echo(f"  {error}")


def _print_cycle(cfg: Config, db: Database, report: CycleReport) -> None:
    if report.crawled:
        parts = [
            f"{name} {'ok' if code == 0 else f'failed ({code})'}"
            for name, code in report.crawled.items()
        ]
        typer.echo("crawl: " + ", ".join(parts))
    else:
        typer.echo("crawl: no source due (use --force to crawl anyway)")
    if report.evaluation is not None:
        summary = getattr(report.evaluation, "summary", None)
        typer.echo(f"evaluate: {summary() if callable(summary) else report.evaluation}")
    _print_delivery(report.delivery)
    names = {d.code: d.name for d in cfg.departments.departments}
    counts = outbox_admin.summary(db)
    if counts:
        typer.echo("notifications per department:")
        for code, by_status in counts.items():
            text = ", ".join(f"{status} {n}" for status, n in sorted(by_status.items()))
            typer.echo(f"  {code:<8} {names.get(code, '?')}: {text}")
        typer.echo(f"local receivers write under {cfg.settings.data_dir / 'outbox'}")
    if report.failed_steps:
        typer.echo("failed: " + ", ".join(report.failed_steps), err=True)
