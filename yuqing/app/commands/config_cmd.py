"""``yuqing config check|show``."""

from __future__ import annotations

from typing import Any

import typer
import yaml

from yuqing.app.state import AppState
from yuqing.config import Config
from yuqing.config.errors import ConfigErrors

config_app = typer.Typer(help="Validate and inspect the configuration.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(config_app, name="config")


def summary(cfg: Config) -> list[str]:
    sources = cfg.sources.sources
    enabled = [s for s in sources if s.enabled]
    kinds = sorted({d.kind for d in cfg.departments.departments})
    routes = _count_routes(cfg.routing.routes)
    return [
        f"sources: {len(sources)} ({len(enabled)} enabled)",
        f"departments: {len(cfg.departments.departments)} ({', '.join(kinds)})",
        f"routes: {routes}, inhibit rules: {len(cfg.routing.inhibit_rules)}",
        f"rules: {len(cfg.rules.rules)} ({', '.join(r.name for r in cfg.rules.rules)})",
        f"gazetteer: {cfg.gazetteer.city}, {len(cfg.gazetteer.districts)} districts",
        _locality(cfg),
        _triage(cfg),
        f"database: {cfg.settings.effective_database_url}",
        f"data dir: {cfg.settings.data_dir}",
        f"timezone: {cfg.settings.timezone}",
        f"files: {', '.join(cfg.files)}",
    ]


def _locality(cfg: Config) -> str:
    if not cfg.settings.locality.enabled:
        return "locality gate: off (posts about any place open incidents)"
    local = [s.name for s in cfg.sources.sources if s.local and s.enabled]
    return f"locality gate: on (local sources: {', '.join(local) or 'none'})"


def _triage(cfg: Config) -> str:
    t = cfg.settings.triage
    if not t.enabled:
        return "triage: off (alerts follow the tags)"
    return (
        f"triage: shutdown [{t.bands.shutdown[0]:g}, {t.bands.shutdown[1]:g}), "
        f"blanket [{t.bands.blanket[0]:g}, {t.bands.blanket[1]:g})"
    )


def _count_routes(routes: list[Any]) -> int:
    return sum(1 + _count_routes(r.routes) for r in routes)


@config_app.command("check")
def check(ctx: typer.Context) -> None:
    """Validate the configuration (defaults, user dir, environment) and print a summary."""
    state: AppState = ctx.obj
    try:
        cfg = state.config()
        from yuqing.app.checks import deep_check

        deep_check(cfg)
    except ConfigErrors as exc:
        for line in exc.lines():
            typer.echo(line, err=True)
        raise typer.Exit(exc.exit_code) from None
    typer.echo("configuration OK")
    for line in summary(cfg):
        typer.echo(f"  {line}")


@config_app.command("show")
def show(ctx: typer.Context) -> None:
    """Print the effective configuration as YAML, with secrets redacted."""
    state: AppState = ctx.obj
    cfg = state.config()
    data = cfg.model_dump(mode="json", by_alias=True)
    data["secrets"] = {
        name: ("<set>" if value is not None else None)
        for name, value in cfg.secrets.model_dump().items()
    }
    typer.echo(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), nl=False)
