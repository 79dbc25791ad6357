"""``yuqing demo``: the main job on the embedded default configuration."""

from __future__ import annotations

import typer

from yuqing.app.state import AppState
from yuqing.store.db import upgrade


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)


def demo(ctx: typer.Context) -> None:
    """Run the whole pipeline once on the bundled demo configuration."""
    state: AppState = ctx.obj
    cfg = state.config()
    db = state.database(check_schema=False)
    _before, after = upgrade(db.engine)
    typer.echo(f"database {db.display_url}: revision {after}")
    enabled = [s.name for s in cfg.sources.sources if s.enabled]
    if not enabled:
        typer.echo("no sources are configured yet (config/sources.yaml)")
        return
    typer.echo(f"sources: {', '.join(enabled)}")
