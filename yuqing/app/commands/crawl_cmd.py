"""``yuqing crawl SOURCE... | --all``, ``yuqing sources list``, ``yuqing demo-site serve``."""

from __future__ import annotations

import signal
import socket
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import typer

from yuqing.app.state import AppState
from yuqing.crawler.errors import CrawlError

if TYPE_CHECKING:
    from yuqing.crawler.runner import CrawlSummary

sources_app = typer.Typer(help="Configured sources and their crawl health.", no_args_is_help=True)
demo_site_app = typer.Typer(help="The bundled demo site.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    from yuqing.app.commands import sources_cmd

    sources_cmd.register(sources_app)
    app.command("crawl")(crawl)
    app.add_typer(sources_app, name="sources")
    app.add_typer(demo_site_app, name="demo-site")


def _stop_on_sigterm() -> None:
    """SIGTERM (a scheduler stopping this crawl) stops the crawl subprocesses gracefully."""

    def handler(signum: int, frame: Any) -> None:
        # once: a repeated SIGTERM must not cut the crawls' grace period short
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, handler)


def crawl(
    ctx: typer.Context,
    sources: Annotated[list[str] | None, typer.Argument(help="Source names.")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Crawl every enabled source.")] = False,
    timeout: Annotated[
        float | None,
        typer.Option(help="Seconds before a crawl is stopped (default: the source's timeout)."),
    ] = None,
    demo_url: Annotated[
        str | None,
        typer.Option(
            envvar="YUQING_DEMO_URL",
            help="The demo site's URL for {demo} sources (default: start one for the crawl).",
        ),
    ] = None,
    parallel: Annotated[int, typer.Option(min=1, max=16, help="Crawls at a time.")] = 1,
    force: Annotated[bool, typer.Option("--force", help="Crawl disabled sources too.")] = False,
) -> None:
    """Crawl sources, each in a `scrapy crawl` subprocess; one progress line per source."""
    from yuqing.crawler.runner import crawl_sources, enabled_sources

    state: AppState = ctx.obj
    cfg = state.config()
    state.database()  # refuses an out-of-date schema before anything starts
    if all_ and sources:
        raise typer.BadParameter("give source names or --all, not both")
    names = enabled_sources(cfg) if all_ else list(sources or [])
    if not names:
        raise typer.BadParameter("name at least one source, or use --all")
    _stop_on_sigterm()

    def progress(summary: CrawlSummary) -> None:
        typer.echo(summary.line())

    summaries = crawl_sources(
        cfg,
        names,
        demo_url=demo_url,
        timeout=timeout,
        on_progress=progress,
        parallel=parallel,
        force=force,
    )
    failed = [s.source for s in summaries if not s.ok]
    total = sum(s.items_scraped for s in summaries)
    new = sum(s.items_new for s in summaries)
    typer.echo(f"crawled {len(summaries)} source(s): {total} items, {new} new")
    if failed:
        raise CrawlError(f"{len(failed)} crawl(s) failed: {', '.join(failed)} (see the logs)")


def _when(value: datetime | None, tz: Any) -> str:
    return value.astimezone(tz).strftime("%Y-%m-%d %H:%M") if value else "never"


@sources_app.command("list")
def sources_list(ctx: typer.Context) -> None:
    """Every configured source: kind, enabled, health, last success, last run's counts."""
    from zoneinfo import ZoneInfo

    from yuqing.store import crawl as crawl_store
    from yuqing.store.probation import on_probation

    state: AppState = ctx.obj
    cfg = state.config()
    tz = ZoneInfo(cfg.settings.timezone)
    with state.database().session() as s:
        rows = {r.name: r for r in crawl_store.source_overview(s)}
        trial = {p.name: p for p in on_probation(s, cfg.settings.source_probation_days)}
    header = f"{'source':<20} {'kind':<8} {'on':<3} {'health':<9} {'last success':<17} last run"
    typer.echo(header)
    for src in cfg.sources.sources:
        row = rows.get(src.name)
        health = row.health if row else "unknown"
        success = _when(row.last_success_at if row else None, tz)
        last = "—"
        if row is not None and row.last_status is not None:
            stored = (row.last_new or 0) + (row.last_updated or 0)
            last = (
                f"{row.last_status} {_when(row.last_run_at, tz)}: stored {stored} "
                f"({row.last_new} new, {row.last_updated} updated), {row.last_errors} errors"
            )
        typer.echo(
            f"{src.name:<20} {src.kind:<8} {'yes' if src.enabled else 'no':<3} {health:<9} "
            f"{success:<17} {last}"
        )
        if row is not None and row.last_drops:
            drops = ", ".join(f"{k}={v}" for k, v in sorted(row.last_drops.items()))
            typer.echo(f"{'':<20} ↳ dropped {sum(row.last_drops.values())}: {drops}")
        if row is not None and row.health not in ("ok", "unknown") and row.health_reason:
            typer.echo(f"{'':<20} ↳ {row.health_reason}")
        if src.name in trial:
            ends = _when(trial[src.name].ends_at, tz)
            typer.echo(
                f"{'':<20} ↳ on probation until {ends}: no department alerts "
                f"(`yuqing sources confirm {src.name}`)"
            )
    orphans = sorted(set(rows) - {s.name for s in cfg.sources.sources})
    if orphans:
        typer.echo(f"no longer configured (posts kept): {', '.join(orphans)}")


@demo_site_app.command("serve")
def demo_site_serve(
    live: Annotated[bool, typer.Option("--live", help="Release held posts over time.")] = False,
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port (0: any free one).")] = 8765,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    release_interval: Annotated[
        float, typer.Option(min=0.1, help="With --live: seconds between releases.")
    ] = 30.0,
    scale: Annotated[
        int | None, typer.Option(min=1, help="Serve N posts varied from the written ones.")
    ] = None,
) -> None:
    """Serve the demo site until Ctrl-C (crawl it with YUQING_DEMO_URL=<its URL>)."""
    from yuqing.crawler.demo_site import DemoSite

    if port == 0:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.bind((host, 0))
            port = probe.getsockname()[1]
    site = DemoSite(host=host, port=port, live=live, release_interval=release_interval, scale=scale)
    url = f"http://{host}:{port}"
    typer.echo(f"demo site: {url} (live={live}); crawl it with YUQING_DEMO_URL={url}")
    typer.echo("press Ctrl-C to stop")
    site.serve_forever()
