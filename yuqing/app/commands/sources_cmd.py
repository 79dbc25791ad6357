"""``yuqing sources try`` (one source's extraction, nothing stored) and ``yuqing sources
confirm`` (end a new source's probation); registered on the ``sources`` group by crawl_cmd."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer

from yuqing.app.state import AppState
from yuqing.crawler.errors import CrawlError

# `yuqing demo-site serve`'s default address: what {demo} means for a saved page.
DEMO_DEFAULT = "http://127.0.0.1:8765"


def try_source(
    ctx: typer.Context,
    name: Annotated[
        str | None, typer.Argument(help="The source (from the config, or from --source-yaml).")
    ] = None,
    url: Annotated[
        str | None, typer.Option("--url", help="Fetch this page instead of the start URLs.")
    ] = None,
    file: Annotated[
        Path | None,
        typer.Option(
            "--file", exists=True, dir_okay=False, help="Read a saved page (nothing is fetched)."
        ),
    ] = None,
    source_yaml: Annotated[
        Path | None,
        typer.Option(
            "--source-yaml",
            exists=True,
            dir_okay=False,
            help="A YAML file with the source (a `sources:` list or one source), not yet in "
            "the config.",
        ),
    ] = None,
    detail: Annotated[
        bool,
        typer.Option(
            "--detail", help="The page is a detail page (article, thread), not a list or feed."
        ),
    ] = False,
    limit: Annotated[
        int, typer.Option(min=1, max=50, help="Pages to fetch at most (start page included).")
    ] = 3,
    demo_url: Annotated[
        str | None,
        typer.Option(envvar="YUQING_DEMO_URL", help="The demo site's URL for {demo} sources."),
    ] = None,
) -> None:
    """Run one source's extraction on one page (or the first few) WITHOUT storing or tagging:
    per item each field's raw value, the cleaned text, the parsed date, the encoding, the
    links it would follow and every drop with its reason. Exits 1 when nothing would be stored
    (and no unread linked page could change that).

    With --file, the page is read as if fetched from --url (default: the first start URL),
    so relative links resolve as they would on the site."""
    from yuqing.crawler.trial import load_source_yaml
    from yuqing.crawler.trial import try_source as run_trial
    from yuqing.crawler.trial_report import format_result

    state: AppState = ctx.obj
    cfg = state.config()
    if not state.debug:  # the report says it all; Scrapy's start-up lines would drown it
        for logger in ("scrapy", "yuqing.crawler", "py.warnings"):
            logging.getLogger(logger).setLevel(logging.ERROR)
    if source_yaml is not None:
        source = load_source_yaml(source_yaml, name)
    elif name is None:
        raise typer.BadParameter("name a source, or give --source-yaml")
    else:
        try:
            source = cfg.sources.get(name)
        except KeyError:
            raise CrawlError(
                f"no source named {name!r} in the config (try --source-yaml FILE)"
            ) from None
    if not state.debug:
        logging.getLogger(source.name).setLevel(logging.ERROR)
    tz = ZoneInfo(cfg.settings.timezone)
    if file is not None:
        result = run_trial(
            cfg, source, file=file, url=url, detail=detail, demo_url=demo_url or DEMO_DEFAULT
        )
    else:
        from yuqing.crawler.runner import demo_site_for

        cfg_with = cfg.model_copy(
            update={"sources": cfg.sources.model_copy(update={"sources": [source]})}
        )
        with demo_site_for(cfg_with, [source.name], demo_url) as demo:
            result = run_trial(
                cfg, source, url=url, detail=detail, limit=limit, demo_url=demo or ""
            )
    typer.echo(format_result(result, tz))
    if result.failed:
        raise typer.Exit(1)


def confirm(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The source to confirm.")],
    actor: Annotated[str, typer.Option(help="Who confirms (written to the audit log).")] = "cli",
) -> None:
    """End a new source's probation: from now on its posts raise department alerts.
    Audit-logged (action source_confirm)."""
    from yuqing.store import probation

    state: AppState = ctx.obj
    with state.database().session() as s:
        changed = probation.confirm(s, name, actor)
    if changed:
        typer.echo(f"confirmed {name}: its posts now raise department alerts")
    else:
        typer.echo(f"{name} was confirmed already")


def register(sources_app: typer.Typer) -> None:
    sources_app.command("try")(try_source)
    sources_app.command("confirm")(confirm)
