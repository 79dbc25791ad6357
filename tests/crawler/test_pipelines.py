"""The item pipelines, driven by hand: validate → normalize → dedupe → tag → store."""

from __future__ import annotations

import logging
import sys
import types
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.crawler.conftest import DEMO, FIXTURE_NOW, TZ, SpiderFactory
from yuqing.crawler.items import ClusterRef, PostItem
from yuqing.crawler.pipelines import (
    DedupePipeline,
    Drop,
    NormalizePipeline,
    StorePipeline,
    TagPipeline,
    ValidatePipeline,
)
from yuqing.crawler.tagging import TagStage
from yuqing.store.models import Post, PostTag
from yuqing.store.posts import TagRecord
from yuqing.store.session import Database

TEXT = "龙沙区江安街道的工地全部被叫停了，我们手续齐全，希望区别对待，不要一刀切。"


def post(n: int = 1, **fields: Any) -> PostItem:
    values: dict[str, Any] = {
        "source": "demo-board",
        "url": f"{DEMO}/board/message/{n}",
        "title": f"第{n}号留言：工地停工",
        "text": TEXT,
        "published": "2026-11-27 10:00",
        "author": "龙沙区老张",
        "external_id": str(n),
        "likes": 3,
    }
    values.update(fields)
    return PostItem(**values)


class Chain:
    """All five stages on one crawler, as Scrapy would run them."""

    def __init__(self, spider: Any, tagging: TagStage | None = None) -> None:
        crawler = spider.crawler
        self.crawler = crawler
        self.stages = [
            ValidatePipeline.from_crawler(crawler),
            NormalizePipeline.from_crawler(crawler),
            DedupePipeline.from_crawler(crawler),
            TagPipeline.from_crawler(crawler),
            StorePipeline.from_crawler(crawler),
        ]
        for stage in self.stages:
            if hasattr(stage, "open_spider"):
                stage.open_spider()
        if tagging is not None:
            self.stages[3].stage = tagging  # type: ignore[attr-defined]
        self.stages[4].writer.tagging = self.stages[3].stage  # type: ignore[attr-defined]

    def run(self, item: PostItem) -> PostItem:
        for stage in self.stages:
            item = stage.process_item(item)  # type: ignore[attr-defined]
        return item

    def close(self) -> None:
        for stage in self.stages:
            if hasattr(stage, "close_spider"):
                stage.close_spider()

    def stat(self, name: str) -> Any:
        return self.crawler.stats.get_value(name)


def drop_reason(stage: Any, item: PostItem) -> str:
    with pytest.raises(Drop) as err:
        stage.process_item(item)
    return err.value.reason


@pytest.fixture
def make_spider(make_spider: SpiderFactory) -> SpiderFactory:
    """Spiders with the real tagger off (loading it takes seconds); tests that want the tag
    stage give it a fake tagger, or switch it on with a stubbed loader."""

    def build(name: str, **settings: Any) -> Any:
        settings.setdefault("YUQING_TAGGER", "off")
        return make_spider(name, **settings)

    return build


@pytest.fixture
def validate(make_spider: SpiderFactory) -> ValidatePipeline:
    return ValidatePipeline.from_crawler(make_spider("demo-board").crawler)


# -- validate -----------------------------------------------------------------------------
def test_missing_title_is_dropped(validate: ValidatePipeline) -> None:
    assert drop_reason(validate, post(title="  <p> </p> ")) == "missing_title"


def test_missing_body_is_dropped(validate: ValidatePipeline) -> None:
    assert drop_reason(validate, post(text=None)) == "missing_text"


def test_missing_time_is_dropped(validate: ValidatePipeline) -> None:
    assert drop_reason(validate, post(published=None)) == "missing_published"
    assert drop_reason(validate, post(published="  ")) == "missing_published"


def test_unparseable_date_is_dropped(validate: ValidatePipeline) -> None:
    assert drop_reason(validate, post(published="上周三下午")) == "bad_date"
    assert drop_reason(validate, post(published="2025年13月45日 25:61")) == "bad_date"


def test_unreadable_optional_date_keeps_the_post_dated_when_first_seen(
    validate: ValidatePipeline,
) -> None:
    # issue 12: the post stays, dated now (the first sighting: the store keeps the first
    # published_at of a post), flagged and counted
    item = validate.process_item(post(published="上周三下午", required=("title", "text")))
    assert item.published_at == FIXTURE_NOW and item.published_guessed
    assert validate.crawler.stats.get_value("yuqing/date_unread") == 1
    assert not validate.process_item(post(n=2)).published_guessed
    item = validate.process_item(post(n=3, published=None, required=("title", "text")))
    assert item.published_at == FIXTURE_NOW and item.published_guessed
    assert validate.crawler.stats.get_value("yuqing/date_missing") == 1


def test_optional_date_in_the_sources_time_zone(validate: ValidatePipeline) -> None:
    item = validate.process_item(post(published="2026-11-27 10:00", timezone="Europe/Berlin"))
    assert item.published_at == datetime(2026, 11, 27, 17, 0, tzinfo=TZ)  # 10:00 CET


def test_garbled_text_is_dropped(validate: ValidatePipeline) -> None:
    # issue 12: UTF-8 read as GBK ("交通运输部召开会议，部署今年春运工作。")
    mojibake = "交通运输部召开会议，部署今年春运工作。".encode().decode("gbk", errors="replace")
    assert drop_reason(validate, post(text=mojibake)) == "garbled_text"
    assert drop_reason(validate, post(title=mojibake)) == "garbled_text"


def test_future_date_is_dropped(validate: ValidatePipeline) -> None:
    assert drop_reason(validate, post(published="2027-06-01 10:00")) == "future_date"


def test_missing_or_bad_url_is_dropped(validate: ValidatePipeline) -> None:
    assert drop_reason(validate, post(url=None)) == "missing_url"
    assert drop_reason(validate, post(url="javascript:void(0)")) == "bad_url"


def test_title_is_optional_where_the_source_says_so(validate: ValidatePipeline) -> None:
    item = validate.process_item(post(title=None, required=("text", "published")))
    assert item.published_at is not None


def test_time_becomes_aware_beijing_time(validate: ValidatePipeline) -> None:
    item = validate.process_item(post(published="3分钟前"))
    assert item.published_at == FIXTURE_NOW - timedelta(minutes=3)
    assert item.published_at.utcoffset() == timedelta(hours=8)


# -- normalize ----------------------------------------------------------------------------
def test_normalize_cleans_converts_masks_and_pseudonymizes(make_spider: SpiderFactory) -> None:
    norm = NormalizePipeline.from_crawler(make_spider("demo-board").crawler)
    item = norm.process_item(
        post(
            title="<b>齊齊哈爾</b>&nbsp;停產  通知",
            text="<p>聯繫電話 13912345678，身份證 230202198001011234</p><p>第二段</p>",
            url=f"{DEMO}/board/message/1?utm_source=wx&b=2&a=1#top",
        )
    )
    assert item.title == "齐齐哈尔 停产 通知"
    assert item.text is not None and "13912345678" not in item.text
    assert "139****5678" in item.text and "230202" in item.text and "1980" not in item.text
    assert item.text.splitlines()[-1] == "第二段"
    assert item.author is None and item.author_hash and len(item.author_hash) == 16
    assert item.url == f"{DEMO}/board/message/1?a=1&b=2"


def test_author_hash_is_keyed_and_stable(make_spider: SpiderFactory) -> None:
    norm = NormalizePipeline.from_crawler(make_spider("demo-board").crawler)
    a = norm.process_item(post(author="龙沙区老张")).author_hash
    b = norm.process_item(post(author=" 龙沙区老张 ")).author_hash
    c = norm.process_item(post(author="建华区老李")).author_hash
    assert a == b != c


# -- dedupe -------------------------------------------------------------------------------
def test_same_post_twice_in_one_crawl_is_dropped(make_spider: SpiderFactory) -> None:
    chain = Chain(make_spider("demo-board"))
    chain.run(post(1))
    with pytest.raises(Drop) as err:
        chain.run(post(1))
    assert err.value.reason == "duplicate"


def test_repost_in_the_same_crawl_joins_the_first_posts_cluster(make_spider: SpiderFactory) -> None:
    chain = Chain(make_spider("demo-board"))
    first = chain.run(post(1))
    repost = chain.run(
        post(2, title="再次反映：第1号留言：工地停工", text="转发：" + TEXT + "至今没有解决！")
    )
    other = chain.run(
        post(
            3,
            title="供暖不热",
            text="建华区文化街道小区暖气不热，屋里只有十五度，老人孩子都冻感冒了。",
        )
    )
    assert first.cluster == ClusterRef(source="demo-board", key=first.key)
    assert repost.cluster == first.cluster
    assert other.cluster == ClusterRef(source="demo-board", key=other.key)


def test_clusters_are_stored_as_the_first_posts_id(
    make_spider: SpiderFactory, crawl_db: Database
) -> None:
    chain = Chain(make_spider("demo-board"))
    chain.run(post(1))
    chain.run(post(2, title="转发：第1号留言：工地停工", text=TEXT + "求扩散"))
    chain.close()
    with crawl_db.session() as s:
        rows = s.execute(select(Post.external_id, Post.id, Post.cluster_id).order_by(Post.id)).all()
    (_, id1, c1), (_, _id2, c2) = rows
    assert c1 == id1 and c2 == id1
    # a later crawl finds the stored post and reuses its cluster
    later = Chain(make_spider("demo-weibo"))
    item = later.run(
        post(
            9,
            source="demo-weibo",
            title=None,
            text="转发微博 //@某人: " + TEXT,
            required=("text", "published"),
        )
    )
    assert item.cluster == ClusterRef(cluster_id=id1)


# -- tag ----------------------------------------------------------------------------------
class FakeTagger:
    model_version = "fake-1"

    def __init__(self, fail_batch: bool = False) -> None:
        self.batches: list[int] = []
        self.fail_batch = fail_batch

    def tag_many(self, pairs: list[tuple[str, str]]) -> list[TagRecord]:
        if self.fail_batch:
            raise RuntimeError("batch broke")
        self.batches.append(len(pairs))
        return [self.tag(t, x) for t, x in pairs]

    def tag(self, title: str, text: str) -> TagRecord:
        return TagRecord(
            model_version=self.model_version,
            shutdown="停" in text,
            shutdown_score=0.9,
            blanket="一刀切" in text,
            complaint=True,
            complaint_score=0.8,
            sector="construction",
            sector_score=0.7,
            district="龙沙区",
            licensed=True,
        )


def test_tags_are_computed_in_batches_and_stored(
    make_spider: SpiderFactory, crawl_db: Database
) -> None:
    tagger = FakeTagger()
    chain = Chain(make_spider("demo-board"), TagStage(tagger, "active (fake-1)"))
    for n in range(1, 6):
        chain.run(post(n, text=f"{TEXT}（第{n}次反映）"))
    chain.close()
    assert tagger.batches == [5]
    with crawl_db.session() as s:
        tags = s.execute(select(PostTag)).scalars().all()
        assert len(tags) == 5 and all(t.model_version == "fake-1" and t.blanket for t in tags)


def test_failed_batch_is_tagged_one_by_one(make_spider: SpiderFactory, crawl_db: Database) -> None:
    chain = Chain(make_spider("demo-board"), TagStage(FakeTagger(fail_batch=True), "active"))
    chain.run(post(1))
    chain.close()
    with crawl_db.session() as s:
        assert s.execute(select(func.count()).select_from(PostTag)).scalar_one() == 1


def test_tagger_that_fails_to_load_becomes_an_explicit_pass_through(
    make_spider: SpiderFactory,
    crawl_db: Database,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(config: Any, build_if_missing: bool = True) -> Any:
        raise OSError("model file unreadable")

    # a stand-in module (importing the real one costs seconds): import works, loading fails
    monkeypatch.setitem(sys.modules, "yuqing.nlp.loader", types.SimpleNamespace(load_tagger=broken))
    with caplog.at_level(logging.WARNING, logger="yuqing.crawler.tagging"):
        chain = Chain(make_spider("demo-board", YUQING_TAGGER="on"))
        for n in range(1, 4):
            chain.run(post(n, text=f"{TEXT}{n}"))
        chain.close()
    assert chain.stat("yuqing/tagger") == "unavailable: OSError"
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "stored without tags" in warnings[0].getMessage()
    with crawl_db.session() as s:
        assert s.execute(select(func.count()).select_from(Post)).scalar_one() == 3
        assert s.execute(select(func.count()).select_from(PostTag)).scalar_one() == 0


def test_missing_tagger_module_is_a_pass_through(
    make_spider: SpiderFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "yuqing.nlp.loader", None)  # import fails
    chain = Chain(make_spider("demo-board", YUQING_TAGGER="on"))
    item = chain.run(post(1))
    assert chain.stat("yuqing/tagger") == "unavailable: ModuleNotFoundError"
    assert not item.tag_pending and item.tags is None


def test_tagging_off_by_setting(make_spider: SpiderFactory) -> None:
    chain = Chain(make_spider("demo-board"))
    assert chain.stat("yuqing/tagger") == "off"


# -- store --------------------------------------------------------------------------------
def test_store_flushes_in_batches_and_at_close(
    make_spider: SpiderFactory, crawl_db: Database
) -> None:
    chain = Chain(make_spider("demo-board", YUQING_STORE_BATCH=2))
    for n in range(1, 4):
        chain.run(post(n, text=f"{TEXT}（{n}）"))
    chain.stages[4].writer.drain()  # type: ignore[attr-defined]
    with crawl_db.session() as s:
        assert s.execute(select(func.count()).select_from(Post)).scalar_one() == 2
    chain.close()
    with crawl_db.session() as s:
        assert s.execute(select(func.count()).select_from(Post)).scalar_one() == 3
    assert chain.stat("yuqing/items_new") == 3
    assert chain.stat("yuqing/newest_published") == "2026-11-27T10:00:00+08:00"


def test_repeated_crawl_updates_metrics_without_duplicates(
    make_spider: SpiderFactory, crawl_db: Database
) -> None:
    first = Chain(make_spider("demo-board"))
    for n in (1, 2):
        first.run(post(n, text=f"{TEXT}（{n}）", likes=3))
    first.close()
    with crawl_db.session() as s:
        clusters = dict(s.execute(select(Post.id, Post.cluster_id)).all())
    again = Chain(make_spider("demo-board"))
    for n in (1, 2):
        again.run(post(n, text=f"{TEXT}（{n}）", likes=40, replies=7))
    again.close()
    assert (again.stat("yuqing/items_new"), again.stat("yuqing/items_updated")) == (0, 2)
    with crawl_db.session() as s:
        rows = s.execute(select(Post.likes, Post.replies, Post.cluster_id, Post.id)).all()
    assert len(rows) == 2
    assert all(likes == 40 and replies == 7 for likes, replies, _, _ in rows)
    assert {pid: cluster for _, _, cluster, pid in rows} == clusters  # clusters kept


def test_replies_are_linked_to_their_thread(make_spider: SpiderFactory, crawl_db: Database) -> None:
    chain = Chain(make_spider("demo-forum"))
    thread_url = f"{DEMO}/forum/thread/5"
    chain.run(post(5, source="demo-forum", url=thread_url, external_id=None))
    reply = post(
        6,
        source="demo-forum",
        url=thread_url,
        external_id="5002",
        title=None,
        text="我们小区也这样，反映了好几次了",
        parent_url=thread_url,
        required=("text", "published"),
    )
    chain.run(reply)
    chain.close()
    with crawl_db.session() as s:
        rows = dict(s.execute(select(Post.external_id, Post.parent_id)).all())
        thread_id = s.execute(select(Post.id).where(Post.external_id.is_(None))).scalar_one()
    assert rows["5002"] == thread_id


def test_repost_crawled_by_another_source_at_the_same_time_joins_the_cluster(
    make_spider: SpiderFactory, crawl_db: Database
) -> None:
    """Two crawlers in one process (``crawl_together``): the weibo repost is processed before
    the board post it copies is stored (its batch is still buffered)."""
    board = Chain(make_spider("demo-board"))
    weibo = Chain(make_spider("demo-weibo"))
    original = board.run(post(1))
    repost = weibo.run(
        post(
            7,
            source="demo-weibo",
            title=None,
            text="转发微博 //@某人: " + TEXT + " 求扩散",
            required=("text", "published"),
        )
    )
    assert repost.cluster == original.cluster  # found via the shared index
    weibo.close()  # the repost is stored first, as its own cluster for now
    board.close()  # the original is stored: the repost moves into its cluster
    with crawl_db.session() as s:
        rows = dict(s.execute(select(Post.external_id, Post.cluster_id)).all())
        first = s.execute(select(Post.id).where(Post.external_id == "1")).scalar_one()
    assert rows == {"1": first, "7": first}
