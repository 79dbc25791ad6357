"""Alerts → incidents: open the incident for a fingerprint (or join the open one), list its
posts (reposts — posts of one near-duplicate cluster — count once), and route new incidents
to departments. Everything is batched: a few queries per batch of posts, not per post.

A post joins an incident of a fingerprint at most once, ever: a post already listed in an
incident with the same fingerprint (even a resolved one) is skipped, which makes re-running an
evaluation (after a crash, or over the re-scanned overlap window) harmless.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, bindparam, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from yuqing.alerts import precedence
from yuqing.alerts.audit import SYSTEM_ACTOR, audit
from yuqing.alerts.context import AlertContext
from yuqing.alerts.glossary import describe_route
from yuqing.alerts.labels import Labels, title
from yuqing.config.rules import AlertRule
from yuqing.store.models import Incident, IncidentDepartment, IncidentPost, Post

CHUNK = 1000
INCIDENTS = cast(Table, Incident.__table__)
INCIDENT_DEPARTMENTS = cast(Table, IncidentDepartment.__table__)
INCIDENT_POSTS = cast(Table, IncidentPost.__table__)


def dialect_insert(session: Session) -> Any:
    name = session.get_bind().dialect.name
    if name == "postgresql":
        return postgresql.insert
    if name == "sqlite":
        return sqlite.insert
    raise NotImplementedError(f"alerts do not support the {name} database")


def chunks(items: Iterable[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


@dataclass
class AlertGroup:
    """The alerts of one fingerprint in this evaluation: labels of the first, and the posts
    (post id → (cluster key, published_at)); the cluster key is the post's near-duplicate
    cluster, or ``-post_id`` when it has none."""

    fingerprint: str
    labels: Labels
    rule: AlertRule
    posts: dict[int, tuple[int, datetime]] = field(default_factory=dict)
    min_new_clusters: int = 0  # a new incident needs this many unlisted clusters (surge)
    title_suffix: str = ""


@dataclass
class AttachResult:
    opened: list[int] = field(default_factory=list)
    linked: int = 0
    updated: list[int] = field(default_factory=list)


@dataclass
class OpenIncident:
    """The columns of an unresolved incident that attaching posts reads and writes."""

    id: int
    fingerprint: str
    rule: str
    labels: dict[str, str]
    post_count: int
    first_post_at: datetime | None
    last_post_at: datetime | None


def attach(
    session: Session, ctx: AlertContext, groups: list[AlertGroup], now: datetime
) -> AttachResult:
    """List the groups' posts in their open incidents (opening them as needed). Core
    statements throughout: a handful of queries per call, whatever the number of posts."""
    result = AttachResult()
    if not groups:
        return result
    fps = sorted({g.fingerprint for g in groups})
    listed = _already_listed(session, {p for g in groups for p in g.posts})
    fresh: dict[str, dict[int, tuple[int, datetime]]] = {}
    for g in groups:
        new = {p: v for p, v in g.posts.items() if (p, g.fingerprint) not in listed}
        fresh.setdefault(g.fingerprint, {}).update(new)
    open_ = _open_incidents(session, fps)
    via: dict[tuple[str, int], set[str]] = {}
    if any(r.merge for r in ctx.inhibit_rules):
        groups = _precede(session, ctx, groups, fresh, open_, listed, via)
    to_open = [
        g
        for g in groups
        if g.fingerprint not in open_
        and (not g.posts or _clusters(fresh[g.fingerprint]) >= max(1, g.min_new_clusters))
    ]
    if to_open:
        _create(session, ctx, to_open, now)
        opened = _open_incidents(session, [g.fingerprint for g in to_open])
        for fp, inc in opened.items():
            if fp not in open_:
                result.opened.append(inc.id)
                audit(
                    session, SYSTEM_ACTOR, "incident.open", "incident", inc.id, now, rule=inc.rule
                )
        open_.update(opened)
        opened_ids = set(result.opened)
        _route(session, ctx, [i for i in open_.values() if i.id in opened_ids], now)
    opened_ids = set(result.opened)
    touched: list[OpenIncident] = []
    links: list[dict[str, Any]] = []
    for fp, posts in fresh.items():
        found = open_.get(fp)
        if found is None or not posts:
            continue
        touched.append(found)
        links.extend(
            {
                "incident_id": found.id,
                "post_id": p,
                "added_at": now,
                "via_rule": ",".join(sorted(via.get((fp, p), ()))) or None,
                "moved_from": None,
            }
            for p in posts
        )
    if not touched:
        return result
    present = _present_clusters(session, touched, fresh)
    conn = session.connection()
    insert = dialect_insert(session)
    for batch in chunks(links, 5000):
        conn.execute(insert(INCIDENT_POSTS).on_conflict_do_nothing(), batch)
    result.linked = len(links)
    changes: list[dict[str, Any]] = []
    for inc in touched:
        posts = fresh[inc.fingerprint]
        keys = {c for c, _ in posts.values()} - present.get(inc.id, set())
        times = [t for _, t in posts.values()]
        if inc.first_post_at is not None:
            times.append(inc.first_post_at)
        if inc.last_post_at is not None:
            times.append(inc.last_post_at)
        changes.append(
            {
                "b_id": inc.id,
                "b_count": inc.post_count + len(keys),
                "b_first": min(times),
                "b_last": max(times),
                "b_now": now,
            }
        )
        if inc.id not in opened_ids:
            result.updated.append(inc.id)
    table = INCIDENTS
    conn.execute(
        update(table)
        .where(table.c.id == bindparam("b_id"))
        .values(
            post_count=bindparam("b_count"),
            first_post_at=bindparam("b_first"),
            last_post_at=bindparam("b_last"),
            updated_at=bindparam("b_now"),
        ),
        changes,
    )
    mark_pending(session, ctx, result.updated, now)
    return result


def _precede(
    session: Session,
    ctx: AlertContext,
    groups: list[AlertGroup],
    fresh: dict[str, dict[int, tuple[int, datetime]]],
    open_: dict[str, OpenIncident],
    listed: set[tuple[int, str]],
    via: dict[tuple[str, int], set[str]],
) -> list[AlertGroup]:
    """Precedence at creation (issue 13): a group that an open incident, or a group of this
    batch about to open one, outranks (``merge: true`` inhibit rules, same ``equal`` labels)
    hands its posts to that incident instead of opening or joining its own; ``via`` records
    (fingerprint, post) → the lower rules. Returns the groups left to attach."""
    rules = [r for r in ctx.inhibit_rules if r.merge]
    # a post already counted in a higher incident (even a resolved one) is not counted
    # again by a lower rule
    for g in groups:
        mine = fresh.get(g.fingerprint)
        if not mine:
            continue
        for g2 in groups:
            if g2 is g or not precedence.outranks(
                rules, g2.labels, g2.rule.severity, g.labels, g.rule.severity
            ):
                continue
            for p in [p for p in mine if p in g2.posts and (p, g2.fingerprint) in listed]:
                del mine[p]
    nodes: dict[str, precedence.Node] = {}
    for inc in _unresolved(session):
        rule = ctx.rules.by_name.get(inc.rule)
        nodes[inc.fingerprint] = precedence.Node(
            inc.fingerprint,
            dict(inc.labels),
            inc.severity,
            inc.id,
            inc.title,
            (rule.short_title if rule is not None else inc.rule),
        )
    by_fp = {g.fingerprint: g for g in groups}
    for g in groups:
        if g.fingerprint in nodes:
            continue
        if g.posts and _clusters(fresh[g.fingerprint]) < max(1, g.min_new_clusters):
            continue  # opens nothing: absorbs nothing
        nodes[g.fingerprint] = precedence.Node(
            g.fingerprint, g.labels, g.rule.severity, None, "", g.rule.short_title
        )
    precedence.resolve(rules, list(nodes.values()))
    kept: list[AlertGroup] = []
    added: list[str] = []
    for g in groups:
        node = nodes.get(g.fingerprint)
        high = precedence.top(node) if node is not None else None
        if node is None or high is None or high is node:
            kept.append(g)
            continue
        target = fresh.setdefault(high.key, {})
        for p, v in fresh.get(g.fingerprint, {}).items():
            if (p, high.key) not in listed:
                target.setdefault(p, v)
                via.setdefault((high.key, p), set()).add(g.rule.name)
        fresh[g.fingerprint] = {}
        if high.key not in by_fp:
            rule = ctx.rules.by_name.get(str(high.labels.get("rule", "")))
            if rule is None:  # a rule since removed from the config: keep the group
                kept.append(g)
                continue
            by_fp[high.key] = AlertGroup(high.key, dict(high.labels), rule)
            kept.append(by_fp[high.key])
            added.append(high.key)
    if added:
        open_.update(_open_incidents(session, added))
    return kept


def _unresolved(session: Session) -> list[Any]:
    q = select(
        Incident.id, Incident.fingerprint, Incident.labels, Incident.severity, Incident.title,
        Incident.rule,
    ).where(Incident.status != "resolved")  # fmt: skip
    return list(session.connection().execute(q))


def _clusters(posts: dict[int, tuple[int, datetime]]) -> int:
    return len({c for c, _ in posts.values()})


def _already_listed(session: Session, post_ids: set[int]) -> set[tuple[int, str]]:
    """(post, fingerprint) for every incident the posts are already listed in (by the
    post_id index, then the incidents' fingerprints)."""
    pairs: list[tuple[int, int]] = []
    conn = session.connection()
    for ids in _ranges(sorted(post_ids)):
        lo, hi = ids[0], ids[-1]
        if hi - lo < 4 * len(ids):  # dense (new posts): a range scan, filtered here
            q = select(IncidentPost.post_id, IncidentPost.incident_id).where(
                IncidentPost.post_id.between(lo, hi)
            )
            pairs.extend((p, i) for p, i in conn.execute(q).all() if p in post_ids)
        else:
            for batch in chunks(ids):
                q = select(IncidentPost.post_id, IncidentPost.incident_id).where(
                    IncidentPost.post_id.in_(batch)
                )
                pairs.extend((p, i) for p, i in conn.execute(q).all())
    fps: dict[int, str] = {}
    for batch in chunks(sorted({i for _, i in pairs})):
        q2 = select(Incident.id, Incident.fingerprint).where(Incident.id.in_(batch))
        fps.update((i, f) for i, f in conn.execute(q2))
    return {(p, fps[i]) for p, i in pairs}


def _ranges(ids: list[int], size: int = 5000) -> Iterator[list[int]]:
    yield from chunks(ids, size)


def _open_incidents(session: Session, fps: list[str]) -> dict[str, OpenIncident]:
    out: dict[str, OpenIncident] = {}
    conn = session.connection()
    for batch in chunks(fps):
        q = select(
            Incident.id,
            Incident.fingerprint,
            Incident.rule,
            Incident.labels,
            Incident.post_count,
            Incident.first_post_at,
            Incident.last_post_at,
        ).where(Incident.fingerprint.in_(batch), Incident.status != "resolved")
        for row in conn.execute(q):
            out[row.fingerprint] = OpenIncident(
                row.id,
                row.fingerprint,
                row.rule,
                dict(row.labels),
                row.post_count or 0,
                row.first_post_at,
                row.last_post_at,
            )
    return out


def _create(session: Session, ctx: AlertContext, groups: list[AlertGroup], now: datetime) -> None:
    rows = []
    for g in groups:
        rule = g.rule
        rows.append(
            {
                "fingerprint": g.fingerprint,
                "rule": rule.name,
                "severity": rule.severity,
                "labels": g.labels,
                "district": g.labels.get("district") or None,
                "sector": g.labels.get("sector") or None,
                "title": title(rule.short_title, g.labels) + g.title_suffix,
                "status": "open",
                "post_count": 0,
                "opened_at": now,
                "updated_at": now,
                "due_at": now + ctx.config.rules.due[rule.severity],
                "escalation_level": 0,
            }
        )
    insert = dialect_insert(session)
    stmt = insert(INCIDENTS).on_conflict_do_nothing(
        index_elements=["fingerprint"], index_where=text("status != 'resolved'")
    )
    session.connection().execute(stmt, rows)


def _present_clusters(
    session: Session,
    incidents: list[OpenIncident],
    fresh: dict[str, dict[int, tuple[int, datetime]]],
) -> dict[int, set[int]]:
    """Cluster keys already listed in each incident, among those of its new posts."""
    wanted: set[int] = set()
    for inc in incidents:
        wanted.update(c for c, _ in fresh[inc.fingerprint].values() if c > 0)
    out: dict[int, set[int]] = {}
    if not wanted:
        return out
    ids = {i.id for i in incidents}
    conn = session.connection()
    for batch in chunks(sorted(wanted)):
        q = (
            select(IncidentPost.incident_id, Post.cluster_id)
            .join(Post, Post.id == IncidentPost.post_id)
            .where(Post.cluster_id.in_(batch))
        )
        for inc_id, cluster in conn.execute(q):
            if inc_id in ids and cluster is not None:
                out.setdefault(inc_id, set()).add(cluster)
    return out


def _route(
    session: Session, ctx: AlertContext, incidents: list[OpenIncident], now: datetime
) -> None:
    """Route new incidents: one incident_departments row per department reached, due for its
    first notification after group_wait (or with its group's next flush, when the route's
    group_by is coarser than the incident)."""
    rows: list[dict[str, Any]] = []
    leads: list[dict[str, Any]] = []
    for inc in incidents:
        labels = dict(inc.labels)
        key_labels = set(ctx.tree.incident_labels(labels))
        reached_all = ctx.tree.receivers(labels)
        if reached_all:  # 主办: the first receiver by routing precedence (issue 13)
            leads.append({"b_id": inc.id, "b_lead": reached_all[0].receiver})
        for reached in reached_all:
            group_key = reached.group_key(labels)
            due = now + reached.timers.group_wait
            if "..." not in reached.group_by and not key_labels <= {"rule", *reached.group_by}:
                due = _group_due(
                    session,
                    reached.receiver,
                    group_key,
                    inc.id,
                    due,
                    now,
                    reached.timers.group_interval,
                )
            rows.append(
                {
                    "incident_id": inc.id,
                    "department_code": reached.receiver,
                    "route": reached.route,
                    # 分派依据 as read now: later edits of routing.yaml renumber paths (issue 13)
                    "route_text": describe_route(
                        reached.route, ctx.config.routing, ctx.config.rules.rules
                    ),
                    "group_key": group_key,
                    "role": "routed",
                    "notified_count": 0,
                    "notified_posts": 0,
                    "next_notify_at": due,
                }
            )
    if rows:
        stmt = dialect_insert(session)(INCIDENT_DEPARTMENTS).on_conflict_do_nothing()
        session.connection().execute(stmt, rows)
    if leads:
        session.connection().execute(
            update(INCIDENTS)
            .where(INCIDENTS.c.id == bindparam("b_id"))
            .values(lead_department=bindparam("b_lead")),
            leads,
        )


def _group_due(
    session: Session,
    department: str,
    group_key: str,
    incident_id: int,
    default: datetime,
    now: datetime,
    group_interval: timedelta,
) -> datetime:
    q = (
        select(IncidentDepartment.last_notified_at, IncidentDepartment.next_notify_at)
        .join(Incident, Incident.id == IncidentDepartment.incident_id)
        .where(
            IncidentDepartment.department_code == department,
            IncidentDepartment.group_key == group_key,
            IncidentDepartment.incident_id != incident_id,
            Incident.status != "resolved",
        )
    )
    siblings = list(session.execute(q))
    notified = [last for last, _ in siblings if last is not None]
    if notified:
        return max(now, max(notified) + group_interval)
    pending = [nxt for _, nxt in siblings if nxt is not None]
    return min(pending) if pending else default


def mark_pending(
    session: Session, ctx: AlertContext, incident_ids: list[int], now: datetime
) -> None:
    """New posts in incidents already notified: an update after group_interval."""
    table = INCIDENT_DEPARTMENTS
    conn = session.connection()
    changes: list[dict[str, Any]] = []
    for batch in chunks(incident_ids):
        q = select(
            table.c.incident_id,
            table.c.department_code,
            table.c.route,
            table.c.last_notified_at,
            table.c.next_notify_at,
        ).where(
            table.c.incident_id.in_(batch),
            table.c.role == "routed",
            table.c.notified_count > 0,
        )
        for inc_id, code, route, last, nxt in conn.execute(q):
            due = max(now, last + ctx.tree.node(route).timers.group_interval)
            if nxt is None or nxt > due:
                changes.append({"b_inc": inc_id, "b_dept": code, "b_due": due})
    if changes:
        conn.execute(
            update(table)
            .where(
                table.c.incident_id == bindparam("b_inc"),
                table.c.department_code == bindparam("b_dept"),
            )
            .values(next_notify_at=bindparam("b_due")),
            changes,
        )
