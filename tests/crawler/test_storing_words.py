"""The store stage indexes the tagger's words (crawler/storing.py, tagging.py): posts tagged in
the batch are not segmented a second time by the full-text index, searches find what they
found before, and posts without the tagger still get their words (the index segments them)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from tests.conftest import TaggerBuild, copy_models
from yuqing.config import Config
from yuqing.crawler.items import PostItem
from yuqing.crawler.storing import StoreState, write_batch
from yuqing.crawler.tagging import TagStage
from yuqing.nlp.rules import compile_expression
from yuqing.store import fts
from yuqing.store.search import search
from yuqing.store.session import Database

POSTS = (
    ("烧烤街被关停", "齐齐哈尔市龙沙区烧烤一条街昨天被一刀切全部关停，证照齐全也不行"),
    ("", "梅里斯达斡尔族区的养殖场被先停再说，手续齐全也没用"),
    ("县城餐馆", "龙江县城的餐馆反映：手续齐全却被要求集中停产"),
    ("通知", "小区门口禁止停车，物业贴了通知"),
    ("長帖", "這裡的餐館被一刀切關停了"),  # Traditional: the tagger sees it simplified
)
QUERIES = ("一刀切", "关停", "停", "齐齐哈尔", "手续齐全 AND 停产", "县城", "關停", "餐馆")


@pytest.fixture(scope="module")
def tag_stage(
    tmp_path_factory: pytest.TempPathFactory, _base_config: Config, tagger_build: TaggerBuild
) -> TagStage:
    """The real tagger (the session's model, built once: tests/conftest.py)."""
    data_dir = copy_models(tagger_build, tmp_path_factory.mktemp("tagger") / "var")
    settings = _base_config.settings.model_copy(update={"data_dir": data_dir})
    stage = TagStage.load(_base_config.model_copy(update={"settings": settings}))
    assert stage.active, stage.status
    return stage


def _items(source: str, tag: bool) -> list[PostItem]:
    out = []
    for n, (title, body) in enumerate(POSTS):
        item = PostItem(source=source, url=f"https://example.test/{source}/{n}", title=title)
        item.text, item.external_id = body, str(n)
        item.published_at = datetime(2026, 11, 27, 2, tzinfo=UTC) + timedelta(minutes=n)
        item.content_hash = f"{source}{n:036d}"
        item.tag_pending = tag
        out.append(item)
    return out


def _found(db: Database, query: str, source: str) -> set[str]:
    with db.session() as s:
        hits = search(s, compile_expression(query), limit=100).hits  # type: ignore[arg-type]
    return {h.url.rsplit("/", 1)[1] for h in hits if h.source == source}


def _word_query(db: Database, word: str) -> set[str]:
    sql = (
        "SELECT p.url FROM posts_fts f JOIN posts_fts_map m ON m.fts_rowid = f.rowid "
        "JOIN posts p ON p.id = m.post_id WHERE posts_fts MATCH :q"
    )
    with db.engine.connect() as conn:
        rows = conn.execute(text(sql), {"q": f'words : "{word}"'})
        return {str(u).split("/", 3)[3] for (u,) in rows}


@pytest.fixture
def no_second_segmenting(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Records what the index segments itself (fts.words) instead of taking given words."""
    segmented: list[str] = []
    real = fts.words

    def words(norm: str) -> list[str]:
        segmented.append(norm)
        return real(norm)

    monkeypatch.setattr(fts, "words", words)
    yield segmented


def test_tagged_posts_are_indexed_with_the_taggers_words(
    crawl_db: Database, tag_stage: TagStage, no_second_segmenting: list[str]
) -> None:
    totals = write_batch(crawl_db, tag_stage, StoreState(), _items("tagged", tag=True))
    assert (totals.new, totals.tags, totals.failed_items) == (len(POSTS), len(POSTS), 0)
    assert no_second_segmenting == []  # not one post segmented again
    # the tagger's segmentation: names from the gazetteer whole, and the words inside them
    assert _word_query(crawl_db, "齐齐哈尔市") == {"tagged/0"}
    assert _word_query(crawl_db, "齐齐哈尔") == {"tagged/0"}
    assert _word_query(crawl_db, "梅里斯达斡尔族区") == {"tagged/1"}
    # the stored (Traditional) text is what is indexed, not the tagger's simplified form
    assert _word_query(crawl_db, "館") == {"tagged/4"}
    assert _word_query(crawl_db, "餐馆") == {"tagged/2"}


def test_searches_find_the_same_posts_with_and_without_the_tagger(
    crawl_db: Database, tag_stage: TagStage, no_second_segmenting: list[str]
) -> None:
    write_batch(crawl_db, tag_stage, StoreState(), _items("tagged", tag=True))
    assert no_second_segmenting == []
    write_batch(crawl_db, None, StoreState(), _items("plain", tag=False))
    assert len(no_second_segmenting) == len(POSTS)  # without the tagger: the index's own
    for query in QUERIES:
        assert _found(crawl_db, query, "tagged") == _found(crawl_db, query, "plain"), query
    assert _found(crawl_db, "一刀切", "tagged") == {"0", "4"}
    assert _found(crawl_db, "手续齐全 AND 停产", "tagged") == {"2"}


def test_a_post_stored_alone_after_a_failed_batch_keeps_its_words(
    crawl_db: Database,
    tag_stage: TagStage,
    no_second_segmenting: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from yuqing.crawler import storing

    real = storing.store_batch

    def picky(*args: object) -> object:
        if len(args[1]) > 1:  # type: ignore[arg-type]
            raise RuntimeError("database is locked")
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(storing, "store_batch", picky)
    totals = write_batch(crawl_db, tag_stage, StoreState(), _items("tagged", tag=True))
    assert (totals.new, totals.failed_items) == (len(POSTS), 0)
    assert no_second_segmenting == []
    assert _word_query(crawl_db, "齐齐哈尔") == {"tagged/0"}


def test_tagger_without_words_falls_back_to_the_index(
    crawl_db: Database, tag_stage: TagStage, no_second_segmenting: list[str]
) -> None:
    """A tagger that does not hand over words (an older or stand-in one): the index
    segments the posts itself, as before."""

    class Plain:
        model_version = "plain-1"

        def tag_many(self, pairs: list[tuple[str, str]]) -> list[object]:
            assert tag_stage.tagger is not None
            return list(tag_stage.tagger.tag_many(pairs))

    stage = TagStage(Plain(), "active (plain-1)")
    totals = write_batch(crawl_db, stage, StoreState(), _items("plain", tag=True))
    assert (totals.new, totals.tags) == (len(POSTS), len(POSTS))
    assert len(no_second_segmenting) == len(POSTS)
    assert _word_query(crawl_db, "一刀切") == {"plain/0", "plain/4"}
