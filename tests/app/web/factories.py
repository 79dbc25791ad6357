"""Seed data for the web tests, written straight into the store models (no crawler, no alert
evaluation): sources, posts, tags, incidents, their departments and notifications, users."""

from __future__ import annotations

import hashlib
import itertools
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from yuqing.alerts import digest as digest_mod
from yuqing.alerts.digest_archive import archive_dir, snapshot
from yuqing.alerts.digest_data import collect, period_for, scopes
from yuqing.alerts.digest_view import build_view, summary
from yuqing.app.web.users import create_user
from yuqing.config import Config
from yuqing.store import fts
from yuqing.store.models import (
    CrawlRun,
    DeliveryAttempt,
    Digest,
    Incident,
    IncidentDepartment,
    IncidentPost,
    Notification,
    Post,
    PostTag,
    Source,
    TriageDepartment,
    TriageItem,
    User,
)

PASSWORD = "correct-horse-battery"
# Crawled text is hostile: markup, markdown links and template syntax must stay inert text.
HOSTILE_TITLE = "<script>alert('t')</script>{{ 7*7 }}标题"
HOSTILE_TEXT = (
    "龙沙区烧烤店被一刀切全部关停！<script>alert(1)</script><img src=x onerror=alert(2)> "
    "[点我](javascript:alert(3)) {{ 7*7 }} {% raw %}{% endraw %} ${7*7} 证照齐全却被关停。"
)
_seq = itertools.count(1)


def source(s: Session, name: str = "demo-board", **kw: Any) -> Source:
    row = Source(name=name, kind=kw.pop("kind", "listing"), **kw)
    s.add(row)
    s.flush()
    return row


def post(
    s: Session,
    src: Source,
    *,
    title: str = "某区餐饮店被关停",
    text: str = "我们的烧烤店被一刀切全部关停了，谁来管？",
    published_at: datetime,
    url: str | None = None,
    tags: dict[str, Any] | None = None,
) -> Post:
    n = next(_seq)
    url = url if url is not None else f"https://bbs.example.cn/thread/{n}"
    row = Post(
        source_id=src.id,
        dedup_key=hashlib.sha1(f"url:{url}:{n}".encode()).hexdigest(),
        url=url,
        title=title,
        text=text,
        published_at=published_at,
        fetched_at=published_at,
        updated_at=published_at,
        content_hash=hashlib.sha1(f"{title}{text}{n}".encode()).hexdigest(),
    )
    s.add(row)
    s.flush()
    if tags is not None:
        tag(s, row, **tags)
    fts.sync_posts(s, [row.id])
    return row


def tag(s: Session, p: Post, **kw: Any) -> PostTag:
    values: dict[str, Any] = {
        "model_version": "test-model-1",
        "shutdown": True,
        "shutdown_score": 0.97,
        "blanket": True,
        "blanket_score": 0.91,
        "complaint": True,
        "complaint_score": 0.88,
        "sector": "life_services",
        "sector_score": 0.8,
        "district": "龙沙区",
        "district_match": "龙沙区",
        "licensed": False,
        "licensed_score": 0.1,
        "evidence": {
            "shutdown": ["关停"],
            "blanket": ["一刀切", "全部关停"],
            "complaint": ["谁来管"],
            "licensed": [],
            "sector": ["烧烤"],
            "district": "龙沙区",
            "features": {"shutdown": ["关停"], "sector": ["烧烤店"]},
        },
        "tagged_at": p.published_at,
    }
    values.update(kw)
    row = PostTag(post_id=p.id, **values)
    s.add(row)
    s.flush()
    return row


def triage_item(s: Session, p: Post, departments: list[str], *, at: datetime) -> TriageItem:
    """A pending 待研判 item on ``p`` (shutdown and blanket uncertain), for ``departments``."""
    row = TriageItem(
        post_id=p.id,
        fields=["shutdown", "blanket"],
        rules=["blanket-shutdown", "shutdown-report"],
        shutdown_score=0.2,
        blanket_score=0.2,
        district=p.tags.district if p.tags is not None else None,
        sector=p.tags.sector if p.tags is not None else None,
        locality="本地：来自本地信源（demo-board）",
        status="pending",
        created_at=at,
        incident_ids=[],
    )
    s.add(row)
    s.flush()
    s.add_all(TriageDepartment(item_id=row.id, department_code=c) for c in departments)
    s.flush()
    return row


def incident(
    s: Session,
    *,
    departments: list[str],
    posts: list[Post] = (),  # type: ignore[assignment]
    opened_at: datetime,
    due_in: timedelta | None = timedelta(hours=2),
    rule: str = "blanket-shutdown",
    severity: str = "high",
    status: str = "open",
    sector: str = "life_services",
    district: str | None = "龙沙区",
    title: str | None = None,
) -> Incident:
    n = next(_seq)
    labels = {"rule": rule, "severity": severity, "sector": sector, "district": district or ""}
    row = Incident(
        fingerprint=hashlib.sha256(f"{rule}{sector}{district}{n}".encode()).hexdigest(),
        rule=rule,
        severity=severity,
        labels=labels,
        district=district,
        sector=sector,
        title=title if title is not None else f"{district or ''} 生活服务业 一刀切式关停".strip(),
        status=status,
        post_count=len(posts),
        first_post_at=min((p.published_at for p in posts), default=None),
        last_post_at=max((p.published_at for p in posts), default=None),
        opened_at=opened_at,
        updated_at=opened_at,
        due_at=opened_at + due_in if due_in is not None else None,
    )
    if status in ("acknowledged", "resolved"):
        row.acknowledged_by, row.acknowledged_at = "seed", opened_at + timedelta(minutes=5)
    if status == "resolved":
        row.resolved_by, row.resolved_at = "seed", opened_at + timedelta(minutes=30)
        row.resolution = "已核实处理"
    s.add(row)
    s.flush()
    for p in posts:
        s.add(IncidentPost(incident_id=row.id, post_id=p.id, added_at=opened_at))
    for i, code in enumerate(departments):
        s.add(
            IncidentDepartment(
                incident_id=row.id,
                department_code=code,
                route=f"routes[{i}]",
                first_notified_at=opened_at,
                last_notified_at=opened_at,
                notified_count=1,
            )
        )
    s.flush()
    return row


def notification(
    s: Session,
    inc: Incident,
    department: str,
    *,
    at: datetime,
    kind: str = "firing",
    status: str = "sent",
    channel: str = "email#0",
    error: str | None = None,
    sequence: int = 1,
) -> Notification:
    key = f"inc-{inc.id}/{department}/{kind}/{sequence}/{channel}"
    payload: dict[str, Any] = {"kind": kind, "sequence": sequence, "idempotency_key": key}
    if kind == "escalation":
        payload["escalation"] = {"level": 1, "from_departments": [department]}
    row = Notification(
        idempotency_key=key,
        incident_id=inc.id,
        department_code=department,
        channel=channel,
        kind=kind,
        status=status,
        payload=payload,
        attempts=1,
        next_attempt_at=at,
        last_error=error,
        created_at=at,
        sent_at=at if status == "sent" else None,
    )
    s.add(row)
    s.flush()
    s.add(
        DeliveryAttempt(notification_id=row.id, attempted_at=at, ok=status == "sent", error=error)
    )
    s.flush()
    return row


def crawl_run(s: Session, src: Source, *, at: datetime, status: str = "ok", **kw: Any) -> CrawlRun:
    row = CrawlRun(
        source_id=src.id,
        started_at=at,
        finished_at=at + timedelta(seconds=20),
        status=status,
        duration_s=20.0,
        **kw,
    )
    s.add(row)
    s.flush()
    return row


def user(
    s: Session,
    config: Config,
    username: str,
    role: str = "officer",
    department: str | None = None,
    password: str = PASSWORD,
) -> User:
    return create_user(
        s,
        config,
        username=username,
        password=password,
        role=role,
        department=department,
        display_name=username,
        actor="seed",
    )


def digest(
    s: Session, config: Config, code: str, day: date, *, now: datetime, period: str = "daily"
) -> Digest:
    """A digest archived and recorded as ``run_daily`` does (its view from the session's data,
    JSON beside the HTML), without the PNG charts (slow: the web draws its own) and without
    outbox rows. The stand-in e-mail HTML has an inline style the pages must never serve."""
    p = period_for(day, period, config.settings.timezone)
    s.flush()
    scope = scopes(config)[code]
    view, charts = build_view(config, collect(config, s, p), scope, now)
    rendered = digest_mod.RenderedDigest(
        department_code=code,
        department_name=scope.name,
        period=period,
        day=day,
        title=view["title"],
        html=f'<p style="color: red">{view["title"]}</p>',
        text=f"{view['title']}\n{summary(view)}",
        summary=summary(view),
        url=view["url"],
        data=snapshot(code, scope.name, period, day, view, charts),
    )
    path = digest_mod.archive(rendered, archive_dir(config, day))
    return digest_mod.record(s, rendered, path)
