"""``yuqing triage list|confirm|reject``: the 待研判 queue (posts whose shutdown or blanket score
fell in the uncertain band of settings.yaml ``triage.bands``)."""

from __future__ import annotations

import getpass
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from sqlalchemy import select

from yuqing.alerts import triage as actions
from yuqing.alerts.context import context_for
from yuqing.alerts.errors import LabelError
from yuqing.app.state import AppState
from yuqing.store.models import Post, Source

triage_app = typer.Typer(
    help="The 待研判 queue: posts with uncertain shutdown/blanket scores.", no_args_is_help=True
)

By = Annotated[str | None, typer.Option("--by", help="Who answers (default: cli:<user>).")]
Note = Annotated[str, typer.Option("--note", help="Why (kept with the answer and the feedback).")]


def register(app: typer.Typer) -> None:
    app.add_typer(triage_app, name="triage")


def _actor(by: str | None) -> str:
    return by or f"cli:{getpass.getuser()}"


@triage_app.command("list")
def triage_list(
    ctx: typer.Context,
    status: Annotated[str, typer.Option(help="pending, confirmed, rejected or all")] = "pending",
    department: Annotated[str | None, typer.Option(help="Only this department's.")] = None,
    limit: Annotated[int, typer.Option(min=1)] = 50,
) -> None:
    """List queue items, newest first."""
    state: AppState = ctx.obj
    if status not in (*actions.STATUSES, "all"):
        raise LabelError(f"unknown status {status!r} (pending, confirmed, rejected or all)")
    tz = ZoneInfo(state.config().settings.timezone)
    with state.database().session() as s:
        items = actions.listing(s, None if status == "all" else status, department, limit)
        if not items:
            typer.echo(f"no {status if status != 'all' else ''} triage items".replace("  ", " "))
            return
        posts = {
            pid: (title, url, source)
            for pid, title, url, source in s.execute(
                select(Post.id, Post.title, Post.url, Source.name)
                .join(Source, Source.id == Post.source_id)
                .where(Post.id.in_([i.post_id for i in items]))
            )
        }
        for i in items:
            title, url, source = posts.get(i.post_id, ("", "", ""))
            when = i.created_at.astimezone(tz).strftime("%Y-%m-%d %H:%M")
            head = f"#{i.id:<5} {i.status:<9} {when}  post {i.post_id} [{source}]"
            typer.echo(f"{head} {title or '(无标题)'}")
            typer.echo(
                f"       uncertain: {', '.join(i.fields)} (shutdown {i.shutdown_score:.2f}, "
                f"blanket {i.blanket_score:.2f}); would fire: {', '.join(i.rules)}; "
                f"departments: {', '.join(actions.item_departments(s, i.id)) or '-'}"
            )
            typer.echo(f"       {i.district or '-'} · {i.sector or '-'} · {i.locality}  {url}")
            if i.status != "pending":
                incidents = ", ".join(f"#{n}" for n in i.incident_ids)
                typer.echo(
                    f"       {i.status} by {i.decided_by}"
                    + (f": {i.note}" if i.note else "")
                    + (f"; incidents {incidents}" if incidents else "")
                )


@triage_app.command("confirm")
def triage_confirm(ctx: typer.Context, item_id: int, by: By = None, note: Note = "") -> None:
    """Confirm the uncertain tags: open and route the incidents, record the feedback."""
    state: AppState = ctx.obj
    config = state.config()
    with state.database().session() as s:
        item, incidents = actions.confirm(s, context_for(config), item_id, _actor(by), note)
        listed = ", ".join(f"#{n}" for n in incidents) or "none"
        typer.echo(
            f"triage item #{item.id} confirmed by {item.decided_by}: post {item.post_id} "
            f"listed in incident(s) {listed}"
        )


@triage_app.command("reject")
def triage_reject(ctx: typer.Context, item_id: int, by: By = None, note: Note = "") -> None:
    """Reject the uncertain tags: no incident; the answer is recorded as feedback."""
    state: AppState = ctx.obj
    with state.database().session() as s:
        item = actions.reject(s, item_id, _actor(by), note)
        typer.echo(f"triage item #{item.id} rejected by {item.decided_by} (feedback recorded)")
