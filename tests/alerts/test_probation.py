"""New sources on probation (issue 12): no department alerts, a 新采集源试运行 digest line, until
an admin confirms the source (CLI or web, audit-logged) or it is old enough."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from tests.alerts.factories import add_posts, blanket, load_config, tags
from tests.conftest import FakeClock
from yuqing.alerts.digest import render_digest
from yuqing.alerts.evaluate import evaluate
from yuqing.app.cli import main
from yuqing.config import Config
from yuqing.store import probation
from yuqing.store.crawl import start_run
from yuqing.store.models import AuditLog, Incident, Source
from yuqing.store.session import Database


def first_crawl(db: Database, name: str, at: datetime) -> None:
    with db.session() as s:
        start_run(s, name, "listing")
        row = s.execute(select(Source).where(Source.name == name)).scalar_one()
        row.first_seen_at = at  # the crawl's clock is the real one; the test's is fake


def incidents(db: Database) -> list[Incident]:
    with db.session() as s:
        return list(s.execute(select(Incident)).scalars())


def test_a_new_source_raises_no_alerts_until_confirmed(
    database: Database, config: Config, clock: FakeClock
) -> None:
    first_crawl(database, "new-site", clock() - timedelta(hours=5))
    add_posts(database, [blanket()], published=clock(), source="new-site")
    result = evaluate(config, database, clock())
    assert result.alerts == 0 and incidents(database) == []
    with database.session() as s:
        assert [p.name for p in probation.on_probation(s, 3, clock())] == ["new-site"]
        assert probation.confirm(s, "new-site", "admin", clock())
        assert not probation.confirm(s, "new-site", "admin", clock())  # once
    add_posts(database, [blanket()], published=clock(), source="new-site")
    result = evaluate(config, database, clock())
    assert result.alerts > 0 and incidents(database)
    with database.session() as s:
        entry = s.execute(select(AuditLog).where(AuditLog.action == "source_confirm")).scalar_one()
        assert (entry.actor, entry.object_type, entry.object_id) == ("admin", "source", "new-site")


def test_probation_ends_after_the_configured_days(
    database: Database, config: Config, clock: FakeClock
) -> None:
    first_crawl(database, "older-site", clock() - timedelta(days=3, minutes=1))
    add_posts(database, [blanket()], published=clock(), source="older-site")
    assert evaluate(config, database, clock()).alerts > 0


def test_probation_days_zero_turns_it_off(
    database: Database, config: Config, clock: FakeClock
) -> None:
    settings = config.settings.model_copy(update={"source_probation_days": 0})
    cfg = config.model_copy(update={"settings": settings})
    first_crawl(database, "new-site", clock())
    add_posts(database, [blanket()], published=clock(), source="new-site")
    assert evaluate(cfg, database, clock()).alerts > 0


def test_sources_never_crawled_by_a_crawl_are_not_on_probation(
    database: Database, config: Config, clock: FakeClock
) -> None:
    """Rows made by imports (or before migration 0004) have no first_seen_at."""
    add_posts(database, [blanket()], published=clock(), source="imported")
    assert evaluate(config, database, clock()).alerts > 0


def test_the_city_digest_lists_sources_on_probation(
    database: Database, config: Config, clock: FakeClock
) -> None:
    now = clock()
    first_crawl(database, "new-site", now - timedelta(hours=2))
    add_posts(database, [blanket()], published=now, source="new-site")
    day = now.astimezone(ZoneInfo(config.settings.timezone)).date()
    digest = render_digest(config, database, "city", day, now=now + timedelta(days=1))
    assert "新采集源试运行" in digest.text
    assert "new-site：首次采集于" in digest.text
    assert "试运行期间不触发部门告警" in digest.text
    assert "新采集源试运行：new-site" in digest.summary
    assert 'data-source="new-site"' in digest.html


def test_cli_confirm(
    database: Database, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:  # fmt: skip
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("YUQING_CONFIG_DIR", raising=False)
    monkeypatch.setenv("YUQING_DATABASE_URL", database.url)
    first_crawl(database, "new-site", datetime.now(UTC))
    assert main(["sources", "confirm", "new-site", "--actor", "zhang"]) == 0
    assert capsys.readouterr().out == "confirmed new-site: its posts now raise department alerts\n"
    assert main(["sources", "confirm", "new-site"]) == 0
    assert capsys.readouterr().out == "new-site was confirmed already\n"
    assert main(["sources", "confirm", "never-crawled"]) == 2
    assert capsys.readouterr().err == (
        "error: source 'never-crawled' has not been crawled yet (confirm it after its first "
        "crawl)\n"
    )
    with database.session() as s:
        row = s.execute(select(Source).where(Source.name == "new-site")).scalar_one()
        assert row.confirmed_by == "zhang"


def test_complaints_of_a_source_on_probation_make_no_surge(
    database: Database, tmp_path: Path, clock: FakeClock
) -> None:
    rules = """
rules:
  - name: surge
    kind: surge
    severity: high
    description: 投诉激增
    surge: {window: 6h, baseline: 2d, k: 2, min_count: 3, by: [district, sector]}
"""
    cfg = load_config(tmp_path, rules=rules)
    complaint = tags(complaint=True, district="龙沙区", sector="urban_management")
    first_crawl(database, "new-site", clock() - timedelta(hours=1))
    add_posts(database, [complaint] * 4, published=clock(), source="new-site")
    assert evaluate(cfg, database, clock()).surges == 0
    with database.session() as s:
        probation.confirm(s, "new-site", "admin", clock())
    assert evaluate(cfg, database, clock()).surges == 1
