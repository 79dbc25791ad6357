"""``yuqing incidents list|show|ack|assign|note|resolve|part-done|feedback``: officers' actions
on incidents from the command line (the web inbox does the same; both audit-log every action)."""

from __future__ import annotations

from typing import Annotated

import typer
from sqlalchemy import func, select

from yuqing.alerts import handlers
from yuqing.alerts import incidents as inc_actions
from yuqing.alerts.labels import format_labels, sector_name
from yuqing.alerts.policy import citation_for_incident
from yuqing.alerts.resolution import FIELDS as RESOLUTION_FIELDS
from yuqing.alerts.resolution import parse as parse_resolution
from yuqing.app.commands.common import By, actor, local_time
from yuqing.app.state import AppState
from yuqing.store.models import (
    AuditLog,
    Incident,
    IncidentDepartment,
    IncidentPost,
    Notification,
)
from yuqing.store.models import Post as PostRow

incidents_app = typer.Typer(help="List, inspect and handle incidents.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(incidents_app, name="incidents")


Department = Annotated[
    str | None,
    typer.Option(
        "--department", help="Act as an officer of this department (only the lead resolves)."
    ),
]
PART_EN = {"主办": "lead", "协办": "co-handler", "督办": "supervisor", "承办": "handler"}


@incidents_app.command("list")
def incidents_list(
    ctx: typer.Context,
    status: Annotated[str, typer.Option(help="open, acknowledged, resolved, unresolved or all")] = (
        "unresolved"
    ),
    department: Annotated[str | None, typer.Option(help="Only this department's.")] = None,
    limit: Annotated[int, typer.Option(min=1)] = 50,
) -> None:
    """List incidents, newest first."""
    state: AppState = ctx.obj
    q = select(Incident).order_by(Incident.id.desc()).limit(limit)
    if status == "unresolved":
        q = q.where(Incident.status != "resolved")
    elif status in inc_actions.STATES:
        q = q.where(Incident.status == status)
    elif status != "all":
        raise typer.BadParameter(f"unknown status {status!r}", param_hint="--status")
    if department:
        q = q.join(IncidentDepartment, IncidentDepartment.incident_id == Incident.id).where(
            IncidentDepartment.department_code == department
        )
    with state.database().session() as s:
        rows = list(s.execute(q).scalars())
        if not rows:
            typer.echo("no incidents")
            return
        for i in rows:
            typer.echo(
                f"#{i.id:<5} {i.status:<12} {i.severity:<7} {i.post_count:>4} posts  "
                f"due {local_time(state, i.due_at)}  {i.title}"
                + (f"  (merged into #{i.merged_into})" if i.merged_into is not None else "")
            )


@incidents_app.command("show")
def incidents_show(ctx: typer.Context, incident_id: int) -> None:
    """One incident: labels, departments, notifications, posts and its audit trail."""
    state: AppState = ctx.obj
    with state.database().session() as s:
        i = inc_actions.get(s, incident_id)
        typer.echo(f"incident #{i.id}: {i.title}")
        typer.echo(f"  rule {i.rule}, severity {i.severity}, status {i.status}")
        typer.echo(f"  labels: {format_labels(i.labels)}")
        typer.echo(f"  sector: {sector_name(i.sector) or '-'}, district: {i.district or '-'}")
        typer.echo(
            f"  opened {local_time(state, i.opened_at)}, due {local_time(state, i.due_at)}, "
            f"escalation level {i.escalation_level}"
        )
        if i.acknowledged_by:
            typer.echo(
                f"  acknowledged by {i.acknowledged_by} at {local_time(state, i.acknowledged_at)}"
            )
        if i.assigned_to:
            typer.echo(f"  assigned to {i.assigned_to}")
        if i.resolved_by:
            when = local_time(state, i.resolved_at)
            typer.echo(f"  resolved by {i.resolved_by} at {when}: {i.resolution or ''}")
            fields = [f"{f}={getattr(i, f)}" for f in RESOLUTION_FIELDS if getattr(i, f)]
            if fields:
                typer.echo(f"  resolution fields: {'; '.join(fields)}")
        cited = citation_for_incident(s, state.config(), i)
        if cited is not None:
            clause = cited.clause.code if cited.clause else "-"
            typer.echo(
                f"  policy: {cited.notice.code} clause {clause}, phrase "
                f"{cited.phrase or '-'} (post {cited.post_id or '-'})"
            )
        if i.merged_into is not None:
            typer.echo(f"  merged into #{i.merged_into} at {local_time(state, i.merged_at)}")
        merged = (
            s.execute(select(Incident.id).where(Incident.merged_into == i.id).order_by(Incident.id))
            .scalars()
            .all()
        )
        if merged:
            typer.echo("  merged into this one: " + ", ".join(f"#{m}" for m in merged))
        parts = ", ".join(
            f"{h.code} {PART_EN[h.part]}" + (f" (done by {h.done_by})" if h.done_at else "")
            for h in handlers.handlers(s, i)
        )
        typer.echo(f"  handled by: {parts or '-'}")
        typer.echo("  departments:")
        for d in s.execute(
            select(IncidentDepartment).where(IncidentDepartment.incident_id == i.id)
        ).scalars():
            extra = f"; suppressed: {d.suppressed_by}" if d.suppressed_by else ""
            typer.echo(
                f"    {d.department_code:<8} {d.role:<9} via {d.route}; notified "
                f"{d.notified_count}x, last {local_time(state, d.last_notified_at)}{extra}"
            )
        counts = s.execute(
            select(Notification.kind, Notification.status, func.count())
            .where(Notification.incident_id == i.id)
            .group_by(Notification.kind, Notification.status)
        ).all()
        if counts:
            typer.echo("  notifications: " + ", ".join(f"{k}/{st} {n}" for k, st, n in counts))
        posts = s.execute(
            select(PostRow.id, PostRow.title, PostRow.url)
            .join(IncidentPost, IncidentPost.post_id == PostRow.id)
            .where(IncidentPost.incident_id == i.id)
            .order_by(PostRow.published_at.desc())
            .limit(10)
        ).all()
        typer.echo(f"  posts ({i.post_count} counting reposts once):")
        for pid, title, url in posts:
            typer.echo(f"    [{pid}] {title} {url}")
        trail = s.execute(
            select(AuditLog)
            .where(AuditLog.object_type == "incident", AuditLog.object_id == str(i.id))
            .order_by(AuditLog.at, AuditLog.id)
        ).scalars()
        typer.echo("  history:")
        for a in trail:
            detail = ", ".join(f"{k}={v}" for k, v in a.detail.items())
            typer.echo(f"    {local_time(state, a.at)} {a.actor}: {a.action} {detail}".rstrip())


@incidents_app.command("ack")
def incidents_ack(
    ctx: typer.Context,
    incident_id: int,
    by: By = None,
    note: Annotated[str | None, typer.Option(help="A note kept with the acknowledgement.")] = None,
) -> None:
    """Acknowledge an incident (stops repeats and escalation)."""
    state: AppState = ctx.obj
    with state.database().session() as s:
        i = inc_actions.acknowledge(s, incident_id, actor(by), note)
        typer.echo(f"incident #{i.id} acknowledged by {i.acknowledged_by}")


@incidents_app.command("assign")
def incidents_assign(ctx: typer.Context, incident_id: int, assignee: str, by: By = None) -> None:
    """Record who handles an incident."""
    state: AppState = ctx.obj
    with state.database().session() as s:
        i = inc_actions.assign(s, incident_id, actor(by), assignee)
        typer.echo(f"incident #{i.id} assigned to {i.assigned_to}")


@incidents_app.command("note")
def incidents_note(ctx: typer.Context, incident_id: int, text: str, by: By = None) -> None:
    """Add a note to an incident's record."""
    state: AppState = ctx.obj
    with state.database().session() as s:
        inc_actions.add_note(s, incident_id, actor(by), text)
        typer.echo(f"note added to incident #{incident_id}")


@incidents_app.command("resolve")
def incidents_resolve(
    ctx: typer.Context,
    incident_id: int,
    by: By = None,
    note: Annotated[str | None, typer.Option(help="How it was resolved.")] = None,
    verification: Annotated[
        str | None, typer.Option(help="核实结果: what the check on site found (text).")
    ] = None,
    verified: Annotated[
        str | None, typer.Option(help="是否属实: true (属实), partly (部分属实), false (不属实).")
    ] = None,
    production_restored: Annotated[
        str | None, typer.Option(help="是否已恢复生产经营: yes (是), no (否), na (不适用).")
    ] = None,
    public_response: Annotated[
        str | None, typer.Option(help="群众回应情况: replied (已回应), not_replied (未回应).")
    ] = None,
    response_note: Annotated[
        str | None, typer.Option(help="How the public was answered (text).")
    ] = None,
    department: Department = None,
) -> None:
    """Resolve an incident for good (new posts will open a new one), with what the check
    found; with --department, act as that department's officer (only the lead, 主办, resolves)."""
    state: AppState = ctx.obj
    outcome = parse_resolution(
        {
            "verification": verification,
            "verified": verified,
            "production_restored": production_restored,
            "public_response": public_response,
            "public_response_note": response_note,
        }
    )
    with state.database().session() as s:
        i = inc_actions.resolve(
            s, incident_id, actor(by), note, outcome=outcome, department=department
        )
        typer.echo(f"incident #{i.id} resolved by {i.resolved_by}")


@incidents_app.command("part-done")
def incidents_part_done(
    ctx: typer.Context,
    incident_id: int,
    department: Annotated[str, typer.Option("--department", help="The co-handling department.")],
    by: By = None,
    note: Annotated[str | None, typer.Option(help="A note kept with it.")] = None,
) -> None:
    """Mark a co-handling department's part done (协办完成); the lead resolves."""
    state: AppState = ctx.obj
    with state.database().session() as s:
        handlers.mark_done(s, incident_id, department, actor(by), note)
        typer.echo(f"incident #{incident_id}: {department}'s part marked done")


@incidents_app.command("feedback")
def incidents_feedback(
    ctx: typer.Context,
    incident_id: int,
    text: str,
    department: Annotated[str, typer.Option("--department", help="The department reporting.")],
    by: By = None,
) -> None:
    """Record a department's feedback on an incident (seen by everyone on it)."""
    state: AppState = ctx.obj
    with state.database().session() as s:
        handlers.add_feedback(s, incident_id, department, actor(by), text)
        typer.echo(f"feedback from {department} added to incident #{incident_id}")
