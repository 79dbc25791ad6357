"""Full-text search with the keyword language: the index never loses a match, and results
mean exactly what the keyword language means (substrings of Simplified, case-folded text)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest
from sqlalchemy import text

from yuqing.nlp.rules import compile_expression
from yuqing.store import fts
from yuqing.store.posts import PostRecord, TagRecord, upsert_posts, upsert_tags
from yuqing.store.search import fts5_query, required_clauses, search, tsquery, windows
from yuqing.store.session import Database

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)

TEXTS = {
    "blanket": "龙沙区烧烤一条街昨天被一刀切全部关停，证照齐全也不行",
    "knife": "这把菜刀一刀下去就断了，质量太差",  # 一刀 without 一刀切
    "parking": "小区门口禁止停车，物业贴了通知",  # 停 without 关停
    "stop-end": "我们饭店被迫关停",  # 关停 at the very end of the text
    "diner": "餐饮店被一刀切停业整顿，老板很无奈",
    "old": "三个月前的一刀切关停旧闻",
    "latin": "PM2.5 超标，Factory-A 被责令停产",
    "single": "停",  # a one-character post
}


def _add(db: Database, texts: dict[str, str], when: datetime = NOW) -> dict[str, int]:
    records = [
        PostRecord(
            source="test-board",
            url=f"https://example.test/{key}",
            title="",
            text=body,
            published_at=(when - timedelta(days=90)) if key == "old" else when,
            content_hash=key,
            external_id=key,
        )
        for key, body in texts.items()
    ]
    with db.session() as s:
        result = upsert_posts(s, records)
        tag = TagRecord("t", False, 0.1, False, False, 0.1, "life_services", 0.9, "龙沙区", False)
        upsert_tags(s, [(pid, tag) for pid in result.ids])
    return dict(zip(texts, result.ids, strict=True))


def _found(db: Database, query: str, **kw: object) -> set[str]:
    keys = {f"https://example.test/{k}": k for k in TEXTS}
    with db.session() as s:
        result = search(s, compile_expression(query), **kw)  # type: ignore[arg-type]
    return {keys[h.url] for h in result.hits}


@pytest.fixture
def posts(database: Database) -> dict[str, int]:
    return _add(database, TEXTS)


def test_phrase_is_not_its_prefix(database: Database, posts: dict[str, int]) -> None:
    assert _found(database, "一刀切") == {"blanket", "diner", "old"}
    # the keyword language matches substrings: 一刀 is in 一刀切 and in 一刀下去
    assert _found(database, "一刀") == {"blanket", "diner", "old", "knife"}


def test_two_character_term_is_not_its_last_character(
    database: Database, posts: dict[str, int]
) -> None:
    assert _found(database, "关停") == {"blanket", "stop-end", "old"}
    # a single character is found inside words and at the very end of a text
    assert _found(database, "停") == {
        "blanket",
        "stop-end",
        "old",
        "parking",
        "diner",
        "latin",
        "single",
    }


def test_boolean_expression_and_since(database: Database, posts: dict[str, int]) -> None:
    assert _found(database, "一刀切 AND (餐饮 OR 烧烤)") == {"blanket", "diner"}
    assert _found(database, "一刀切 NOT 餐饮") == {"blanket", "old"}
    assert _found(database, "一刀切", since=NOW - timedelta(days=7)) == {"blanket", "diner"}
    assert _found(database, "关停", until=NOW - timedelta(days=7)) == {"old"}


def test_latin_terms_fold_case_and_full_width(database: Database, posts: dict[str, int]) -> None:
    assert _found(database, "pm2.5") == {"latin"}
    assert _found(database, "ＦＡＣＴＯＲＹ") == {"latin"}
    assert _found(database, "m2") == {"latin"}  # inside a run of letters and digits


def test_negative_only_expression_scans(database: Database, posts: dict[str, int]) -> None:
    with database.session() as s:
        result = search(s, compile_expression("NOT 停"))
    assert not result.used_index
    assert {h.url.rsplit("/", 1)[1] for h in result.hits} == {"knife"}


def test_index_used_and_evidence(database: Database, posts: dict[str, int]) -> None:
    with database.session() as s:
        result = search(s, compile_expression("一刀切 AND 烧烤"))
    assert result.used_index
    assert result.candidates == 1  # the index narrowed it to the one post
    (hit,) = result.hits
    assert hit.evidence == ["烧烤", "一刀切"]
    assert "一刀切" in hit.snippet
    assert (hit.sector, hit.district) == ("life_services", "龙沙区")


def test_edited_post_is_reindexed(database: Database, posts: dict[str, int]) -> None:
    _add(database, {"parking": "停车场被一刀切关停"})
    assert "parking" in _found(database, "一刀切")
    _add(database, {"parking": "小区门口禁止停车"})
    assert "parking" not in _found(database, "一刀切")
    assert "parking" in _found(database, "停车")


def test_unchanged_post_is_not_reindexed(database: Database, posts: dict[str, int]) -> None:
    with database.session() as s:
        assert fts.sync_posts(s, posts.values()) == 0


def test_rebuild_indexes_every_post(database: Database, posts: dict[str, int]) -> None:
    with database.engine.begin() as conn:
        assert fts.rebuild(conn) == len(TEXTS)
    assert _found(database, "一刀切") == {"blanket", "diner", "old"}


def test_rebuild_segments_with_the_writers_segmentation(
    database: Database, posts: dict[str, int]
) -> None:
    """`yuqing search --rebuild-index` hands over the tagger's segmentation, so re-indexed
    posts get the words the crawl gave them (not plain jieba's)."""
    seen: list[str] = []

    def segment(norm: str) -> list[str]:
        seen.append(norm)
        return fts.words(norm)

    with database.engine.begin() as conn:
        assert fts.rebuild(conn, segment) == len(TEXTS)
    assert sorted(seen) == sorted(fts.normalize(t) for t in TEXTS.values())
    assert _found(database, "一刀切") == {"blanket", "diner", "old"}


def test_deleted_post_disappears(database: Database, posts: dict[str, int]) -> None:
    with database.session() as s:
        s.execute(text("DELETE FROM post_tags WHERE post_id = :i"), {"i": posts["blanket"]})
        s.execute(text("DELETE FROM posts WHERE id = :i"), {"i": posts["blanket"]})
    assert _found(database, "一刀切") == {"diner", "old"}


def test_required_clauses() -> None:
    assert required_clauses(compile_expression("一刀切 AND (餐饮 OR 烧烤)")) == [
        frozenset({"一刀切", "餐饮"}),
        frozenset({"一刀切", "烧烤"}),
    ]
    assert required_clauses(compile_expression("关停 OR NOT 餐饮")) is None
    assert required_clauses(compile_expression("一刀切 NEAR/5 关停")) == [
        frozenset({"一刀切", "关停"})
    ]


def test_index_queries() -> None:
    clauses = [frozenset({"一刀切", "停"})]
    assert fts5_query(clauses) == '{grams} : (("一刀 刀切" AND "停" *))'
    assert tsquery(clauses) == "('一刀' & '刀切' & '停':*)"
    assert fts5_query([frozenset({"!!"})]) is None  # no letters: the index cannot help


def test_windows_cover_every_post_once_newest_first() -> None:
    """issue 15: the windows searched in turn are disjoint, ordered and cover all posts."""
    newest = NOW
    wins = windows(newest, None)
    assert wins[0] == (NOW - timedelta(days=30), None)
    assert wins[-1][0] is None
    for (lo, _), (_, hi) in pairwise(wins):
        assert lo == hi
    # a `since` inside a window: that window is the last, open below (since filters it)
    assert windows(newest, NOW - timedelta(days=60)) == [
        (NOW - timedelta(days=30), None),
        (None, NOW - timedelta(days=30)),
    ]
    assert windows(None, None) == [(None, None)]


@pytest.mark.parametrize("page", [2, 500])
def test_windowed_search_returns_the_newest_matches_in_order(
    database: Database, monkeypatch: pytest.MonkeyPatch, page: int
) -> None:
    """issue 15: searching the newest window first, then wider ones, returns exactly the
    newest matches of one query over all posts, newest first (ties by id), whatever the
    limit, since, until and max_scan; posts two years back and on window edges included."""
    monkeypatch.setattr("yuqing.store.search.PAGE", page)
    ages = [0, 0, 1, 29, 30, 31, 45, 119, 120, 121, 200, 479, 480, 481, 600, 730]
    records = []
    for i, age in enumerate(ages):
        for kind, body in (("hit", "餐饮店被一刀切停业"), ("miss", "餐饮店正常营业")):
            records.append(
                PostRecord(
                    source="test-board",
                    url=f"https://example.test/{kind}{i}",
                    title="",
                    text=f"{body} 第{i}条",
                    published_at=NOW - timedelta(days=age),
                    content_hash=f"{kind}{i}",
                    external_id=f"{kind}{i}",
                )
            )
    with database.session() as s:
        ids = dict(zip((r.url for r in records), upsert_posts(s, records).ids, strict=True))
    hits = sorted(
        (
            (NOW - timedelta(days=age), ids[f"https://example.test/hit{i}"])
            for i, age in enumerate(ages)
        ),
        reverse=True,
    )
    expr = compile_expression("一刀切 AND (餐饮 OR 烧烤)")
    cases: list[dict[str, object]] = [
        {"limit": 1},
        {"limit": 3},
        {"limit": 7},
        {"limit": 50},
        {"limit": 50, "since": NOW - timedelta(days=100)},
        {"limit": 50, "since": NOW - timedelta(days=600)},
        {"limit": 4, "until": NOW - timedelta(days=100)},
        {"limit": 50, "until": NOW - timedelta(days=481), "since": NOW - timedelta(days=700)},
    ]
    for kw in cases:
        with database.session() as s:
            got = search(s, expr, **kw)  # type: ignore[arg-type]
        since, until = kw.get("since"), kw.get("until")
        want = [
            pid
            for at, pid in hits
            if (since is None or at >= since) and (until is None or at < until)  # type: ignore[operator]
        ][: int(kw["limit"])]  # type: ignore[call-overload]
        assert [h.post_id for h in got.hits] == want, kw
        assert not got.truncated, kw
    # max_scan counts candidates across windows (the index only yields the matches)
    with database.session() as s:
        capped = search(s, expr, limit=50, max_scan=3)
    assert [h.post_id for h in capped.hits] == [pid for _, pid in hits][:3]
    assert capped.truncated and capped.candidates == 3
