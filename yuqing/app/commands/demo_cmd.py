"""``yuqing demo``: the main job, end to end, on the embedded default configuration.

It migrates the database, builds the tagger's models if they are missing, starts the bundled
demo site and a local webhook receiver on 127.0.0.1, adds a webhook channel pointing at that
receiver to every department (e-mail is written as .eml files while no SMTP host is set), and
runs one scheduler cycle: crawl every enabled source → tag → incidents → routing → delivery.
It ends with a summary per department and where the delivered messages are.
"""

from __future__ import annotations

import logging
import os
import time
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from sqlalchemy import func, select

from yuqing.app.state import AppState
from yuqing.config import Config
from yuqing.config.departments import WebhookChannel

if TYPE_CHECKING:
    from yuqing.store.session import Database

DEMO_ACTOR = "yuqing demo"


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)


def with_local_webhooks(cfg: Config, receiver_url: str) -> Config:
    """A copy of ``cfg`` in which every department also posts to the local receiver."""
    demo_cfg = cfg.model_copy(deep=True)
    for dept in demo_cfg.departments.departments:
        dept.channels.append(WebhookChannel(type="webhook", url=f"{receiver_url}/{dept.code}"))
    return demo_cfg


def demo(
    ctx: typer.Context,
    fresh: Annotated[
        bool, typer.Option("--fresh", help="Delete the demo database first (keeps the models).")
    ] = False,
) -> None:
    """Run the whole pipeline once on the bundled demo site: crawl, tag, alert, deliver."""
    state: AppState = ctx.obj
    cfg = state.config()
    data_dir = cfg.settings.data_dir
    if fresh:
        _remove_sqlite(cfg)
    db = state.database(check_schema=False)

    from yuqing.app.checks import deep_check
    from yuqing.store.db import upgrade

    deep_check(cfg)
    _before, after = upgrade(db.engine)
    typer.echo(f"database: {db.display_url} (revision {after})")
    enabled = [s.name for s in cfg.sources.sources if s.enabled]
    if not enabled:
        typer.echo("no sources are enabled (config/sources.yaml): nothing to do")
        return
    confirmed = confirm_demo_sources(cfg, db)
    if confirmed:
        typer.echo(f"confirmed the demo site's sources (no probation): {', '.join(confirmed)}")

    from yuqing.nlp.build import build_tagger
    from yuqing.nlp.errors import ModelVersionError
    from yuqing.nlp.loader import load_tagger

    started = time.monotonic()
    try:
        tagger = load_tagger(cfg)
    except ModelVersionError as exc:  # the demo's own model, built by an older yuqing
        typer.echo(f"tagger: {exc}: rebuilding the demo's model from the shipped corpus")
        build_tagger(cfg)
        tagger = load_tagger(cfg)
    typer.echo(f"tagger: model {tagger.model_version} ready in {time.monotonic() - started:.1f}s")

    from yuqing.alerts.receivers import WebhookReceiver
    from yuqing.app.proclock import DbLock
    from yuqing.app.scheduler import Runtime, heartbeat_interval, run_once
    from yuqing.crawler.demo_site import DemoSite

    if "log_level" not in state.overrides:  # the summary below says what happened
        logging.getLogger().setLevel(logging.WARNING)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    hook_log = data_dir / "outbox" / "webhook.jsonl"
    with DemoSite() as site, WebhookReceiver(hook_log) as receiver:
        os.environ["YUQING_DEMO_URL"] = site.base_url
        typer.echo(f"demo site: {site.base_url}; webhook receiver: {receiver.url}")
        demo_cfg = with_local_webhooks(cfg, receiver.url)
        lock = DbLock(db)
        lock.acquire()
        try:
            runtime = Runtime(demo_cfg, db)
            with lock.kept_alive(heartbeat_interval(lock)):
                report = run_once(runtime, force=True)
        finally:
            lock.release()
        received = len(receiver.records())
    for name, code in sorted(report.crawled.items()):
        typer.echo(f"crawl {name}: {'ok' if code == 0 else f'failed (exit {code})'}")
    _summary(cfg, state, received, hook_log)
    if report.failed_steps:
        typer.echo("failed steps: " + ", ".join(report.failed_steps), err=True)
        raise typer.Exit(1)


def confirm_demo_sources(cfg: Config, db: Database) -> list[str]:
    """Confirm the enabled sources that read the bundled demo site (``{demo}`` URLs), so the
    demo's first crawl raises alerts at once. New sources are on probation (issue 12) until
    an admin confirms them; the demo site is our own content, written for the demo, so the
    demo command confirms its sources itself, audit-logged as actor ``yuqing demo``. Other
    sources (a city's real sites) keep their probation."""
    from yuqing.store import probation
    from yuqing.store.posts import ensure_source

    done = []
    with db.session() as s:
        for src in cfg.sources.sources:
            if src.enabled and src.uses_demo:
                ensure_source(s, src.name, src.kind)
                if probation.confirm(s, src.name, DEMO_ACTOR):
                    done.append(src.name)
    return done


def _remove_sqlite(cfg: Config) -> None:
    url = cfg.settings.effective_database_url
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


def _summary(cfg: Config, state: AppState, received: int, hook_log: Path) -> None:
    from yuqing.store.models import (
        Incident,
        IncidentDepartment,
        Notification,
        Post,
        PostTag,
        TriageItem,
    )

    db = state.database()
    names = {d.code: d.name for d in cfg.departments.departments}
    with db.session() as s:
        posts = s.execute(select(func.count()).select_from(Post)).scalar_one()
        tagged = s.execute(select(func.count()).select_from(PostTag)).scalar_one()
        shutdown = s.execute(select(func.count()).where(PostTag.shutdown)).scalar_one()
        blanket = s.execute(select(func.count()).where(PostTag.blanket)).scalar_one()
        incidents = Counter(r for (r,) in s.execute(select(Incident.rule)))
        queued = s.execute(select(func.count()).select_from(TriageItem)).scalar_one()
        per_dept = Counter(
            code for (code,) in s.execute(select(IncidentDepartment.department_code))
        )
        sent: Counter[tuple[str, str]] = Counter()
        for code, status, n in s.execute(
            select(Notification.department_code, Notification.status, func.count()).group_by(
                Notification.department_code, Notification.status
            )
        ):
            sent[(code, status)] = int(n)
    typer.echo(f"posts: {posts} stored, {tagged} tagged ({shutdown} shutdown, {blanket} blanket)")
    rules = ", ".join(f"{rule} {n}" for rule, n in incidents.most_common())
    typer.echo(f"incidents: {sum(incidents.values())} ({rules})")
    typer.echo(f"待研判 (triage queue): {queued} posts (`yuqing triage list`)")
    typer.echo("per department (incidents routed · notifications sent / pending / dead):")
    for code, count in sorted(per_dept.items(), key=lambda kv: (-kv[1], kv[0])):
        line = (
            f"  {code:<6} {names.get(code, code)}: {count} · "
            f"{sent[(code, 'sent')]} / {sent[(code, 'pending')]} / {sent[(code, 'dead')]}"
        )
        typer.echo(line)
    outbox = cfg.settings.data_dir / "outbox"
    typer.echo(f"webhook receiver got {received} messages: {hook_log}")
    typer.echo(f"e-mail (.eml) and files: {outbox}")
    typer.echo("next: `yuqing web` (after `yuqing users add`), `yuqing incidents list`")
