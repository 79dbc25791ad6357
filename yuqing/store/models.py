"""The data model (SQLAlchemy 2.0 typed ORM). The schema itself is created only by migrations.

Timestamps are aware UTC datetimes. JSON columns are JSONB on PostgreSQL.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import (
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from yuqing.store.types import JSONType, UTCDateTime, utcnow

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSONType,
        list[Any]: JSONType,
    }


class Source(Base):
    __tablename__ = "sources"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    config: Mapped[dict[str, Any]] = mapped_column(default=dict)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    health: Mapped[str] = mapped_column(String(10), default="unknown")  # ok/degraded/failing
    health_reason: Mapped[str | None] = mapped_column(Text)
    last_run_at: Mapped[datetime | None]
    last_success_at: Mapped[datetime | None]
    watermark_at: Mapped[datetime | None]  # newest published_at stored from this source
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # probation (yuqing.store.probation): first crawled at; confirmed by an admin at / by
    first_seen_at: Mapped[datetime | None]
    confirmed_at: Mapped[datetime | None]
    confirmed_by: Mapped[str | None] = mapped_column(String(100))


class CrawlRun(Base):
    __tablename__ = "crawl_runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"), index=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    # running/ok/failed/timeout/stopped (yuqing.store.crawl.STATUSES)
    status: Mapped[str] = mapped_column(String(10), default="running")
    pages: Mapped[int] = mapped_column(Integer, default=0)
    items_scraped: Mapped[int] = mapped_column(Integer, default=0)
    items_new: Mapped[int] = mapped_column(Integer, default=0)
    items_updated: Mapped[int] = mapped_column(Integer, default=0)
    items_dropped: Mapped[int] = mapped_column(Integer, default=0)
    drops: Mapped[dict[str, Any]] = mapped_column(default=dict)  # reason -> count
    errors: Mapped[int] = mapped_column(Integer, default=0)
    error_messages: Mapped[list[Any]] = mapped_column(default=list)
    duration_s: Mapped[float | None] = mapped_column(Float)
    stats: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # The Scrapyd node and job of a dispatched crawl (crawl.backend: scrapyd); NULL when local.
    node: Mapped[str | None] = mapped_column(String(64))
    job_id: Mapped[str | None] = mapped_column(String(64))


class Post(Base):
    __tablename__ = "posts"
    __table_args__ = (
        UniqueConstraint("source_id", "dedup_key"),
        Index("ix_posts_published_at", "published_at"),
        # the sources' health page counts a month per source from the index alone (issue 15)
        Index("ix_posts_published_source", "published_at", "source_id"),
        # replies and reposts: deleting a post (retention) finds its children by it
        Index(
            "ix_posts_parent_id",
            "parent_id",
            sqlite_where=text("parent_id IS NOT NULL"),
            postgresql_where=text("parent_id IS NOT NULL"),
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    # sha1 of "id:<external_id>" or "url:<canonical url>": the upsert key within a source.
    dedup_key: Mapped[str] = mapped_column(String(40))
    url: Mapped[str] = mapped_column(Text)
    external_id: Mapped[str | None] = mapped_column(String(200))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(Text, default="")
    text: Mapped[str] = mapped_column(Text, default="")
    author_hash: Mapped[str | None] = mapped_column(String(64))
    published_at: Mapped[datetime]
    # True: no readable date on the page; published_at is when the post was first seen
    published_guessed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    fetched_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    content_hash: Mapped[str] = mapped_column(String(40), index=True)
    simhash: Mapped[int | None] = mapped_column(BigInteger)  # signed 64-bit view of the simhash
    cluster_id: Mapped[int | None] = mapped_column(Integer, index=True)  # near-duplicate group
    likes: Mapped[int | None] = mapped_column(Integer)
    replies: Mapped[int | None] = mapped_column(Integer)
    reposts: Mapped[int | None] = mapped_column(Integer)
    raw_ref: Mapped[str | None] = mapped_column(Text)

    tags: Mapped[PostTag | None] = relationship(back_populates="post", uselist=False)


class PostTag(Base):
    """The current tags of a post (re-tagging replaces the row)."""

    __tablename__ = "post_tags"
    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), unique=True)
    model_version: Mapped[str] = mapped_column(String(64))
    shutdown: Mapped[bool] = mapped_column(Boolean)
    shutdown_score: Mapped[float] = mapped_column(Float)
    blanket: Mapped[bool] = mapped_column(Boolean)
    blanket_score: Mapped[float] = mapped_column(Float, default=0.0)
    complaint: Mapped[bool] = mapped_column(Boolean)
    complaint_score: Mapped[float] = mapped_column(Float)
    sector: Mapped[str] = mapped_column(String(40), index=True)
    sector_score: Mapped[float] = mapped_column(Float)
    district: Mapped[str | None] = mapped_column(String(40), index=True)
    district_match: Mapped[str | None] = mapped_column(String(100))
    # the city's own name (齐齐哈尔, 齐市, …) in a post that names no district: the locality gate
    city_match: Mapped[str | None] = mapped_column(String(100))
    licensed: Mapped[bool] = mapped_column(Boolean)
    licensed_score: Mapped[float] = mapped_column(Float, default=0.0)
    custom: Mapped[dict[str, Any]] = mapped_column(default=dict)
    evidence: Mapped[dict[str, Any]] = mapped_column(default=dict)
    tagged_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    post: Mapped[Post] = relationship(back_populates="tags")


class Department(Base):
    """Departments as configured (synced from departments.yaml at start-up)."""

    __tablename__ = "departments"
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    district: Mapped[str | None] = mapped_column(String(40))
    escalate_to: Mapped[str | None] = mapped_column(String(40))
    contacts: Mapped[list[Any]] = mapped_column(default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Incident(Base):
    __tablename__ = "incidents"
    __table_args__ = (
        # At most one unresolved incident per fingerprint; resolved ones are never reopened.
        Index(
            "uq_incidents_open_fingerprint",
            "fingerprint",
            unique=True,
            sqlite_where=text("status != 'resolved'"),
            postgresql_where=text("status != 'resolved'"),
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64), index=True)
    rule: Mapped[str] = mapped_column(String(100), index=True)
    severity: Mapped[str] = mapped_column(String(10))
    labels: Mapped[dict[str, Any]] = mapped_column(default=dict)
    district: Mapped[str | None] = mapped_column(String(40))
    sector: Mapped[str | None] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(15), default="open", index=True)
    post_count: Mapped[int] = mapped_column(Integer, default=0)  # distinct clusters
    first_post_at: Mapped[datetime | None]
    last_post_at: Mapped[datetime | None]
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    due_at: Mapped[datetime | None] = mapped_column(index=True)
    acknowledged_by: Mapped[str | None] = mapped_column(String(100))
    acknowledged_at: Mapped[datetime | None]
    ack_note: Mapped[str | None] = mapped_column(Text)
    assigned_to: Mapped[str | None] = mapped_column(String(100))
    resolved_by: Mapped[str | None] = mapped_column(String(100))
    resolved_at: Mapped[datetime | None]
    resolution: Mapped[str | None] = mapped_column(Text)
    # structured resolution (issue 13, yuqing.alerts.resolution): codes, Chinese on display
    verification: Mapped[str | None] = mapped_column(Text)  # 核实结果
    verified: Mapped[str | None] = mapped_column(String(10))  # 是否属实
    production_restored: Mapped[str | None] = mapped_column(String(10))  # 是否已恢复生产经营
    public_response: Mapped[str | None] = mapped_column(String(15))  # 群众回应情况
    public_response_note: Mapped[str | None] = mapped_column(Text)
    escalation_level: Mapped[int] = mapped_column(Integer, default=0)
    escalated_at: Mapped[datetime | None]
    # issue 13: one incident per event. A lower incident merged into a higher one of the same
    # place and sector is resolved with merged_into set (no FK: a plain ADD COLUMN on SQLite).
    merged_into: Mapped[int | None] = mapped_column(Integer, index=True)
    merged_at: Mapped[datetime | None]
    merge_reason: Mapped[str | None] = mapped_column(Text)  # in Chinese, shown to officers
    # 主办: the first receiver by routing precedence; the other departments co-handle (协办)
    lead_department: Mapped[str | None] = mapped_column(String(40))


class IncidentPost(Base):
    __tablename__ = "incident_posts"
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True
    )
    post_id: Mapped[int] = mapped_column(
        ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    added_at: Mapped[datetime] = mapped_column(default=utcnow)
    # issue 13: the lower rule that matched the post when precedence listed it here instead
    # (NULL: the incident's own rule), and the merged incident it came from, if any
    via_rule: Mapped[str | None] = mapped_column(String(100))
    moved_from: Mapped[int | None] = mapped_column(Integer)


class IncidentDepartment(Base):
    __tablename__ = "incident_departments"
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True
    )
    department_code: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)
    route: Mapped[str] = mapped_column(Text, default="")  # why: the route path that matched
    # issue 13: 分派依据 as described when routed (NULL: routed before 0013, describe ``route``)
    route_text: Mapped[str | None] = mapped_column(Text)
    group_key: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(10), default="routed")  # routed / escalated
    first_notified_at: Mapped[datetime | None]
    last_notified_at: Mapped[datetime | None]
    notified_count: Mapped[int] = mapped_column(Integer, default=0)
    notified_posts: Mapped[int] = mapped_column(Integer, default=0)  # post_count last notified
    next_notify_at: Mapped[datetime | None] = mapped_column(index=True)  # NULL: nothing due
    suppressed_by: Mapped[str | None] = mapped_column(Text)  # silence / inhibition, if any
    # 协办完成 (issue 13): a co-handling department marks its part done
    done_at: Mapped[datetime | None]
    done_by: Mapped[str | None] = mapped_column(String(100))
    done_note: Mapped[str | None] = mapped_column(Text)


class AlertCursor(Base):
    """How far ``alerts.evaluate`` has read post_tags: a (tagged_at, id) watermark per name."""

    __tablename__ = "alert_cursors"
    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    tagged_at: Mapped[datetime | None]
    last_id: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Notification(Base):
    """The outbox: written before sending; the idempotency key is never sent twice."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_status_next", "status", "next_attempt_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    incident_id: Mapped[int | None] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    digest_id: Mapped[int | None] = mapped_column(ForeignKey("digests.id", ondelete="CASCADE"))
    department_code: Mapped[str] = mapped_column(String(40), index=True)
    channel: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(15))  # firing/repeat/escalation/resolved/digest
    status: Mapped[str] = mapped_column(String(10), default="pending")  # pending/sending/sent/dead
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None]
    lease_until: Mapped[datetime | None]  # while "sending": a worker's claim, reclaimable after
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]


class DeliveryAttempt(Base):
    __tablename__ = "delivery_attempts"
    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int] = mapped_column(
        ForeignKey("notifications.id", ondelete="CASCADE"), index=True
    )
    attempted_at: Mapped[datetime] = mapped_column(default=utcnow)
    ok: Mapped[bool] = mapped_column(Boolean)
    error: Mapped[str | None] = mapped_column(Text)
    status_code: Mapped[int | None] = mapped_column(Integer)
    duration_ms: Mapped[float | None] = mapped_column(Float)


class Silence(Base):
    __tablename__ = "silences"
    id: Mapped[int] = mapped_column(primary_key=True)
    matchers: Mapped[list[Any]] = mapped_column(default=list)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime] = mapped_column(index=True)
    author: Mapped[str] = mapped_column(String(100))
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(10))  # admin / officer / analyst
    department_code: Mapped[str | None] = mapped_column(String(40))
    display_name: Mapped[str] = mapped_column(String(100), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]


class WebSession(Base):
    """A web login: the browser's cookie carries a random token; this row is keyed by its
    SHA-256, so reading the table does not hand out sessions (issue 14)."""

    __tablename__ = "web_sessions"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    revoked_reason: Mapped[str | None] = mapped_column(String(20))
    address: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(200), default="")


class LoginThrottle(Base):
    """Recent failed logins per (username, client address); username ``*`` counts every
    failure from the address. Shared by all web workers (issue 14)."""

    __tablename__ = "login_throttle"
    username: Mapped[str] = mapped_column(String(100), primary_key=True)
    address: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    first_failure_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_failure_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    blocked_until: Mapped[datetime | None]


class AuditLog(Base):
    __tablename__ = "audit_log"
    # an incident's timeline reads its rows by object (issue 15: a sequential scan before)
    __table_args__ = (Index("ix_audit_log_object", "object_type", "object_id", "at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(50))
    object_type: Mapped[str] = mapped_column(String(50))
    object_id: Mapped[str] = mapped_column(String(100))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Digest(Base):
    __tablename__ = "digests"
    __table_args__ = (UniqueConstraint("department_code", "period", "day"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    department_code: Mapped[str] = mapped_column(String(40))  # "city" for the leaders' digest
    period: Mapped[str] = mapped_column(String(10))  # daily / weekly
    day: Mapped[str] = mapped_column(String(10))  # ISO date in the configured timezone
    html: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    path: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]


class Feedback(Base):
    """Tag corrections by users; ``yuqing nlp train --with-feedback`` folds them in."""

    __tablename__ = "feedback"
    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    actor: Mapped[str] = mapped_column(String(100))
    field: Mapped[str] = mapped_column(String(40))  # a tag name, or "false_positive"
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str] = mapped_column(Text)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    used_at: Mapped[datetime | None]


class TriageItem(Base):
    """A post whose shutdown or blanket score fell in the uncertain band (settings.yaml
    ``triage.bands``): it waits for an analyst (待研判) instead of opening an incident.
    ``fields`` are the uncertain tags, ``rules`` the post rules confirming them would fire;
    confirming opens those incidents (``incident_ids``), rejecting records the answer. Both
    answers are also written to ``feedback`` for the next model."""

    __tablename__ = "triage_items"
    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), unique=True)
    fields: Mapped[list[Any]] = mapped_column(default=list)  # ["shutdown"], ["blanket"], both
    rules: Mapped[list[Any]] = mapped_column(default=list)
    shutdown_score: Mapped[float] = mapped_column(Float)
    blanket_score: Mapped[float] = mapped_column(Float)
    district: Mapped[str | None] = mapped_column(String(40))
    sector: Mapped[str | None] = mapped_column(String(40))
    locality: Mapped[str] = mapped_column(Text, default="")  # why the post counts as local
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[datetime | None]
    note: Mapped[str | None] = mapped_column(Text)
    incident_ids: Mapped[list[Any]] = mapped_column(default=list)


class TriageDepartment(Base):
    """The departments a triage item's incidents would be routed to: who may see and answer it
    (an officer sees the items of their department, like incidents)."""

    __tablename__ = "triage_departments"
    item_id: Mapped[int] = mapped_column(
        ForeignKey("triage_items.id", ondelete="CASCADE"), primary_key=True
    )
    department_code: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)


class ProcessLock(Base):
    """Singleton processes (the scheduler) hold a row here and refresh ``heartbeat_at``."""

    __tablename__ = "process_locks"
    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    acquired_at: Mapped[datetime] = mapped_column(default=utcnow)
    heartbeat_at: Mapped[datetime] = mapped_column(default=utcnow)


class SchedulerJob(Base):
    """APScheduler 3's SQLAlchemyJobStore table, created here so migrations own the schema."""

    __tablename__ = "apscheduler_jobs"
    id: Mapped[str] = mapped_column(String(191), primary_key=True)
    next_run_time: Mapped[float | None] = mapped_column(Float(25), index=True)
    job_state: Mapped[bytes] = mapped_column(LargeBinary)
