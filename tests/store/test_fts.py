"""The full-text index from words a writer hands over (the crawl's tagger segments each post
anyway): those words are indexed as given, the character pairs that search relies on are the
same, so searches find exactly the posts they found when the index segmented the text itself."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from yuqing.nlp.rules import compile_expression
from yuqing.nlp.segment import get_segmenter
from yuqing.store import fts
from yuqing.store.posts import PostRecord, upsert_posts
from yuqing.store.search import search
from yuqing.store.session import Database

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
POSTS = {
    "blanket": ("烧烤街被关停", "齐齐哈尔市龙沙区烧烤一条街昨天被一刀切全部关停，证照齐全也不行"),
    "knife": ("", "这把菜刀一刀下去就断了，质量太差"),
    "parking": ("通知", "小区门口禁止停车，物业贴了通知"),
    "diner": ("", "梅里斯达斡尔族区餐饮店被一刀切停业整顿，老板很无奈"),
    "county": ("县城", "龙江县城的餐馆反映：手续齐全却被要求集中停产"),
    "latin": ("", "PM2.5 超标，Factory-A 被责令停产"),
    "single": ("", "停"),
}
QUERIES = (
    "一刀切",
    "一刀",
    "关停",
    "停",
    "停产",
    "县城",
    "齐齐哈尔",
    "达斡尔族",
    "一刀切 AND (餐饮 OR 烧烤)",
    "一刀切 NOT 餐饮",
    "pm2.5",
    "ＦＡＣＴＯＲＹ",
    "停 NEAR/3 整顿",
)


def _segmented(title: str, body: str) -> list[str]:
    """The tagger's words for the post (see Tagger.tag_many_with_words)."""
    seg = get_segmenter(["齐齐哈尔市", "梅里斯达斡尔族区", "龙沙区", "龙江县"], hmm=False)
    return seg.search_words(seg.tokens(fts.normalize(fts.document(title, body))))


def _add(db: Database, source: str, words: bool) -> None:
    records = [
        PostRecord(
            source=source,
            url=f"https://example.test/{source}/{key}",
            title=title,
            text=body,
            published_at=NOW,
            content_hash=key,
            external_id=key,
            words=_segmented(title, body) if words else None,
        )
        for key, (title, body) in POSTS.items()
    ]
    with db.session() as s:
        upsert_posts(s, records)


def _found(db: Database, query: str) -> dict[str, set[str]]:
    with db.session() as s:
        result = search(s, compile_expression(query), limit=100)  # type: ignore[arg-type]
    out: dict[str, set[str]] = {}
    for hit in result.hits:
        source, key = hit.url.rsplit("/", 2)[-2:]
        out.setdefault(source, set()).add(key)
    return out


def _word_query(db: Database, word: str) -> set[str]:
    """Posts whose ``words`` hold ``word`` (an analyst's own full-text query)."""
    with db.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            sql = "SELECT p.url FROM posts_fts f JOIN posts p ON p.id = f.post_id "
            sql += "WHERE f.words @@ CAST(:q AS tsquery)"
            rows = conn.execute(text(sql), {"q": f"'{word}'"})
        else:
            sql = "SELECT p.url FROM posts_fts f JOIN posts_fts_map m ON m.fts_rowid = f.rowid "
            sql += "JOIN posts p ON p.id = m.post_id WHERE posts_fts MATCH :q"
            rows = conn.execute(text(sql), {"q": f'words : "{word}"'})
        return {str(u).split("/", 3)[3] for (u,) in rows}


def test_index_from_given_words_finds_the_same_posts(database: Database) -> None:
    """The same posts stored twice: with the tagger's words, and segmented by the index
    itself (the fallback): every search finds the same posts in both."""
    _add(database, "tagged", words=True)
    _add(database, "plain", words=False)
    for query in QUERIES:
        found = _found(database, query)
        assert found.get("tagged") == found.get("plain"), query
    assert _found(database, "一刀切")["tagged"] == {"blanket", "diner"}
    assert _found(database, "停")["tagged"] == {
        "blanket",
        "parking",
        "diner",
        "county",
        "latin",
        "single",
    }


def test_given_words_are_indexed_as_given(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_segmenting(_text: str) -> list[str]:
        raise AssertionError("the index segmented a post whose words were given")

    monkeypatch.setattr(fts, "words", no_segmenting)
    _add(database, "tagged", words=True)
    # names the tagger keeps whole, with the words inside them
    assert _word_query(database, "齐齐哈尔市") == {"tagged/blanket"}
    assert _word_query(database, "齐齐哈尔") == {"tagged/blanket"}
    assert _word_query(database, "梅里斯达斡尔族区") == {"tagged/diner"}
    assert _word_query(database, "pm2") == {"tagged/latin"}  # pieces split into runs


def test_the_index_segments_posts_without_words(database: Database) -> None:
    _add(database, "plain", words=False)
    assert _word_query(database, "一刀切") == {"plain/blanket", "plain/diner"}
    assert _word_query(database, "齐齐哈尔市") == {"plain/blanket"}


def test_tsvector_gets_only_letters_and_digits(database: Database) -> None:
    """Given words go through the index's own tokenizing: no quote reaches a tsvector."""
    record = PostRecord(
        source="odd",
        url="https://example.test/odd/1",
        title="",
        text="it's 一刀切",
        published_at=NOW,
        content_hash="odd",
        words=["it's", " ", "一刀切", "'); DROP TABLE posts; --"],
    )
    with database.session() as s:
        upsert_posts(s, [record])
    assert _word_query(database, "一刀切") == {"odd/1"}
    assert _word_query(database, "drop") == {"odd/1"}
    assert _found(database, "一刀切") == {"odd": {"1"}}


def test_edited_post_gets_the_words_of_its_new_text(database: Database) -> None:
    _add(database, "tagged", words=True)
    edited = PostRecord(
        source="tagged",
        url="https://example.test/tagged/parking",
        title="通知",
        text="停车场被一刀切关停",
        published_at=NOW,
        content_hash="parking2",
        external_id="parking",
        words=_segmented("通知", "停车场被一刀切关停"),
    )
    with database.session() as s:
        upsert_posts(s, [edited])
    assert "tagged/parking" in _word_query(database, "停车场")
    assert "parking" in _found(database, "一刀切")["tagged"]
    assert "parking" not in _found(database, "禁止").get("tagged", set())
