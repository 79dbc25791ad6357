"""`yuqing demo` and probation (issue 12): the demo confirms the demo site's own sources, so
its first crawl raises alerts; other sources keep their probation."""

from __future__ import annotations

from sqlalchemy import select

from yuqing.app.commands.demo_cmd import DEMO_ACTOR, confirm_demo_sources
from yuqing.config import Config
from yuqing.store import probation
from yuqing.store.crawl import start_run
from yuqing.store.models import AuditLog, Source
from yuqing.store.session import Database


def test_the_demo_confirms_only_the_demo_sites_sources(database: Database, config: Config) -> None:
    enabled_demo = [s.name for s in config.sources.sources if s.enabled and s.uses_demo]
    assert confirm_demo_sources(config, database) == enabled_demo
    assert confirm_demo_sources(config, database) == []  # once
    with database.session() as s:
        for name in enabled_demo:
            start_run(s, name, "jsonapi")  # the first crawl records first_seen_at
        start_run(s, "qqhr-mayor-mailbox", "listing")
        on = [p.name for p in probation.on_probation(s, 3)]
        assert on == ["qqhr-mayor-mailbox"]
        actors = set(
            s.execute(select(AuditLog.actor).where(AuditLog.action == "source_confirm")).scalars()
        )
        assert actors == {DEMO_ACTOR}
        board = s.execute(select(Source).where(Source.name == "demo-board")).scalar_one()
        assert board.confirmed_by == DEMO_ACTOR and board.first_seen_at is not None
