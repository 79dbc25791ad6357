"""The analysts' views: the same columns on every backend, and the numbers they promise."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, text

from yuqing.store import views
from yuqing.store.models import Incident, IncidentDepartment
from yuqing.store.posts import PostRecord, TagRecord, upsert_posts, upsert_tags
from yuqing.store.session import Database

COLUMNS = {
    "v_posts": [
        "post_id",
        "source",
        "url",
        "title",
        "text",
        "author_hash",
        "published_at",
        "published_day",
        "fetched_at",
        "cluster_id",
        "parent_id",
        "likes",
        "replies",
        "reposts",
        "tagged",
        "model_version",
        "shutdown",
        "shutdown_score",
        "blanket",
        "blanket_score",
        "complaint",
        "complaint_score",
        "sector",
        "sector_score",
        "district",
        "district_match",
        "licensed",
        "licensed_score",
        "tagged_at",
    ],
    "v_incidents": [
        "incident_id",
        "rule",
        "severity",
        "status",
        "title",
        "district",
        "sector",
        "post_count",
        "first_post_at",
        "last_post_at",
        "opened_at",
        "opened_day",
        "due_at",
        "acknowledged_at",
        "acknowledged_by",
        "assigned_to",
        "resolved_at",
        "resolved_by",
        "resolution",
        "escalation_level",
        "escalated_at",
        "minutes_to_acknowledge",
        "minutes_to_resolve",
        "overdue",
        "departments",
        "merged_into",  # issue 13 (migration 0012): columns are only appended
        "merged_at",
    ],
    "v_incident_departments": [
        "incident_id",
        "department_code",
        "department_name",
        "route",
        "first_notified_at",
        "last_notified_at",
        "notified_count",
        "rule",
        "severity",
        "status",
        "district",
        "sector",
        "opened_at",
        "opened_day",
        "due_at",
        "acknowledged_at",
        "resolved_at",
        "merged_into",
    ],
    "v_daily_counts": [
        "day",
        "sector",
        "district",
        "posts",
        "shutdown",
        "blanket",
        "complaint",
        "licensed",
        "untagged",
    ],
}

# 2026-11-26 17:30 UTC is 2026-11-27 01:30 in China: the day boundary is local.
T0 = datetime(2026, 11, 26, 17, 30, tzinfo=UTC)


def _tag(
    shutdown: bool, blanket: bool, complaint: bool, sector: str, district: str | None
) -> TagRecord:
    return TagRecord("m1", shutdown, 0.9, blanket, complaint, 0.8, sector, 0.7, district, False)


def _seed(db: Database) -> None:
    rows = [
        ("a", T0, _tag(True, True, True, "life_services", "龙沙区")),
        ("b", T0 + timedelta(hours=1), _tag(True, False, False, "life_services", "龙沙区")),
        ("c", T0 + timedelta(hours=2), _tag(False, False, True, "construction", None)),
        ("d", T0 - timedelta(hours=2), _tag(False, False, True, "life_services", "龙沙区")),
        ("e", T0, None),
    ]
    with db.session() as s:
        ids = upsert_posts(
            s,
            [
                PostRecord("board", f"https://x.test/{k}", k, "正文", when, k, external_id=k)
                for k, when, _ in rows
            ],
        ).ids
        upsert_tags(s, [(pid, tag) for pid, (_, _, tag) in zip(ids, rows, strict=True) if tag])
        inc = Incident(
            fingerprint="f1",
            rule="blanket-shutdown",
            severity="high",
            district="龙沙区",
            sector="life_services",
            title="龙沙区 一刀切",
            opened_at=T0,
            due_at=T0 + timedelta(hours=2),
            acknowledged_at=T0 + timedelta(hours=3),
            acknowledged_by="张三",
            status="acknowledged",
        )
        s.add(inc)
        s.flush()
        s.add_all(
            [
                IncidentDepartment(incident_id=inc.id, department_code="xfj", route="routes[3]"),
                IncidentDepartment(incident_id=inc.id, department_code="lsq", route="routes[4]"),
            ]
        )


def test_views_have_the_documented_columns(database: Database) -> None:
    with database.engine.connect() as conn:
        for view, expected in COLUMNS.items():
            assert views.columns(conn, view) == expected, view
    assert set(COLUMNS) == set(views.VIEWS)


def test_daily_counts_use_the_local_day(database: Database) -> None:
    _seed(database)
    with database.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT day, sector, district, posts, shutdown, blanket, complaint, untagged "
                "FROM v_daily_counts WHERE day >= '2026-11-27' ORDER BY sector, district"
            )
        ).all()
    got = [(str(r[0]), *r[1:]) for r in rows]
    assert got == [
        ("2026-11-27", "", "", 1, 0, 0, 0, 1),
        ("2026-11-27", "construction", "", 1, 0, 0, 1, 0),
        ("2026-11-27", "life_services", "龙沙区", 2, 2, 1, 1, 0),
    ]


def test_posts_view_flags_are_integers(database: Database) -> None:
    _seed(database)
    with database.engine.connect() as conn:
        rows = conn.execute(
            text("SELECT title, tagged, shutdown, blanket, complaint FROM v_posts ORDER BY title")
        ).all()
    assert [tuple(r) for r in rows] == [
        ("a", 1, 1, 1, 1),
        ("b", 1, 1, 0, 0),
        ("c", 1, 0, 0, 1),
        ("d", 1, 0, 0, 1),
        ("e", 0, None, None, None),
    ]


def test_incident_views(database: Database) -> None:
    _seed(database)
    with database.engine.connect() as conn:
        inc = conn.execute(
            text("SELECT opened_day, minutes_to_acknowledge, overdue, departments FROM v_incidents")
        ).one()
        routed = conn.execute(
            text("SELECT department_code, route FROM v_incident_departments ORDER BY 1")
        ).all()
    assert str(inc[0]) == "2026-11-27"
    assert round(inc[1]) == 180  # acknowledged three hours after opening
    assert inc[2] == 1  # ...one hour after its due time
    assert inc[3] == "lsq,xfj"
    assert [tuple(r) for r in routed] == [("lsq", "routes[4]"), ("xfj", "routes[3]")]


def _rollup_matches_live(db: Database) -> list[tuple[object, ...]]:
    from yuqing.store.rollup import live_counts

    cols = "day, sector, district, posts, shutdown, blanket, complaint, licensed, untagged"
    with db.engine.connect() as conn:
        kept = conn.execute(text(f"SELECT {cols} FROM v_daily_counts ORDER BY 1, 2, 3")).all()
        live = conn.execute(
            text(f"SELECT {cols} FROM ({live_counts(db.dialect)}) AS l ORDER BY 1, 2, 3")
        ).all()
    assert [tuple(r) for r in kept] == [tuple(r) for r in live]
    return [tuple(r) for r in kept]


def test_daily_counts_follow_every_write(database: Database) -> None:
    """Regression guard for the trigger-kept daily_counts: inserts, re-crawls, retagging, tag
    deletion (retention deletes tags first) and post deletion (cascade) all keep it equal to
    counting the posts."""
    _seed(database)
    _rollup_matches_live(database)
    with database.session() as s:  # re-crawl: same key, new text; and retag a into construction
        again = PostRecord(
            "board", "https://x.test/a", "a", "改过的正文", T0, "a2", external_id="a"
        )
        ids = upsert_posts(s, [again]).ids
        upsert_tags(s, [(ids[0], _tag(False, False, True, "construction", "建华区"))])
    rows = _rollup_matches_live(database)
    assert ("construction", "建华区", 1) in [(r[1], r[2], r[3]) for r in rows]
    with database.session() as s:  # retention's order: tags first, then the post
        s.execute(text("DELETE FROM post_tags WHERE post_id = :i"), {"i": ids[0]})
    _rollup_matches_live(database)
    with database.session() as s:
        s.execute(text("DELETE FROM posts WHERE id = :i"), {"i": ids[0]})
    _rollup_matches_live(database)
    with database.session() as s:  # a tagged post deleted directly (tags go by cascade)
        s.execute(text("DELETE FROM posts WHERE title = 'b'"))
    rows = _rollup_matches_live(database)
    assert sum(int(r[3]) for r in rows) == 3  # c, d, e are left


def test_retention_purge_keeps_daily_counts(database: Database) -> None:
    from yuqing.store.retention import purge

    _seed(database)
    purge(database, retention_days=1, now=T0 + timedelta(days=1, minutes=30))
    rows = _rollup_matches_live(database)
    assert sum(int(r[3]) for r in rows) == 2  # b and c, published after the cutoff (T0 + 30 min)


def test_incident_views_show_merged_incidents(database: Database) -> None:
    """issue 13: an incident merged into a higher one reads ``resolved`` with ``merged_into``
    set, so ``WHERE merged_into IS NULL`` counts each event once."""
    _seed(database)
    with database.session() as s:
        high = s.scalar(select(Incident))
        assert high is not None
        low = Incident(
            fingerprint="low",
            rule="shutdown-report",
            severity="medium",
            labels={},
            status="resolved",
            district="龙沙区",
            sector="life_services",
            opened_at=T0,
            updated_at=T0,
            resolved_at=T0 + timedelta(hours=1),
            resolution="已并入 #1",
            merged_into=high.id,
            merged_at=T0 + timedelta(hours=1),
        )
        s.add(low)
        s.flush()
        s.add(IncidentDepartment(incident_id=low.id, department_code="lsq", route="routes[4]"))
        high_id, low_id = high.id, low.id
    with database.engine.connect() as conn:
        rows = conn.execute(
            text("SELECT incident_id, status, merged_into FROM v_incidents ORDER BY 1")
        ).all()
        events = conn.execute(
            text("SELECT count(*) FROM v_incidents WHERE merged_into IS NULL")
        ).scalar_one()
        routed = conn.execute(
            text(
                "SELECT incident_id, merged_into FROM v_incident_departments "
                "WHERE department_code = 'lsq' ORDER BY 1"
            )
        ).all()
    assert [tuple(r) for r in rows] == [
        (high_id, "acknowledged", None),
        (low_id, "resolved", high_id),
    ]
    assert events == 1
    assert [tuple(r) for r in routed] == [(high_id, None), (low_id, high_id)]
