"""Queries behind the inbox and the incident page (always through :mod:`scoping`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from yuqing.alerts.audit import SYSTEM_ACTOR
from yuqing.alerts.evidence import SNIPPET_CHARS
from yuqing.alerts.glossary import silence_author, suppression_text
from yuqing.alerts.key_posts import KeyPost, key_posts, reply_heading
from yuqing.alerts.people import display_names
from yuqing.app.web.highlight import evidence_by_tag, highlight_terms, snippet, split_evidence
from yuqing.app.web.labels import SECTOR_NAMES, SECTORS, SEVERITIES, STATUSES, TAG_ZH
from yuqing.app.web.params import parse_page
from yuqing.app.web.render import CurrentUser
from yuqing.app.web.scoping import visible
from yuqing.store.models import (
    AuditLog,
    DeliveryAttempt,
    Feedback,
    Incident,
    IncidentDepartment,
    IncidentPost,
    Notification,
    Post,
    PostTag,
    Source,
    User,
)

PAGE_SIZE = 50
MAX_POSTS = 200
MAX_QUERY = 100  # characters of the search box kept
EXPORT_ROWS = 5000
ACTIVE = ("open", "acknowledged")


@dataclass
class InboxFilter:
    status: str = "active"  # active (open + acknowledged), open, acknowledged, resolved, all
    severity: str = ""
    sector: str = ""
    district: str = ""
    department: str = ""  # admins and analysts only
    page: int = 1
    rule: str = ""
    q: str = ""  # search: incident number, title, or words of its posts
    # issue 13: incidents merged into another (已并入 #N) are left out of lists and counts
    # unless asked for (?merged=1); their own page and the one they went into still link them
    merged: bool = False

    @classmethod
    def parse(
        cls,
        params: dict[str, str],
        districts: list[str],
        departments: set[str],
        rules: set[str] | frozenset[str] = frozenset(),
    ) -> InboxFilter:
        """Unknown values are ignored, never echoed into SQL or pages as filters."""
        status = params.get("status", "active")
        return cls(
            rule=v if (v := params.get("rule", "")) in rules else "",
            q=" ".join(params.get("q", "").split())[:MAX_QUERY],
            status=status if status in ("active", "all", *STATUSES) else "active",
            severity=v if (v := params.get("severity", "")) in SEVERITIES else "",
            sector=v if (v := params.get("sector", "")) in SECTORS else "",
            district=v if (v := params.get("district", "")) in districts else "",
            department=v if (v := params.get("department", "")) in departments else "",
            page=parse_page(params),
            merged=params.get("merged", "") == "1",
        )

    def params(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "severity": self.severity,
            "sector": self.sector,
            "district": self.district,
            "department": self.department,
            "rule": self.rule,
            "q": self.q,
            "merged": "1" if self.merged else "",
        }

    @property
    def narrowed(self) -> bool:
        return bool(self.severity or self.sector or self.district or self.department) or bool(
            self.rule or self.q
        )


@dataclass
class InboxRow:
    incident: Incident
    departments: list[str]
    overdue: timedelta | None  # how long past due, for unresolved incidents
    remaining: timedelta | None = None  # how long until due, for unresolved incidents
    key_post: KeyPost | None = None  # its first 重点帖文: the row's snippet
    people: dict[str, str] = field(default_factory=dict)  # login → 名字（部门） (issue 13)

    def person(self, login: str | None) -> str:
        """The display name of ``login`` ("" for none): never the login when it is known."""
        return self.people.get(login, login) if login else ""

    @property
    def handler(self) -> str:
        """Who handles it, as the 承办 column shows: the assignee, else who signed for it."""
        return self.person(self.incident.assigned_to or self.incident.acknowledged_by)

    @cached_property  # the template asks twice
    def snippet(self) -> list[tuple[str, bool]]:
        """About 80 characters of the incident's first key post, around its first matched
        term (empty when the incident has no post)."""
        return self.key_post.snippet_parts if self.key_post is not None else []

    @property
    def snippet_text(self) -> str:
        """The same snippet as plain text (exports)."""
        return "".join(part for part, _ in self.snippet)


def _filtered(user: CurrentUser, f: InboxFilter) -> list[Any]:
    conds: list[Any] = [visible(user)]
    if not f.merged:
        conds.append(Incident.merged_into.is_(None))
    if f.severity:
        conds.append(Incident.severity == f.severity)
    if f.sector:
        conds.append(Incident.sector == f.sector)
    if f.district:
        conds.append(Incident.district == f.district)
    if f.rule:
        conds.append(Incident.rule == f.rule)
    if f.q:
        conds.append(_search(f.q))
    if f.department and user.role != "officer":
        conds.append(
            Incident.id.in_(
                select(IncidentDepartment.incident_id).where(
                    IncidentDepartment.department_code == f.department
                )
            )
        )
    return conds


def _search(q: str) -> Any:
    """``#12`` or ``12`` finds the incident by number; other text searches titles and the
    incident's posts (LIKE, wildcards escaped)."""
    number = q.lstrip("#")
    posts = select(IncidentPost.incident_id).join(Post, Post.id == IncidentPost.post_id)
    words = or_(
        Incident.title.contains(q, autoescape=True),
        Incident.id.in_(
            posts.where(
                or_(Post.title.contains(q, autoescape=True), Post.text.contains(q, autoescape=True))
            )
        ),
    )
    if number.isascii() and number.isdigit() and len(number) < 10:
        return or_(Incident.id == int(number), words)
    return words


def page_count(total: int) -> int:
    return max(1, -(-total // PAGE_SIZE))


def status_counts(
    session: Session, user: CurrentUser, f: InboxFilter, now: datetime
) -> dict[str, int]:
    """Incidents per status, ``active``, ``all`` and ``overdue`` (active and past due), in one
    query (issue 15: one round trip less per inbox)."""
    conds = _filtered(user, f)
    late = case((Incident.status.in_(ACTIVE) & (Incident.due_at < now), 1), else_=0)
    rows = session.execute(
        select(Incident.status, func.count(), func.sum(late))
        .where(*conds)
        .group_by(Incident.status)
    ).all()
    counts = {s: 0 for s in STATUSES}
    overdue = 0
    for status, n, n_late in rows:
        counts[status] = counts.get(status, 0) + int(n)
        overdue += int(n_late or 0)
    counts["active"] = counts["open"] + counts["acknowledged"]
    counts["all"] = sum(counts[s] for s in STATUSES)
    counts["overdue"] = overdue
    return counts


def _listed(user: CurrentUser, f: InboxFilter) -> Any:
    conds = _filtered(user, f)
    if f.status == "active":
        conds.append(Incident.status.in_(ACTIVE))
    elif f.status != "all":
        conds.append(Incident.status == f.status)
    return (
        select(Incident)
        .where(*conds)
        .order_by(Incident.due_at.asc().nulls_last(), Incident.opened_at, Incident.id)
    )


def inbox(
    session: Session, user: CurrentUser, f: InboxFilter, now: datetime
) -> tuple[list[InboxRow], bool]:
    """One page of incidents, by due time (none last), and whether there is a next page."""
    stmt = _listed(user, f).offset((f.page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)
    incidents = list(session.scalars(stmt))
    has_next = len(incidents) > PAGE_SIZE
    return _rows(session, incidents[:PAGE_SIZE], now), has_next


def export_rows(
    session: Session, user: CurrentUser, f: InboxFilter, now: datetime
) -> list[InboxRow]:
    """Every incident of the filtered list (all pages, at most EXPORT_ROWS)."""
    return _rows(session, list(session.scalars(_listed(user, f).limit(EXPORT_ROWS))), now)


def _rows(session: Session, incidents: list[Incident], now: datetime) -> list[InboxRow]:
    depts: dict[int, list[str]] = defaultdict(list)
    if incidents:
        for iid, code in session.execute(
            select(IncidentDepartment.incident_id, IncidentDepartment.department_code)
            .where(IncidentDepartment.incident_id.in_([i.id for i in incidents]))
            .order_by(IncidentDepartment.department_code)
        ):
            depts[iid].append(code)
    first = key_posts(session, [i.id for i in incidents], 1) if incidents else {}
    people = display_names(
        session, [x for i in incidents for x in (i.assigned_to, i.acknowledged_by)]
    )
    return [
        InboxRow(
            inc,
            depts[inc.id],
            overdue_by(inc, now),
            remaining_until(inc, now),
            next(iter(first.get(inc.id, [])), None),
            people,
        )
        for inc in incidents
    ]


def remaining_until(inc: Incident, now: datetime) -> timedelta | None:
    if inc.status in ACTIVE and inc.due_at is not None and inc.due_at >= now:
        return inc.due_at - now
    return None


def overdue_by(inc: Incident, now: datetime) -> timedelta | None:
    if inc.status in ACTIVE and inc.due_at is not None and inc.due_at < now:
        return now - inc.due_at
    return None


@dataclass
class PostView:
    post: Post
    source: str
    tags: PostTag | None
    title_parts: list[tuple[str, bool]]
    text_parts: list[tuple[str, bool]]
    evidence: list[tuple[str, list[str]]]
    feedback: list[Feedback] = field(default_factory=list)
    thread: Post | None = None  # the thread of a forum reply, when stored
    snippet: list[tuple[str, bool]] = field(default_factory=list)
    key_rank: int | None = None  # 1.. for the incident's 重点帖文 (key_posts), else None

    @property
    def long(self) -> bool:
        """Longer than its snippet: the page shows the snippet, the full text on demand."""
        return len(self.post.text or "") > SNIPPET_CHARS

    @property
    def heading(self) -> str:
        """回复：<thread title> for a forum reply, else the post's title ("" for none)."""
        if self.post.parent_id is not None:
            return reply_heading(self.thread.title if self.thread is not None else None)
        return self.post.title


def incident_posts(session: Session, incident_id: int) -> list[PostView]:
    rows = session.execute(
        select(Post, Source.name, PostTag)
        .join(IncidentPost, IncidentPost.post_id == Post.id)
        .join(Source, Source.id == Post.source_id)
        .outerjoin(PostTag, PostTag.post_id == Post.id)
        .where(IncidentPost.incident_id == incident_id)
        .order_by(Post.published_at.desc(), Post.id.desc())
        .limit(MAX_POSTS)
    ).all()
    views = []
    parents = {p.parent_id for p, _s, _t in rows if p.parent_id is not None}
    threads = (
        {t.id: t for t in session.scalars(select(Post).where(Post.id.in_(parents)))}
        if parents
        else {}
    )
    for post, source, tags in rows:
        both = f"{post.title}\n{post.text}"
        terms = highlight_terms(tags.evidence, both) if tags is not None else []
        views.append(
            PostView(
                post=post,
                source=source,
                tags=tags,
                title_parts=split_evidence(post.title, terms),
                text_parts=split_evidence(post.text, terms),
                evidence=evidence_by_tag(tags.evidence, both) if tags is not None else [],
                thread=threads.get(post.parent_id) if post.parent_id is not None else None,
                snippet=snippet(post.text, terms, title=post.title),
            )
        )
    ranks = {p.id: n for n, p in enumerate(key_posts(session, [incident_id])[incident_id], 1)}
    for v in views:
        v.key_rank = ranks.get(v.post.id)
    # the key posts first, by severity × reach; then the others, newest first (as queried)
    views.sort(key=lambda v: v.key_rank if v.key_rank is not None else len(ranks) + 1)
    if views:
        fb = session.scalars(
            select(Feedback)
            .where(Feedback.post_id.in_([v.post.id for v in views]))
            .order_by(Feedback.created_at, Feedback.id)
        )
        by_post: dict[int, list[Feedback]] = defaultdict(list)
        for row in fb:
            by_post[row.post_id].append(row)
        for v in views:
            v.feedback = by_post[v.post.id]
    return views


@dataclass
class Event:
    at: datetime
    kind: str  # opened, notification, escalation, action, feedback
    title: str  # notification kind, audit action, or text
    detail: str = ""
    actor: str = ""
    department: str = ""
    channel: str = ""
    status: str = ""
    attempts: int = 0
    level: int = 0


def timeline(
    session: Session,
    inc: Incident,
    post_ids: list[int],
    names: dict[str, str],
    merged: Sequence[int] = (),
) -> list[Event]:
    """Opening, notifications (with delivery outcome), escalations, actions and feedback;
    with the actions of the incidents ``merged`` into this one, marked 原 #N (issue 13)."""
    events = [Event(inc.opened_at, "opened", "事件开立", inc.title)]
    notifications = list(
        session.scalars(
            select(Notification)
            .where(Notification.incident_id == inc.id)
            .order_by(Notification.created_at, Notification.id)
        )
    )
    attempts: dict[int, int] = {}
    if notifications:
        attempts = dict(
            session.execute(
                select(DeliveryAttempt.notification_id, func.count())
                .where(DeliveryAttempt.notification_id.in_([n.id for n in notifications]))
                .group_by(DeliveryAttempt.notification_id)
            ).all()
        )
    for n in notifications:
        esc = n.payload.get("escalation") if isinstance(n.payload, dict) else None
        level = esc.get("level") if isinstance(esc, dict) else None
        events.append(
            Event(
                at=n.sent_at or n.created_at,
                kind="escalation" if n.kind == "escalation" else "notification",
                title=n.kind,
                detail=n.last_error or "",
                department=n.department_code,
                channel=n.channel,
                status=n.status,
                attempts=int(attempts.get(n.id, 0)),
                level=level if isinstance(level, int) else 0,
            )
        )
    ids = [str(inc.id), *(str(m) for m in merged)]
    audits = list(
        session.scalars(
            select(AuditLog)
            .where(AuditLog.object_type == "incident", AuditLog.object_id.in_(ids))
            .order_by(AuditLog.at, AuditLog.id)
        )
    )
    assignees = display_names(  # 指派给 / 静默 by the person, not the login (issue 13)
        session,
        [str(a.detail.get("assignee")) for a in audits if isinstance(a.detail, dict)]
        + [
            silence_author(str(a.detail.get("reason", "")))
            for a in audits
            if isinstance(a.detail, dict) and a.action.endswith("suppress")
        ],
    )
    for a in audits:
        if a.action == "incident.open" and a.object_id == str(inc.id):  # the first event
            continue
        detail = a.detail or {}
        text = str(detail.get("note") or "")
        if a.action in ("incident.merge", "incident.absorb"):
            text = str(detail.get("reason") or "")
        elif a.action in ("incident.feedback", "incident.part_done"):
            dept = names.get(str(detail.get("department")), str(detail.get("department", "")))
            text = f"{dept}：{text}" if text else dept
        if a.object_id != str(inc.id):
            text = f"（原 #{a.object_id}）{text}"
        if a.action.endswith("assign"):
            who = str(detail.get("assignee") or "")
            text = f"指派给 {assignees.get(who, who) if who else '（无）'}"
        elif a.action.endswith("escalate"):
            to = "、".join(names.get(str(c), str(c)) for c in detail.get("to") or [])
            text = (
                f"第 {detail.get('level', '?')} 级，超时 {detail.get('overdue_minutes', '?')} "
                f"分钟，通知 {to or '—'}"
            )
        elif a.action.endswith("suppress"):
            dept = names.get(str(detail.get("department")), str(detail.get("department", "")))
            text = f"{dept}：{suppression_text(str(detail.get('reason', '')), assignees)}"
        kind = "escalation" if a.action.endswith("escalate") else "action"
        events.append(Event(a.at, kind, a.action, text, actor=actor_name(a.actor)))
    if post_ids:
        for fb in session.scalars(
            select(Feedback).where(Feedback.post_id.in_(post_ids)).order_by(Feedback.created_at)
        ):
            old, new = tag_value(fb.field, fb.old_value), tag_value(fb.field, fb.new_value)
            what = f"帖文 #{fb.post_id} {TAG_ZH.get(fb.field, fb.field)}：{old} → {new}"
            events.append(
                Event(fb.created_at, "feedback", what, fb.note, actor=actor_name(fb.actor))
            )
    events.sort(key=lambda e: e.at)
    return events


def actor_name(actor: str) -> str:
    """Who did it, for the page: the system's own actions read 系统."""
    return "系统" if actor == SYSTEM_ACTOR else actor


def tag_value(field_name: str, value: str | None) -> str:
    """A stored feedback value in words: 是/否, the sector's name, the district, or —."""
    if value is None or value == "":
        return "—"
    if field_name == "sector":
        return SECTOR_NAMES.get(value, value)
    if value.lower() in ("1", "true", "yes"):
        return "是"
    if value.lower() in ("0", "false", "no"):
        return "否"
    return value


def colleagues(session: Session, user: CurrentUser, departments: list[str]) -> list[User]:
    """Whom the incident may be assigned to: active officers of the user's department (an
    officer) or of any of the incident's departments (an admin)."""
    codes = [user.department_code] if user.role == "officer" else departments
    stmt = (
        select(User)
        .where(User.active, User.role == "officer", User.department_code.in_(codes))
        .order_by(User.department_code, User.username)
    )
    return list(session.scalars(stmt))


def incident_departments(session: Session, incident_id: int) -> list[IncidentDepartment]:
    return list(
        session.scalars(
            select(IncidentDepartment)
            .where(IncidentDepartment.incident_id == incident_id)
            .order_by(IncidentDepartment.department_code)
        )
    )
