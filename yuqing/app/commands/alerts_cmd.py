"""``yuqing routes test``, ``yuqing evaluate``, ``yuqing escalate``,
and ``yuqing silences add|list|expire`` (``yuqing incidents``: incidents_cmd.py)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from sqlalchemy import select

from yuqing.alerts import locality, triage
from yuqing.alerts import silences as silence_actions
from yuqing.alerts.context import AlertContext, context_for
from yuqing.alerts.errors import LabelError, SilenceError
from yuqing.alerts.escalation import escalate, target
from yuqing.alerts.evaluate import evaluate
from yuqing.alerts.explain import post_precedence
from yuqing.alerts.labels import format_labels
from yuqing.alerts.rules import tags_from_row
from yuqing.app.commands.common import By, actor, local_time
from yuqing.app.state import AppState
from yuqing.config import Config
from yuqing.config.rules import AlertRule
from yuqing.config.types import format_duration, parse_duration
from yuqing.store.models import Post as PostRow
from yuqing.store.models import (
    PostTag,
    Source,
)

routes_app = typer.Typer(help="Inspect the routing tree.", no_args_is_help=True)
silences_app = typer.Typer(help="Silence alerts for a while.", no_args_is_help=True)


def _duration(value: timedelta) -> str:
    return format_duration(value) if value > timedelta(0) else "0s"


def register(app: typer.Typer) -> None:
    app.add_typer(routes_app, name="routes")
    app.add_typer(silences_app, name="silences")
    app.command("evaluate")(evaluate_cmd)
    app.command("escalate")(escalate_cmd)


def parse_labels(pairs: list[str]) -> dict[str, str]:
    labels: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise LabelError(f"expected LABEL=VALUE, got {pair!r} (e.g. district=龙沙区)")
        labels[name.strip()] = value.strip().strip('"')
    return labels


@routes_app.command("test")
def routes_test(
    ctx: typer.Context,
    labels: Annotated[
        list[str] | None, typer.Argument(help="LABEL=VALUE pairs, e.g. rule=complaint")
    ] = None,
    post: Annotated[
        int | None,
        typer.Option("--post", help="Explain a stored post: locality, triage, rules, routes."),
    ] = None,
    source: Annotated[
        str | None, typer.Option("--source", help="The post's source (for the locality gate).")
    ] = None,
) -> None:
    """Print the departments a set of labels (or a stored post) reaches, and why; and whether
    such a post is alerted at all (the locality gate, the triage bands)."""
    state: AppState = ctx.obj
    cfg = state.config()
    actx = context_for(cfg)
    if post is not None:
        _explain_post(state, post)
        return
    given = parse_labels(labels or [])
    notes = []
    rule = cfg.rules.rule(given.get("rule", ""))
    if rule is not None and "severity" not in given:
        given["severity"] = rule.severity
        notes.append("severity from rules.yaml")
    elif "rule" in given and rule is None:
        notes.append(f"warning: no rule named {given['rule']!r} in rules.yaml")
    typer.echo(f"labels: {format_labels(given)}" + (f" ({'; '.join(notes)})" if notes else ""))
    _routes(actx, given, rule)
    if rule is None or rule.kind == "post":
        typer.echo(_locality_line(cfg, given.get("district") or None, None, source))


def _locality_line(cfg: Config, district: str | None, city: str | None, source: str | None) -> str:
    verdict = locality.decide(cfg, district, city, source)
    if verdict.local:
        return f"locality: alerted — {verdict.why}"
    local = ", ".join(sorted(locality.local_sources(cfg))) or "none"
    names = "/".join([cfg.gazetteer.city, *cfg.gazetteer.city_aliases])
    return (
        f"locality: NOT alerted — {verdict.why} (a post without a district is alerted when it "
        f"names {names} or comes from a local source: {local}; settings locality.enabled)"
    )


def _explain_post(state: AppState, post_id: int) -> None:
    cfg = state.config()
    actx = context_for(cfg)
    with state.database().session() as s:
        row = s.execute(
            select(PostRow, PostTag, Source.name)
            .join(Source, Source.id == PostRow.source_id)
            .outerjoin(PostTag, PostTag.post_id == PostRow.id)
            .where(PostRow.id == post_id)
        ).one_or_none()
        if row is None:
            raise LabelError(f"no post #{post_id}")
        p, t, source = row
        typer.echo(f"post {p.id} [{source}] {p.title or '(无标题)'}")
        if t is None:
            typer.echo("not tagged yet: not alerted")
            return
        typer.echo(
            f"tags: shutdown {t.shutdown} ({t.shutdown_score:.2f}), blanket {t.blanket} "
            f"({t.blanket_score:.2f}), complaint {t.complaint}, licensed {t.licensed}, "
            f"sector {t.sector}, district {t.district or '-'}"
            + (f" ({t.district_match})" if t.district_match else "")
            + (f", city {t.city_match}" if t.city_match else "")
        )
        typer.echo(_locality_line(cfg, t.district, t.city_match, source))
        if not locality.decide(cfg, t.district, t.city_match, source).local:
            return
        decision = triage.decide(
            cfg.settings.triage, t.shutdown, t.shutdown_score, t.blanket, t.blanket_score
        )
        shutdown, blanket = decision.pushed
        if cfg.settings.triage.enabled:
            bands = cfg.settings.triage.bands
            states = [
                f"{n} {getattr(decision, n)} {list(getattr(bands, n))}" for n in triage.FIELDS
            ]
            typer.echo("triage: " + "; ".join(states))

        def text() -> str:
            from yuqing.nlp.normalize import normalize_for_matching

            return normalize_for_matching(f"{p.title}\n{p.text}")

        def hits(sd: bool, bl: bool) -> list[triage.Hit]:
            tags = tags_from_row(sd, bl, t.complaint, t.licensed, t.sector, t.district, t.custom)
            return triage.rule_hits(actx, tags, text)

        now = hits(shutdown, blanket)
        pushed = {fp for _, fp, _ in now}
        more = [h for h in hits(*decision.confirmed(decision.uncertain)) if h[1] not in pushed]
        if decision.uncertain and more:
            typer.echo(
                f"to the 待研判 queue ({', '.join(decision.uncertain)} uncertain): confirming "
                f"would fire {', '.join(r.name for r, _, _ in more)}"
            )
        if not now:
            typer.echo("no rule fires now: no incident")
        for rule, _, labels in now:
            typer.echo(f"rule {rule.name} fires:")
            _routes(actx, dict(labels), rule.rule)
        for line in post_precedence(s, actx, p.id, [(r.rule, dict(lb)) for r, _, lb in now]):
            typer.echo(line)


def _routes(actx: AlertContext, given: dict[str, str], rule: AlertRule | None) -> None:
    explained = actx.tree.explain(given)
    reached = [e for e in explained if e.duplicate_of is None]
    typer.echo(f"{len(reached)} receiver(s):")
    for e in explained:
        dept = actx.departments.get(e.receiver)
        name = dept.name if dept is not None else "(not configured)"
        if e.duplicate_of is not None:
            typer.echo(
                f"  ({e.receiver} again via {e.route}: already reached via {e.duplicate_of})"
            )
            continue
        t = e.timers
        channels = (
            ", ".join(f"{c.type}#{i}" for i, c in enumerate(dept.channels) if c.enabled)
            if dept is not None
            else ""
        )
        hours = dept.active_hours if dept is not None and dept.active_hours else "always"
        typer.echo(f"  {e.receiver:<8} {name}  [{e.route}]")
        typer.echo(f"           why: {e.reason}")
        typer.echo(
            f"           group_by [{', '.join(e.group_by)}]; group_wait "
            f"{_duration(t.group_wait)}, group_interval {_duration(t.group_interval)}"
            f", repeat_interval {_duration(t.repeat_interval)}; active hours: {hours}"
        )
        typer.echo(f"           channels: {channels or 'none'}")
        if rule is None or rule.escalate:
            to = target(actx, e.receiver, 1)
            if to is not None:
                typer.echo(f"           escalates to: {to} when overdue")


def evaluate_cmd(ctx: typer.Context) -> None:
    """Run one evaluation now: new tagged posts → incidents → outbox rows."""
    state: AppState = ctx.obj
    result = evaluate(state.config(), state.database())
    typer.echo(result.summary())


def escalate_cmd(ctx: typer.Context) -> None:
    """Escalate overdue unacknowledged incidents now."""
    state: AppState = ctx.obj
    typer.echo(f"escalation notifications: {escalate(state.config(), state.database())}")


def _when(state: AppState, text: str | None, what: str) -> datetime | None:
    if text is None:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise SilenceError(
            f"invalid {what} time {text!r} (expected e.g. 2026-11-27T18:00)"
        ) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(state.config().settings.timezone))
    return value


@silences_app.command("add")
def silences_add(
    ctx: typer.Context,
    matchers: Annotated[list[str], typer.Argument(help='Matchers, e.g. district="龙沙区"')],
    duration: Annotated[str | None, typer.Option(help="e.g. 2h, 1d (or give --end)")] = None,
    start: Annotated[str | None, typer.Option(help="ISO time (default: now)")] = None,
    end: Annotated[str | None, typer.Option(help="ISO time")] = None,
    author: Annotated[str | None, typer.Option(help="Who silences (default: cli:<user>).")] = None,
    comment: Annotated[str, typer.Option(help="Why.")] = "",
) -> None:
    """Silence matching alerts: they are still recorded, but nobody is notified."""
    state: AppState = ctx.obj
    try:
        span = parse_duration(duration) if duration else None
    except ValueError as exc:
        raise SilenceError(str(exc)) from None
    if span is None and end is None:
        raise SilenceError("give --duration or --end")
    with state.database().session() as s:
        row = silence_actions.create(
            s,
            [m if "=" in m and '"' in m else _quote(m) for m in matchers],
            author=actor(author),
            comment=comment,
            starts_at=_when(state, start, "start"),
            ends_at=_when(state, end, "end"),
            duration=span,
        )
        typer.echo(
            f"silence #{row.id}: {', '.join(row.matchers)} from {local_time(state, row.starts_at)} "
            f"until {local_time(state, row.ends_at)}"
        )


def _quote(matcher: str) -> str:
    """Accept ``district=龙沙区`` as well as ``district="龙沙区"`` on the command line."""
    for op in ("=~", "!~", "!=", "="):
        name, sep, value = matcher.partition(op)
        if sep:
            return f'{name}{op}"{value}"'
    return matcher


@silences_app.command("list")
def silences_list(
    ctx: typer.Context,
    all_: Annotated[bool, typer.Option("--all", help="Include expired silences.")] = False,
) -> None:
    """List active and pending silences."""
    state: AppState = ctx.obj
    with state.database().session() as s:
        rows = silence_actions.list_silences(s, include_expired=all_)
        if not rows:
            typer.echo("no silences")
        for r in rows:
            typer.echo(
                f"#{r.id:<4} {local_time(state, r.starts_at)} → {local_time(state, r.ends_at)}  "
                f"{', '.join(r.matchers)}  by {r.author}: {r.comment}"
            )


@silences_app.command("expire")
def silences_expire(ctx: typer.Context, silence_id: int, by: By = None) -> None:
    """End a silence now."""
    state: AppState = ctx.obj
    with state.database().session() as s:
        silence_actions.expire(s, silence_id, actor=actor(by))
        typer.echo(f"silence #{silence_id} expired")
