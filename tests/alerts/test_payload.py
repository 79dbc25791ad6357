"""The outbox payload: exactly the facts of the contract (notes/alerts-contract.md)."""

from __future__ import annotations

from sqlalchemy import select

from tests.alerts.factories import add_posts, blanket
from tests.conftest import FakeClock
from yuqing.alerts.evaluate import evaluate
from yuqing.config import Config
from yuqing.store.models import Notification
from yuqing.store.session import Database

INCIDENT_KEYS = {
    "id", "rule", "rule_description", "severity", "status", "district", "sector", "sector_name",
    "title", "post_count", "first_post_at", "last_post_at", "opened_at", "due_at",
    "acknowledged_by", "acknowledged_at", "resolved_by", "resolved_at", "resolution", "outcome",
    "url",
}  # fmt: skip
POST_KEYS = {
    "id", "title", "url", "source", "published_at", "snippet", "evidence", "shutdown_score",
    "complaint_score", "source_title", "policy_hits",
    # issue 13: the reach behind the ranking, and a reply's thread
    "thread_url", "likes", "replies", "reposts", "copies", "score",
}  # fmt: skip


def test_firing_payload_matches_the_contract(
    database: Database, config: Config, clock: FakeClock
) -> None:
    long_text = (
        "前情" * 200 + "昨天龙沙区烧烤一条街被一刀切全部关停，证照齐全也不行。" + "后话" * 200
    )
    add_posts(
        database,
        [blanket(evidence={"blanket": ["一刀切", "全部关停"], "licensed": [["证照齐全", 0.9]]})]
        * 7,
        published=clock(),
        cluster_ids=[1, 1, 2, 3, 4, 5, 6],
        texts=[long_text] * 7,
    )
    evaluate(config, database, clock())
    with database.session() as s:
        payload = s.execute(
            select(Notification.payload).where(Notification.department_code == "lsq")
        ).scalar_one()
    assert set(payload) == {
        "kind", "sequence", "idempotency_key", "created_at", "incident", "department", "labels",
        "route", "route_text", "escalation", "posts", "policy",
    }  # fmt: skip
    inc = payload["incident"]
    assert set(inc) == INCIDENT_KEYS
    assert (payload["kind"], payload["sequence"], payload["escalation"]) == ("firing", 1, None)
    assert payload["idempotency_key"] == f"inc-{inc['id']}/lsq/firing/1/email#0"
    assert payload["created_at"] == "2026-11-27T17:00:00+08:00"  # settings.timezone
    assert payload["department"] == {"code": "lsq", "name": "龙沙区人民政府"}
    assert payload["route"] == "routes[4]"
    # issue 13: 分派依据 as stored when the incident was routed, not the path's position
    assert payload["route_text"] == "按「区县为龙沙区」分派"
    assert payload["labels"]["rule"] == "blanket-shutdown"
    assert inc["rule_description"] == "一刀切式关停（集中、突然或波及证照齐全的企业）"
    assert (inc["sector_name"], inc["post_count"], inc["status"]) == ("生活服务业", 6, "open")
    assert inc["due_at"] == "2026-11-27T19:00:00+08:00"
    assert inc["url"] == f"http://127.0.0.1:8000/incidents/{inc['id']}"
    posts = payload["posts"]
    assert len(posts) == 5  # top five, one per repost cluster
    assert all(set(p) == POST_KEYS for p in posts)
    assert posts[0]["evidence"] == ["一刀切", "全部关停", "证照齐全"]
    assert posts[0]["source"] == "demo-board"
    # issue 13: the source title without its remark (「（JSON 接口，…）」), as pages show it
    assert posts[0]["source_title"] == "演示·网上群众留言板"
    # issue 13: an ~80-character snippet centred on the first matched term
    assert len(posts[0]["snippet"]) <= 82 and "一刀切" in posts[0]["snippet"]
    # issue 13: the notice and the clause matched, found in the post's full text
    assert posts[0]["policy_hits"] == ["一刀切", "全部关停", "证照齐全"]
    policy = payload["policy"]
    assert policy["notice"]["title"] == "齐齐哈尔市坚决禁止生态环境保护问题整改“一刀切”"
    assert (policy["clause"]["code"], policy["phrase"]) == ("life-services", "证照齐全")
    assert policy["guidance"][0].startswith("核实情况")
