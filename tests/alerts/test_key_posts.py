"""Issue 13 item 3: 重点帖文 ranked by severity × reach, one per cluster, replies with their
thread title and never alone."""

from __future__ import annotations

from sqlalchemy import select, update

from tests.alerts.factories import add_posts, blanket
from tests.conftest import FakeClock
from yuqing.alerts.evaluate import evaluate
from yuqing.alerts.key_posts import key_posts, reach, reply_headings
from yuqing.config import Config
from yuqing.store.models import Incident, Notification, Post
from yuqing.store.session import Database

EVIDENCE = {"blanket": ["一刀切", "全部关停"], "features": {"blanket": ["23", "们那"]}}
MATCHED = "昨天龙沙区烧烤一条街被一刀切全部关停，证照齐全也不行。"
CONTEXT_FREE = "同样情况，我们那边也是这样"


def test_issue_13_reach_grows_with_reactions_and_copies() -> None:
    assert reach(None, None, None) == 1.0
    assert reach(9, 0, 0) == 2.0  # tenfold reactions add one
    assert reach(0, 0, 0, copies=4) == 3.0  # each doubling of copies adds one
    assert reach(0, 1, 0) < reach(0, 0, 1)  # a repost weighs more than a reply
    assert reach(-5, None, None) == 1.0


def _incident_posts(database: Database, config: Config, clock: FakeClock) -> tuple[int, list[int]]:
    texts = [MATCHED, MATCHED, MATCHED, CONTEXT_FREE, MATCHED, MATCHED]
    ids = add_posts(
        database,
        [blanket(evidence=EVIDENCE)] * len(texts),
        published=clock(),
        cluster_ids=[1, 2, 2, 3, 4, 5],
        texts=texts,
    )
    evaluate(config, database, clock())
    with database.session() as s:
        inc = s.scalars(select(Incident).where(Incident.rule == "blanket-shutdown")).one()
        return inc.id, ids


def test_issue_13_key_posts_rank_by_severity_times_reach(
    database: Database, config: Config, clock: FakeClock
) -> None:
    inc_id, ids = _incident_posts(database, config, clock)
    with database.session() as s:
        # the last post (newest first otherwise) went viral
        s.execute(update(Post).where(Post.id == ids[5]).values(likes=900, reposts=300))
        s.execute(update(Post).where(Post.id == ids[0]).values(likes=2))
        # posts 1 and 2 are copies of each other (cluster 2): counted once, ranked by both
        s.commit()
        got = key_posts(s, [inc_id], limit=5)[inc_id]
    # reach 4.1 (viral), 2.0 (two copies, the newer shown), 1.5 (two likes), then 1
    assert [p.id for p in got[:3]] == [ids[5], ids[1], ids[0]]
    assert got[1].copies == 2 and ids[2] not in [p.id for p in got]  # one per cluster
    assert got[0].score > got[1].score > got[-1].score
    assert all(p.terms == ["一刀切", "全部关停"] for p in got if p.id != ids[3])
    for p in got:  # model features are never evidence
        assert "23" not in p.terms and "们那" not in p.terms


def test_issue_13_a_context_free_reply_is_never_a_key_post(
    database: Database, config: Config, clock: FakeClock
) -> None:
    inc_id, ids = _incident_posts(database, config, clock)
    with database.session() as s:
        s.execute(update(Post).where(Post.id == ids[0]).values(title="烧烤街全部关停了"))
        # posts 3 (no matched term) and 4 (a matched term) are replies in the thread of post 0
        s.execute(update(Post).where(Post.id.in_([ids[3], ids[4]])).values(parent_id=ids[0]))
        s.execute(update(Post).where(Post.id == ids[3]).values(likes=10_000, reposts=5_000))
        s.commit()
        got = {p.id: p for p in key_posts(s, [inc_id], limit=5)[inc_id]}
        headings = reply_headings(s, ids)
    assert ids[3] not in got  # 同样情况，我们那边也是这样: viral, but meaningless alone
    reply = got[ids[4]]
    assert reply.is_reply and reply.heading == "回复：烧烤街全部关停了"
    assert reply.thread_url == "https://demo.example/posts/" + str(_external(database, ids[0]))
    assert got[ids[0]].heading == "烧烤街全部关停了"
    assert headings == {
        ids[3]: ("回复：烧烤街全部关停了", reply.thread_url),
        ids[4]: ("回复：烧烤街全部关停了", reply.thread_url),
    }


def _external(database: Database, post_id: int) -> str:
    with database.session() as s:
        return str(s.get(Post, post_id).external_id)  # type: ignore[union-attr]


def test_issue_13_alert_payload_lists_key_posts_with_reach_and_thread(
    database: Database, config: Config, clock: FakeClock
) -> None:
    ids = add_posts(
        database,
        [blanket(evidence=EVIDENCE)] * 3,
        published=clock(),
        cluster_ids=[1, 2, 3],
        texts=[MATCHED, MATCHED, CONTEXT_FREE],
    )
    with database.session() as s:
        s.execute(update(Post).where(Post.id == ids[1]).values(parent_id=ids[0], replies=40))
        s.execute(update(Post).where(Post.id == ids[2]).values(parent_id=ids[0]))
        s.commit()
    evaluate(config, database, clock())
    with database.session() as s:
        payload = s.execute(
            select(Notification.payload).where(Notification.department_code == "lsq")
        ).scalar_one()
    posts = payload["posts"]
    assert [p["id"] for p in posts] == [ids[1], ids[0]]  # the reply with 40 replies leads
    assert posts[0]["title"].startswith("回复：帖子")
    assert posts[0]["thread_url"] == posts[1]["url"]
    assert posts[0]["replies"] == 40 and posts[0]["copies"] == 1
    assert posts[0]["evidence"] == ["一刀切", "全部关停"]
    assert "一刀切" in posts[0]["snippet"] and len(posts[0]["snippet"]) <= 82
