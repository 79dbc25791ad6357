"""issue 15: the rescan window re-reads the last two minutes of tags, but rows this process
has already evaluated (same tag row, same tagged_at) are not evaluated again; tags that
changed, rows committed late, another process and another configuration are."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from tests.alerts.factories import add_posts, blanket, retag
from tests.conftest import FakeClock
from yuqing.alerts.evaluate import evaluate
from yuqing.config import Config, load
from yuqing.store.models import Incident, IncidentPost, PostTag
from yuqing.store.session import Database


def _listed(db: Database) -> list[tuple[str | None, int]]:
    with db.session() as s:
        q = (
            select(Incident.district, IncidentPost.post_id)
            .join(IncidentPost, IncidentPost.incident_id == Incident.id)
            .where(Incident.rule == "blanket-shutdown")
            .order_by(IncidentPost.post_id)
        )
        return [(d, p) for d, p in s.execute(q)]


def test_issue_15_rescan_skips_rows_evaluated_before_by_this_process(
    database: Database, config: Config, clock: FakeClock
) -> None:
    ids = add_posts(database, [blanket()] * 3, published=clock())
    first = evaluate(config, database, clock())
    assert (first.posts_scanned, first.rescan_skipped) == (3, 0)
    listed = _listed(database)
    assert [p for _, p in listed] == sorted(ids)
    again = evaluate(config, database, clock())
    assert (again.posts_scanned, again.rescan_skipped) == (0, 3)
    assert _listed(database) == listed
    # a new post: only it is evaluated, the three are skipped
    new = add_posts(database, [blanket()], published=clock())
    third = evaluate(config, database, clock())
    assert (third.posts_scanned, third.rescan_skipped) == (1, 3)
    assert [p for _, p in _listed(database)] == sorted([*ids, *new])


def test_issue_15_changed_tags_in_the_rescan_window_are_evaluated_again(
    database: Database, config: Config, clock: FakeClock
) -> None:
    ids = add_posts(database, [blanket()] * 2, published=clock())
    evaluate(config, database, clock())
    with database.session() as s:
        before = s.execute(select(PostTag.tagged_at).where(PostTag.post_id == ids[0])).scalar_one()
    # retagged, committed late: its tagged_at is inside the window, before the cursor
    retag(database, ids[:1], [blanket(district="建华区")])
    with database.session() as s:
        row = s.execute(select(PostTag).where(PostTag.post_id == ids[0])).scalar_one()
        row.tagged_at = before - timedelta(seconds=1)
    result = evaluate(config, database, clock())
    assert (result.posts_scanned, result.rescan_skipped) == (1, 1)
    assert ("建华区", ids[0]) in _listed(database)


def test_issue_15_another_process_or_configuration_evaluates_the_whole_window(
    database: Database, config: Config, clock: FakeClock, tmp_path: Path
) -> None:
    add_posts(database, [blanket()] * 2, published=clock())
    evaluate(config, database, clock())
    listed = _listed(database)
    # a standby scheduler taking over has seen nothing: the window again, nothing twice
    other = Database(database.engine.url.render_as_string(hide_password=False))
    try:
        result = evaluate(config, other, clock())
        assert (result.posts_scanned, result.rescan_skipped) == (2, 0)
        assert _listed(other) == listed
    finally:
        other.dispose()
    changed = load(overrides={"data_dir": str(tmp_path / "other")}, env={})
    result = evaluate(changed, database, clock())
    assert (result.posts_scanned, result.rescan_skipped) == (2, 0)
    assert evaluate(changed, database, clock()).rescan_skipped == 2
