"""``yuqing db upgrade|status``."""

from __future__ import annotations

import typer
from sqlalchemy import func, select

from yuqing.app.state import AppState
from yuqing.store import departments, models
from yuqing.store.db import current_revision, head_revision, upgrade

db_app = typer.Typer(help="Create and migrate the database.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")


@db_app.command("upgrade")
def upgrade_cmd(ctx: typer.Context, revision: str = typer.Argument("head")) -> None:
    """Create the schema or migrate it to the newest revision; then sync the departments
    table from departments.yaml."""
    state: AppState = ctx.obj
    db = state.database(check_schema=False)
    before, after = upgrade(db.engine, revision)
    if before == after:
        typer.echo(f"{db.display_url}: already at revision {after}")
    else:
        typer.echo(f"{db.display_url}: upgraded {before or 'empty'} -> {after}")
    if after == head_revision():  # an older revision's schema may not match the models
        with db.session() as s:
            typer.echo(departments.sync(s, state.config().departments.departments))


@db_app.command("status")
def status_cmd(ctx: typer.Context) -> None:
    """Show the schema revision and row counts."""
    state: AppState = ctx.obj
    db = state.database(check_schema=False)
    current, head = current_revision(db.engine), head_revision()
    state_text = "up to date" if current == head else "needs `yuqing db upgrade`"
    typer.echo(f"database: {db.display_url} ({db.dialect})")
    typer.echo(f"revision: {current or 'none'} (head {head}, {state_text})")
    if current != head:
        raise typer.Exit(1)
    with db.session() as s:
        for table in (
            models.Source,
            models.Post,
            models.PostTag,
            models.Incident,
            models.Notification,
        ):
            count = s.execute(select(func.count()).select_from(table)).scalar_one()
            typer.echo(f"  {table.__tablename__}: {count}")
