"""Bad input, each kind on its own page of the demo site's /faults/ (crawled end to end by the
``crawled`` fixture): every bad page or item is dropped or retried with a recorded reason, and
the crawl goes on to store the good ones."""

from __future__ import annotations

from tests.crawler.conftest import Crawled


def test_the_fault_crawl_finishes_ok_and_stores_the_good_pages(crawled: Crawled) -> None:
    run = crawled.run("faults")
    assert run.status == "ok"
    # issue 12: /faults/slow has no selectors' title but a <title> and text, which the generic
    # article extractor reads; /faults/bad-date's optional date cannot be read: kept, flagged
    assert sorted(p.title for p in crawled.posts("faults")) == sorted(
        ["讷河市召开安全生产会议", "关于做好冬季供暖工作的通知", "slow"]
    )


def test_500_page_is_retried_then_dropped(crawled: Crawled) -> None:
    run = crawled.run("faults")
    assert run.drops.get("page:http_500") == 1
    assert run.stats.get("retry/count", 0) >= 2  # RETRY_TIMES, with backoff
    assert any("page:http_500" in m for m in run.error_messages)


def test_redirect_loop_is_dropped(crawled: Crawled) -> None:
    assert crawled.run("faults").drops.get("page:redirect_loop") == 1


def test_non_html_content_type_is_dropped(crawled: Crawled) -> None:
    assert crawled.run("faults").drops.get("page:not_text") == 1


def test_50mb_page_is_dropped_for_its_size(crawled: Crawled) -> None:
    run = crawled.run("faults")
    assert run.drops.get("page:too_large") == 1
    assert run.stats["peak_rss_mb"] < 400  # it was never read into memory


def test_missing_title_body_and_time_are_dropped(crawled: Crawled) -> None:
    # /faults/missing-fields and /faults/empty have no title, neither where the source's
    # selectors look for one nor anywhere the generic extractor looks (issue 12)
    assert crawled.run("faults").drops.get("missing_title") == 2


def test_json_where_a_page_was_expected_is_dropped(crawled: Crawled) -> None:
    assert crawled.run("faults").drops.get("page:not_html") == 1


def test_unparseable_optional_date_keeps_the_post_dated_when_first_seen(crawled: Crawled) -> None:
    # issue 12: the faults source does not require `published`
    run = crawled.run("faults")
    assert "bad_date" not in run.drops
    assert run.stats.get("date_unread") == 1
    # stored with the flag, so analysts can leave it out of time series
    # (the other fault pages that are stored show no date at all: counted as date_missing)
    guessed = [p.url for p in crawled.posts("faults") if p.published_guessed]
    assert any(url.endswith("/faults/bad-date") for url in guessed)
    assert len(guessed) == run.stats.get("date_unread", 0) + run.stats.get("date_missing", 0)


def test_wrong_charset_page_is_decoded(crawled: Crawled) -> None:
    (post,) = [p for p in crawled.posts("faults") if p.title == "讷河市召开安全生产会议"]
    assert "压实安全生产责任" in post.text


def test_json_api_whose_shape_changed_is_dropped_and_the_next_url_is_crawled(
    crawled: Crawled,
) -> None:
    run = crawled.run("faults-json")
    assert run.drops == {"page:json_shape": 1}
    assert run.status == "ok" and len(crawled.posts("faults-json")) == 5


def test_drops_are_counted_in_the_run_row(crawled: Crawled) -> None:
    run = crawled.run("faults")
    item_drops = sum(v for k, v in run.drops.items() if not k.startswith("page:"))
    assert run.items_dropped == item_drops == 2
    assert run.errors >= 5  # the failed pages
