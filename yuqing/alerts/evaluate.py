"""``evaluate(config, db, now)``: posts tagged since the last run → alerts → incidents →
routing → silences/inhibition → outbox rows. Called every minute by the scheduler.

Only new tags are read: a (tagged_at, id) watermark in ``alert_cursors`` is advanced in the
same transaction as the incidents it produced, batch by batch. Each run re-reads the last
``rescan`` (2 minutes) before the watermark, so tags written by a concurrent tagging
transaction that committed after the previous run had moved past their tagged_at are not
missed (the tagger stamps tagged_at just before it commits). A post is listed in an
incident of a fingerprint at most once, so re-reading (or re-running after a crash) changes
nothing and sends nothing twice (outbox keys are unique).

The rows of the rescan window this process has already evaluated, with the same tags (the
tag row's id and tagged_at), are read again but not evaluated again (``_Seen``): at 1 M posts
a round of 1,000 new posts otherwise re-evaluated ~6,000 (issue 15). A process that has not
seen them (after a restart, or a standby scheduler taking over) evaluates the whole window.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import time
import weakref
from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import Engine, String, and_, or_, select, type_coerce, update
from sqlalchemy.orm import Session

from yuqing.alerts import notify, triage
from yuqing.alerts.audit import SYSTEM_ACTOR
from yuqing.alerts.context import AlertContext, context_for
from yuqing.alerts.grouping import AlertGroup, attach, dialect_insert
from yuqing.alerts.incidents import fingerprint, resolve
from yuqing.alerts.labels import Labels, label_key
from yuqing.alerts.locality import decide as locality_of
from yuqing.alerts.locality import gate_on, local_condition, local_sources
from yuqing.alerts.merge import merge_open
from yuqing.alerts.rules import PostRule, tags_from_row
from yuqing.alerts.surge import detect_surges, failing_sources
from yuqing.config import Config
from yuqing.config.rules import AlertRule
from yuqing.store.models import AlertCursor, Incident, Post, PostTag, Source
from yuqing.store.probation import probation_ids
from yuqing.store.session import Database
from yuqing.store.types import utcnow

log = logging.getLogger(__name__)

CURSOR = "posts"
BATCH = 5000
RESCAN = timedelta(minutes=2)
Rows = dict[tuple[int, Any], datetime]  # (tag row id, tagged_at as read) -> tagged_at


@dataclass
class EvaluationResult:
    posts_scanned: int = 0
    alerts: int = 0
    incidents_opened: int = 0
    incidents_updated: int = 0
    merged: int = 0  # lower incidents merged into the higher one of their event (issue 13)
    posts_listed: int = 0
    surges: int = 0
    failing_sources: int = 0
    auto_resolved: int = 0
    notifications: int = 0
    suppressed: int = 0
    not_local: int = 0  # posts about other places: stored, never alerted (locality gate)
    triaged: int = 0  # posts queued for 待研判 instead of opening an incident
    rescan_skipped: int = 0  # rows of the rescan window evaluated before by this process
    seconds: float = 0.0

    def summary(self) -> str:
        return (
            ", ".join(
                f"{f.name.replace('_', ' ')} {getattr(self, f.name)}"
                for f in fields(self)
                if f.name != "seconds"
            )
            + f" ({self.seconds:.2f}s)"
        )


class _Seen:
    """Tag rows (id, tagged_at) this process evaluated and committed, per database (engine),
    cursor and configuration (other rules may alert on the same rows), kept for the rescan
    window after the cursor."""

    def __init__(self) -> None:
        self.rows: weakref.WeakKeyDictionary[Engine, dict[tuple[str, str], Rows]] = (
            weakref.WeakKeyDictionary()
        )

    def of(self, db: Database, name: str, config: Config) -> Rows:
        per_db = self.rows.setdefault(db.engine, {})
        key = (name, hashlib.sha1(config.model_dump_json().encode()).hexdigest())
        if key not in per_db:
            per_db.clear()  # the configuration changed: evaluate the window again
            per_db[key] = {}
        return per_db[key]

    @staticmethod
    def prune(seen: Rows, before: datetime) -> None:
        for key in [k for k, at in seen.items() if at < before]:
            del seen[key]


_seen = _Seen()


def lock(session: Session, now: datetime, name: str = CURSOR) -> AlertCursor:
    """Take the alerts writer lock (the cursor row; on SQLite, the database write lock) and
    return the cursor. Concurrent evaluations queue here instead of racing."""
    session.execute(update(AlertCursor).where(AlertCursor.name == name).values(updated_at=now))
    row = session.get(AlertCursor, name, with_for_update=True, populate_existing=True)
    if row is None:
        stmt = dialect_insert(session)(AlertCursor).on_conflict_do_nothing()
        session.execute(stmt, [{"name": name, "tagged_at": None, "last_id": 0, "updated_at": now}])
        row = session.get(AlertCursor, name, with_for_update=True, populate_existing=True)
    assert row is not None
    return row


def evaluate(
    config: Config,
    db: Database,
    now: datetime | None = None,
    *,
    batch_size: int = BATCH,
    rescan: timedelta = RESCAN,
) -> EvaluationResult:
    """One evaluation; safe to call every minute and to re-run at any time."""
    started = time.perf_counter()
    now = now or utcnow()
    ctx = context_for(config)
    result = EvaluationResult()
    _posts(ctx, db, now, result, batch_size, rescan)
    if ctx.rules.surge:
        with db.session() as s:
            lock(s, now)
            _surges(s, ctx, now, result)
    if ctx.rules.source:
        with db.session() as s:
            lock(s, now)
            _sources(s, ctx, now, result)
    flushed = notify.flush(ctx, db, now, lock=lambda s: lock(s, now))
    result.notifications, result.suppressed = flushed.notifications, flushed.suppressed
    result.seconds = time.perf_counter() - started
    log.info("evaluate: %s", result.summary())
    return result


def _posts(
    ctx: AlertContext,
    db: Database,
    now: datetime,
    result: EvaluationResult,
    batch_size: int,
    rescan: timedelta,
) -> None:
    if not ctx.rules.post:
        return
    position: tuple[datetime, int] | None = None
    first = True
    with db.session() as s:
        probation = probation_ids(s, ctx.config.settings.source_probation_days, now)
    cache: dict[tuple[Any, ...], list[tuple[PostRule, str, Labels]]] = {}
    seen: Rows = _seen.of(db, CURSOR, ctx.config) if rescan > timedelta(0) else {}
    while True:
        with db.session() as s:
            cursor = lock(s, now)
            if first:
                first = False
                if cursor.tagged_at is not None:
                    _Seen.prune(seen, cursor.tagged_at - rescan)
                    position = (
                        (cursor.tagged_at - rescan, 0)
                        if rescan > timedelta(0)
                        else (cursor.tagged_at, cursor.last_id)
                    )
            fetched, last_key, rows = _read_unseen(s, ctx, position, batch_size, probation, seen)
            if last_key is None:
                return
            last = (_parse(last_key[1]), last_key[0])
            result.rescan_skipped += fetched - len(rows)
            # per batch: a source created since (a first crawl) is known by its name
            sources = {i: n for i, n in s.execute(select(Source.id, Source.name))}
            candidates: list[triage.Candidate] = []
            groups = _alerts(ctx, rows, now, result, cache, sources, candidates)
            attached = attach(s, ctx, list(groups.values()), now)
            result.merged += len(merge_open(s, ctx, now))
            result.triaged += triage.enqueue(s, ctx, candidates, now)
            result.incidents_opened += len(attached.opened)
            result.incidents_updated += len(attached.updated)
            result.posts_listed += attached.linked
            saved = (cursor.tagged_at, cursor.last_id) if cursor.tagged_at is not None else None
            if saved is None or last > saved:
                cursor.tagged_at, cursor.last_id = last
            cursor.updated_at = now
            position = last
        # committed: these rows need no second evaluation in a later run's rescan
        seen.update({(r.id, r.tagged_at): _parse(r.tagged_at) for r in rows})
        result.posts_scanned += len(rows)
        if fetched < batch_size:
            return


class TagRow(NamedTuple):
    id: int
    tagged_at: datetime | str  # SQLite: the stored text, parsed only where needed
    post_id: int
    shutdown: bool
    blanket: bool
    complaint: bool
    licensed: bool
    sector: str
    district: str | None
    custom: dict[str, Any] | None
    cluster_id: int | None
    published_at: datetime | str
    title: str = ""
    text: str = ""
    shutdown_score: float = 0.0
    blanket_score: float = 0.0
    city_match: str | None = None
    source_id: int = 0


def _read_unseen(
    s: Session,
    ctx: AlertContext,
    position: tuple[datetime, int] | None,
    limit: int,
    probation: set[int] | None,
    seen: Rows,
) -> tuple[int, tuple[int, Any] | None, list[TagRow]]:
    """The next ``limit`` tag rows after ``position``: (how many, the last (id, tagged_at),
    the rows not in ``seen`` in full). With rows seen before, their keys are read first and
    only the unseen rows in full (the rescan window's texts are not fetched again)."""
    if not seen:
        rows = _read(s, ctx, position, limit, probation)
        return len(rows), ((rows[-1].id, rows[-1].tagged_at) if rows else None), rows
    sqlite = s.get_bind().dialect.name == "sqlite"
    keys_q = select(PostTag.id, _datetime(PostTag.tagged_at, sqlite))
    if probation:  # only the sources' filter needs the posts: reading them was most of this
        keys_q = keys_q.join(Post, Post.id == PostTag.post_id)  # query at 1 M (issue 15)
    q = _after(keys_q, position, probation).limit(limit)
    keys = [(int(k[0]), k[1]) for k in s.connection().execute(q).all()]
    if not keys:
        return 0, None, []
    unseen = [k[0] for k in keys if k not in seen]
    rows = _read(s, ctx, None, limit, None, ids=unseen) if unseen else []
    return len(keys), keys[-1], rows


def _after(q: Any, position: tuple[datetime, int] | None, probation: set[int] | None) -> Any:
    if position is not None:
        at, last_id = position
        q = q.where(
            PostTag.tagged_at >= at, or_(PostTag.tagged_at > at, and_(PostTag.id > last_id))
        )
    if probation:
        q = q.where(Post.source_id.not_in(probation))
    return q.order_by(PostTag.tagged_at, PostTag.id)


def _read(
    s: Session,
    ctx: AlertContext,
    position: tuple[datetime, int] | None,
    limit: int,
    probation: set[int] | None = None,
    ids: list[int] | None = None,
) -> list[TagRow]:
    """The next tagged posts; those of sources on probation are skipped (they raise no
    alerts, see :mod:`yuqing.store.probation`). ``ids``: these tag rows instead."""
    sqlite = s.get_bind().dialect.name == "sqlite"
    cols: list[Any] = [
        PostTag.id,
        _datetime(PostTag.tagged_at, sqlite).label("tagged_at"),
        PostTag.post_id,
        PostTag.shutdown,
        PostTag.blanket,
        PostTag.complaint,
        PostTag.licensed,
        PostTag.sector,
        PostTag.district,
        type_coerce(PostTag.custom, String) if sqlite else PostTag.custom,
        Post.cluster_id,
        _datetime(Post.published_at, sqlite).label("published_at"),
        PostTag.shutdown_score,
        PostTag.blanket_score,
        PostTag.city_match,
        Post.source_id,
    ]
    if ctx.rules.needs_text:
        cols += [Post.title, Post.text]
    q = select(*cols).join(Post, Post.id == PostTag.post_id)
    if ids is not None:
        q = q.where(PostTag.id.in_(ids))
    q = _after(q, position, probation).limit(limit)
    # On SQLite, datetimes come as their stored text (parsing them with the column type is
    # the slowest part of reading): compared as text, parsed only where a value is used.
    out = []
    for r in s.connection().execute(q).all():
        title, text = (r[16], r[17]) if len(r) > 16 else ("", "")
        custom = r[9]
        if isinstance(custom, str):  # SQLite: JSON text, nearly always "{}"
            custom = json.loads(custom) if custom not in ("{}", "null") else None
        out.append(
            TagRow(
                r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], custom, r[10], r[11],
                title or "", text or "", r[12] or 0.0, r[13] or 0.0, r[14], r[15],
            )
        )  # fmt: skip
    return out


def _datetime(column: Any, sqlite: bool) -> Any:
    return type_coerce(column, String) if sqlite else column


def _parse(value: str | datetime) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


def _alerts(
    ctx: AlertContext,
    rows: list[TagRow],
    now: datetime,
    result: EvaluationResult,
    cache: dict[tuple[Any, ...], list[tuple[PostRule, str, Labels]]],
    sources: dict[int, str] | None = None,
    candidates: list[triage.Candidate] | None = None,
) -> dict[str, AlertGroup]:
    """Alerts of a batch of tagged posts, grouped by fingerprint. The ``when`` conditions,
    labels and fingerprints depend only on the tags, so they are computed once per distinct
    combination of tags (``cache``); keyword conditions are checked per post.

    Posts about other places are skipped (the locality gate); shutdown and blanket count as
    set when their scores reach the triage band's high end, and a post whose uncertain tags
    would fire more rules goes to ``candidates`` (the 待研判 queue)."""
    from yuqing.nlp.normalize import normalize_for_matching

    config = ctx.config
    gate = gate_on(config)
    local_ids = {i for i, n in (sources or {}).items() if n in local_sources(config)}
    bands = config.settings.triage
    oldest = now - config.rules.max_post_age
    oldest_text = oldest.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    groups: dict[str, AlertGroup] = {}
    for row in rows:
        published = row.published_at
        if published < (oldest_text if isinstance(published, str) else oldest):  # type: ignore[operator]
            continue
        if gate and not (row.district or row.city_match or row.source_id in local_ids):
            result.not_local += 1
            continue
        custom = row.custom or {}
        decision = triage.decide(
            bands, row.shutdown, row.shutdown_score, row.blanket, row.blanket_score
        )
        shutdown, blanket = decision.pushed
        rest = (
            bool(row.complaint),
            bool(row.licensed),
            row.sector,
            row.district,
            _freeze(custom) if custom else (),
        )
        text: str | None = None

        def normalized(row: TagRow = row) -> str:
            nonlocal text
            if text is None:
                text = normalize_for_matching(f"{row.title}\n{row.text}")
            return text

        hits = _matching(ctx, cache, (shutdown, blanket, *rest), custom, normalized)
        if decision.uncertain and candidates is not None:
            more = _matching(
                ctx, cache, (*decision.confirmed(decision.uncertain), *rest), custom, normalized
            )
            pushed = {fp for _, fp, _ in hits}
            extra = [h for h in more if h[1] not in pushed]
            if extra:
                source = (sources or {}).get(row.source_id)
                candidates.append(
                    triage.Candidate(
                        row.post_id,
                        decision.uncertain,
                        extra,
                        float(row.shutdown_score),
                        float(row.blanket_score),
                        row.district,
                        row.sector,
                        locality_of(config, row.district, row.city_match, source).why_zh,
                        triage.candidate_departments(ctx, extra),
                    )
                )
        cluster = row.cluster_id if row.cluster_id is not None else -row.post_id
        for rule, fp, labels in hits:
            group = groups.get(fp)
            if group is None:
                group = groups[fp] = AlertGroup(fp, labels, rule.rule)
            if isinstance(published, str):
                published = _parse(published)
            group.posts[row.post_id] = (cluster, published)
            result.alerts += 1
    return groups


def _matching(
    ctx: AlertContext,
    cache: dict[tuple[Any, ...], list[tuple[PostRule, str, Labels]]],
    key: tuple[Any, ...],
    custom: dict[str, Any],
    text: Any,
) -> list[tuple[PostRule, str, Labels]]:
    """The rules the tags ``key`` fire (cached per key), keyword conditions checked on the
    post's normalized ``text()``."""
    hits = cache.get(key)
    if hits is None:
        hits = cache[key] = _hits(ctx, key[:6], custom)
    return [
        h for h in hits if h[0].keywords is None or h[0].keywords.matches(text(), normalized=True)
    ]


def _freeze(custom: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((str(k), repr(v)) for k, v in custom.items()))


def _hits(
    ctx: AlertContext, key: tuple[Any, ...], custom: dict[str, Any]
) -> list[tuple[PostRule, str, Labels]]:
    shutdown, blanket, complaint, licensed, sector, district = key
    tags = tags_from_row(shutdown, blanket, complaint, licensed, sector, district, custom)
    out = []
    for rule in ctx.rules.post:
        if rule.when is None or rule.when(tags):
            labels = rule.labels(tags)
            out.append((rule, fingerprint(labels, ctx.tree.incident_labels(labels)), labels))
    return out


def _group(
    ctx: AlertContext,
    groups: dict[str, AlertGroup],
    fps: dict[tuple[tuple[str, str], ...], str],
    labels: Labels,
    rule: AlertRule,
) -> AlertGroup:
    key = label_key(labels)
    fp = fps.get(key)
    if fp is None:
        fp = fps[key] = fingerprint(labels, ctx.tree.incident_labels(labels))
    group = groups.get(fp)
    if group is None:
        group = groups[fp] = AlertGroup(fp, labels, rule)
    return group


def _surges(s: Session, ctx: AlertContext, now: datetime, result: EvaluationResult) -> None:
    groups: dict[str, AlertGroup] = {}
    fps: dict[tuple[tuple[str, str], ...], str] = {}
    probation = frozenset(probation_ids(s, ctx.config.settings.source_probation_days, now))
    for rule in ctx.rules.surge:
        assert rule.surge is not None
        # the city's own posts only, and none of a source on probation (issue 12)
        where = and_(local_condition(ctx.config), Post.source_id.not_in(probation))
        key = f"local:{gate_on(ctx.config)}:{sorted(local_sources(ctx.config))}:{sorted(probation)}"
        for hit in detect_surges(s, rule, now, where, key):
            labels: Labels = {"rule": rule.name, "severity": rule.severity, **hit.values}
            labels.update(rule.labels)
            group = _group(ctx, groups, fps, labels, rule)
            group.posts.update(hit.posts)
            group.min_new_clusters = max(rule.surge.min_count, math.floor(hit.threshold) + 1)
            result.surges += 1
    attached = attach(s, ctx, list(groups.values()), now)
    result.merged += len(merge_open(s, ctx, now))
    result.incidents_opened += len(attached.opened)
    result.incidents_updated += len(attached.updated)
    result.posts_listed += attached.linked


def _sources(s: Session, ctx: AlertContext, now: datetime, result: EvaluationResult) -> None:
    failing = failing_sources(s)
    result.failing_sources = len(failing)
    groups: dict[str, AlertGroup] = {}
    fps: dict[tuple[tuple[str, str], ...], str] = {}
    live: set[str] = set()
    for rule in ctx.rules.source:
        for src in failing:
            labels: Labels = {"rule": rule.name, "severity": rule.severity, "source": src.name}
            labels.update(rule.labels)
            group = _group(ctx, groups, fps, labels, rule)
            if src.reason:
                group.title_suffix = f"（{src.reason[:80]}）"
            live.add(group.fingerprint)
    attached = attach(s, ctx, list(groups.values()), now)
    result.incidents_opened += len(attached.opened)
    names = [r.name for r in ctx.rules.source]
    q = select(Incident).where(Incident.rule.in_(names), Incident.status != "resolved")
    for inc in list(s.execute(q).scalars()):
        if inc.fingerprint not in live:
            resolve(s, inc.id, SYSTEM_ACTOR, note="采集源已恢复 (source recovered)", now=now)
            result.auto_resolved += 1
