"""Issue 11 item 4: alerts only for the city's own posts (the locality gate).

A post opens an incident only when it names a place of the gazetteer (a district), the city
itself (齐齐哈尔/齐市/鹤城: ``city_match``) or comes from a source declared ``local: true``;
other posts are stored and tagged but never alerted, are not counted in surges, and digests
count them apart (其他地区).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from tests.alerts.factories import add_posts, load_config, tags
from tests.conftest import FakeClock
from yuqing.alerts.digest import render_digest
from yuqing.alerts.evaluate import evaluate
from yuqing.alerts.locality import decide
from yuqing.config import Config, load
from yuqing.config.gazetteer import shipped
from yuqing.nlp.gazetteer import GazetteerMatcher
from yuqing.store.models import Incident, IncidentPost, Post, PostTag
from yuqing.store.session import Database

NATIONAL = "demo-weibo"  # a search over a national feed: not local
LOCAL = "demo-board"  # the city's own message board: local: true


def incidents(db: Database) -> list[Incident]:
    with db.session() as s:
        return list(s.execute(select(Incident).order_by(Incident.id)).scalars())


def test_the_demo_boards_are_local_and_the_weibo_search_is_not(config: Config) -> None:
    local = {s.name for s in config.sources.sources if s.local}
    assert {"demo-board", "demo-forum", "demo-news", "demo-county"} <= local
    assert "demo-weibo" not in local and "weibo-search" not in local


def test_matcher_finds_the_citys_own_names_that_resolve_to_no_district() -> None:
    m = GazetteerMatcher(shipped())
    assert m.match("", "齐市的烧烤店都关了") is None  # no district …
    assert m.locate("", "齐市的烧烤店都关了")[1] == "齐市"  # … but about the city
    assert m.locate("", "齊齊哈爾的烧烤店")[1] == "齊齊哈爾"  # as it reads in the text
    assert m.locate("", "哈尔滨的烧烤店都关了")[1] is None


def test_post_about_another_city_is_stored_but_opens_no_incident(
    database: Database, config: Config, clock: FakeClock
) -> None:
    """Issue 11: a national forum's posts opened incidents; now only the city's own do."""
    [pid] = add_posts(
        database, [tags(shutdown=True, blanket=True)], published=clock(), source=NATIONAL
    )
    result = evaluate(config, database, clock())
    assert result.not_local == 1 and result.alerts == 0
    assert incidents(database) == []
    with database.session() as s:  # stored and tagged, just not alerted
        assert s.get(Post, pid) is not None
        assert s.scalar(select(PostTag.shutdown).where(PostTag.post_id == pid)) is True


def test_post_naming_a_district_alerts_whatever_its_source(
    database: Database, config: Config, clock: FakeClock
) -> None:
    add_posts(
        database,
        [tags(shutdown=True, blanket=True, district="龙沙区", sector="life_services")],
        published=clock(),
        source=NATIONAL,
    )
    result = evaluate(config, database, clock())
    assert result.not_local == 0
    # one incident for the event: the blanket shutdown outranks the plain report (issue 13)
    assert {i.rule for i in incidents(database)} == {"blanket-shutdown"}


def test_post_naming_only_the_city_alerts(
    database: Database, config: Config, clock: FakeClock
) -> None:
    record = replace(tags(shutdown=True), city_match="齐市")
    add_posts(database, [record], published=clock(), source=NATIONAL)
    evaluate(config, database, clock())
    assert [i.rule for i in incidents(database)] == ["shutdown-report"]


def test_post_of_a_local_source_alerts_without_a_place_name(
    database: Database, config: Config, clock: FakeClock
) -> None:
    add_posts(database, [tags(shutdown=True)], published=clock(), source=LOCAL)
    evaluate(config, database, clock())
    assert [i.rule for i in incidents(database)] == ["shutdown-report"]


def test_the_gate_can_be_turned_off(database: Database, tmp_path: Path, clock: FakeClock) -> None:
    cfg = load_config(tmp_path, settings="locality:\n  enabled: false\n")
    add_posts(database, [tags(shutdown=True)], published=clock(), source=NATIONAL)
    result = evaluate(cfg, database, clock())
    assert result.not_local == 0
    assert [i.rule for i in incidents(database)] == ["shutdown-report"]


def test_locality_reasons_name_what_decided(config: Config) -> None:
    assert decide(config, "龙沙区", None, NATIONAL).why_zh == "本地：提及龙沙区的地名"
    assert decide(config, None, "鹤城", NATIONAL).why_zh == "本地：提及本市（“鹤城”）"
    # issue 13: the source by its title, not its name
    assert decide(config, None, None, LOCAL).why_zh == "本地：来自本地信源（演示·网上群众留言板）"
    other = decide(config, None, None, NATIONAL)
    assert not other.local
    assert other.why_zh.startswith("其他地区：未提及本市区县、乡镇、街道或市名")


SURGE = """
rules:
  - name: surge
    kind: surge
    severity: high
    description: 投诉激增
    surge: {window: 6h, baseline: 2d, k: 2, min_count: 3, by: [district, sector]}
"""


def _surge_history(db: Database, clock: FakeClock, source: str) -> None:
    for hours in range(6, 54, 6):
        add_posts(
            db,
            [tags(complaint=True, sector="urban_management")],
            published=clock() - timedelta(hours=hours, minutes=30),
            source=source,
        )


def test_surges_count_only_the_citys_own_posts(
    database: Database, tmp_path: Path, clock: FakeClock
) -> None:
    """Issue 11: 13 posts of a national forum made a high-severity surge."""
    cfg = load_config(tmp_path, rules=SURGE)
    _surge_history(database, clock, NATIONAL)
    add_posts(
        database,
        [tags(complaint=True, sector="urban_management")] * 6,
        published=clock(),
        source=NATIONAL,
    )
    assert evaluate(cfg, database, clock()).surges == 0
    # the same burst on the city's own board is a surge
    add_posts(
        database,
        [tags(complaint=True, sector="urban_management")] * 6,
        published=clock(),
        source=LOCAL,
    )
    result = evaluate(cfg, database, clock())
    assert result.surges == 1
    [inc] = [i for i in incidents(database) if i.rule == "surge"]
    with database.session() as s:
        listed = s.scalar(
            select(func.count())
            .select_from(IncidentPost)
            .join(Post, Post.id == IncidentPost.post_id)
            .where(IncidentPost.incident_id == inc.id)
        )
    assert listed == 6  # the national posts are not listed in it


def test_digest_counts_other_places_apart(
    database: Database, config: Config, clock: FakeClock
) -> None:
    """Issue 11: digests count posts about other places apart (其他地区)."""
    day = clock().date()
    at = clock() - timedelta(hours=2)
    add_posts(database, [tags(complaint=True, district="龙沙区")], published=at, source=NATIONAL)
    add_posts(database, [tags(complaint=True)] * 3, published=at, source=NATIONAL)
    r = render_digest(config, database, "city", day, now=clock() + timedelta(days=1))
    assert "其他地区帖文（不计入以上各项，不预警）：3" in r.text
    assert "  帖文：1" in r.text and "  群众投诉：1" in r.text


def test_shipped_config_has_the_gate_on() -> None:
    cfg = load(env={})
    assert cfg.settings.locality.enabled is True
