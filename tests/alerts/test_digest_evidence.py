"""Issue 13 item 3 in digests: 证据 lists matched terms only (never the model's fragments such
as ``23、34、45`` or ``们那、是这``), 重点帖文 are ranked by severity × reach, replies carry their
thread's title and a context-free reply is never one."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import lxml.html
from sqlalchemy import update

from yuqing.alerts.digest import render_digest
from yuqing.alerts.digest_data import _flagged_posts, period_for
from yuqing.config import Config
from yuqing.store.models import Incident, IncidentDepartment, IncidentPost, Post
from yuqing.store.posts import PostRecord, TagRecord, upsert_posts, upsert_tags
from yuqing.store.session import Database

DAY = date(2026, 11, 27)
NOW = datetime(2026, 11, 27, 16, tzinfo=UTC)
FEATURES = {"shutdown": ["23", "34", "45"], "complaint": ["们那", "是这", "说是"]}


def _tag(evidence: dict[str, object], complaint: bool = False) -> TagRecord:
    return TagRecord(
        "m1",
        True,
        0.9,
        False,
        complaint,
        0.8 if complaint else 0.1,
        "life_services",
        0.9,
        "龙沙区",
        False,
        evidence=evidence,
    )


def _seed(db: Database) -> dict[str, int]:
    when = datetime(2026, 11, 27, 2, tzinfo=UTC)
    posts = [
        (
            "thread",
            "龙沙区烧烤街全部停业",
            "整条街都停业了，说是先停再说。",
            {"shutdown": ["停业"]},
        ),
        ("quiet", "洗车店停业整顿", "洗车店停业整顿，说是23号恢复。", {"shutdown": ["停业整顿"]}),
        ("viral", "饭店被关停", "龙沙区饭店被关停，大家都在转。", {"shutdown": ["关停"]}),
        ("alone", "", "同样情况，我们那边也是这样", {}),
        ("reply", "", "我们那边的烧烤店也被关停了，说是先停再说。", {"shutdown": ["关停"]}),
    ]
    with db.session() as s:
        ids = upsert_posts(
            s,
            [
                PostRecord(
                    "demo-board",
                    f"https://bbs.example.cn/{key}",
                    title,
                    text,
                    when + timedelta(minutes=n),
                    key,
                    external_id=key,
                )
                for n, (key, title, text, _ev) in enumerate(posts)
            ],
        ).ids
        upsert_tags(
            s,
            [
                (pid, _tag({**ev, "features": FEATURES}, complaint=key == "alone"))
                for pid, (key, *_rest, ev) in zip(ids, posts, strict=True)
            ],
        )
        by_key = {key: pid for pid, (key, *_) in zip(ids, posts, strict=True)}
        s.execute(update(Post).where(Post.id == by_key["viral"]).values(likes=500, reposts=200))
        s.execute(
            update(Post)
            .where(Post.id.in_([by_key["alone"], by_key["reply"]]))
            .values(parent_id=by_key["thread"])
        )
        s.execute(update(Post).where(Post.id == by_key["alone"]).values(likes=9999))
        inc = Incident(
            fingerprint="e1",
            rule="shutdown-report",
            severity="medium",
            district="龙沙区",
            sector="life_services",
            title="龙沙区 生活服务业 关停报告",
            post_count=2,
            opened_at=when + timedelta(hours=1),
            due_at=when + timedelta(hours=3),
        )
        s.add(inc)
        s.flush()
        s.add_all(IncidentPost(incident_id=inc.id, post_id=by_key[k]) for k in ("alone", "quiet"))
        s.add(IncidentDepartment(incident_id=inc.id, department_code="lsq"))
        by_key["incident"] = inc.id
        s.commit()
    return by_key


def test_issue_13_digest_key_posts_rank_by_reach_and_show_matched_terms(
    config: Config, sqlite_database: Database
) -> None:
    ids = _seed(sqlite_database)
    with sqlite_database.session() as s:
        rows = _flagged_posts(s, period_for(DAY, "daily", config.settings.timezone))
    order = [r.id for r in rows if r.key]
    assert order[0] == ids["viral"]  # the same severity, the widest reach
    by_id = {r.id: r for r in rows}
    assert by_id[ids["quiet"]].evidence == ["停业整顿"]  # not 23 (in the text, a feature)
    assert by_id[ids["reply"]].heading == "回复：龙沙区烧烤街全部停业"
    assert not by_id[ids["alone"]].key and by_id[ids["reply"]].key

    r = render_digest(config, sqlite_database, "city", DAY, now=NOW)
    page = lxml.html.document_fromstring(r.html)
    items = [li.text_content() for li in page.cssselect("#posts li")]
    assert "饭店被关停" in items[0]
    assert any("回复：龙沙区烧烤街全部停业" in i for i in items)
    assert not any("同样情况" in i for i in items)  # a context-free reply is no key post
    assert "（无标题）" not in r.html
    for fragment in ("23、34", "们那", "是这", "说是"):
        assert not any(f"证据：{fragment}" in i or f"、{fragment}" in i for i in items), fragment
    assert "证据：关停" in r.text and "证据：停业整顿" in r.text


def test_issue_13_digest_incident_rows_have_a_snippet_of_their_key_post(
    config: Config, sqlite_database: Database
) -> None:
    ids = _seed(sqlite_database)
    r = render_digest(config, sqlite_database, "city", DAY, now=NOW)
    page = lxml.html.document_fromstring(r.html)
    row = page.cssselect(f'tr[data-incident="{ids["incident"]}"]')[0]
    # its key post is the one with a matched term, not the context-free reply
    assert [m.text for m in row.cssselect("mark")] == ["停业整顿"]
    assert "同样情况" not in row.text_content()
    assert "摘要：洗车店停业整顿，说是23号恢复。" in r.text
