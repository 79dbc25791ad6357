"""Sources config for issue 12: sources.d/*.yaml, list-only listings, allowed_domains, and
unknown keys that belong to another spider kind."""

from __future__ import annotations

from pathlib import Path

import pytest

from yuqing.config import load
from yuqing.config.errors import ConfigErrors


def conf(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "conf"
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def problem(root: Path) -> str:
    with pytest.raises(ConfigErrors) as info:
        load(root, env={})
    return str(info.value)


def feed(name: str, extra: str = "") -> str:
    return (
        f"  - name: {name}\n    kind: feed\n    start_urls: ['https://{name}.example.cn/rss']\n"
        + extra
    )


def test_sources_d_files_merge_in_name_order(tmp_path: Path) -> None:
    """issue 12: cities with hundreds of sources split them over conf.d-style files."""
    root = conf(
        tmp_path,
        {
            "sources.yaml": "sources:\n" + feed("city-a"),
            "sources.d/20-counties.yaml": "sources:\n" + feed("county-b") + feed("county-c"),
            "sources.d/10-news.yml": "sources:\n" + feed("news-d"),
            "sources.d/README.txt": "not YAML: ignored",
        },
    )
    cfg = load(root, env={})
    names = [s.name for s in cfg.sources.sources]
    assert names[-4:] == ["city-a", "news-d", "county-b", "county-c"]
    assert str(root / "sources.d" / "10-news.yml") in cfg.files
    # a sources.d file may change a shipped source, as sources.yaml may
    (root / "sources.d" / "30-enable.yaml").write_text(
        "sources:\n  - {name: demo-board-cursor, enabled: true}\n", encoding="utf-8"
    )
    assert load(root, env={}).sources.get("demo-board-cursor").enabled


def test_duplicate_source_across_sources_d_files_names_both_files(tmp_path: Path) -> None:
    root = conf(
        tmp_path,
        {
            "sources.d/10-news.yaml": "sources:\n" + feed("news-a"),
            "sources.d/20-more.yaml": "sources:\n" + feed("news-b") + feed("news-a"),
        },
    )
    assert problem(root) == (
        f"{root / 'sources.d' / '20-more.yaml'}: sources[1]: duplicate source name 'news-a' "
        f"(also defined in {root / 'sources.d' / '10-news.yaml'})"
    )


def test_duplicate_of_sources_yaml_in_sources_d_names_both_files(tmp_path: Path) -> None:
    root = conf(
        tmp_path,
        {
            "sources.yaml": "sources:\n" + feed("news-a"),
            "sources.d/10-news.yaml": "sources:\n" + feed("news-a"),
        },
    )
    assert problem(root) == (
        f"{root / 'sources.d' / '10-news.yaml'}: sources[0]: duplicate source name 'news-a' "
        f"(also defined in {root / 'sources.yaml'})"
    )


def test_sources_d_file_holds_only_sources(tmp_path: Path) -> None:
    root = conf(tmp_path, {"sources.d/10.yaml": "timezone: UTC\nsources: []\n"})
    assert problem(root) == (
        f"{root / 'sources.d' / '10.yaml'}: timezone: unknown key "
        "(a sources.d file holds only sources:)"
    )


def test_error_in_a_sources_d_file_names_that_file(tmp_path: Path) -> None:
    root = conf(
        tmp_path,
        {"sources.d/10.yaml": "sources:\n" + feed("news-a", "    article: {title: 'h1[['}\n")},
    )
    msg = problem(root)
    assert msg.startswith(f"{root / 'sources.d' / '10.yaml'}: sources[0]")
    assert "article.title: invalid CSS selector 'h1[['" in msg


def test_fields_on_a_feed_says_feeds_use_article(tmp_path: Path) -> None:
    """issue 12: `sources[0].fields: unknown key` did not say that feeds use `article:`."""
    root = conf(tmp_path, {"sources.yaml": "sources:\n" + feed("news", "    fields: {}\n")})
    assert problem(root) == (
        f"{root / 'sources.yaml'}: sources[0].fields: unknown key for a feed source: feeds read "
        "each entry's page with `article:` (and follow_links: true)"
    )


def test_article_on_a_listing_says_listings_use_fields(tmp_path: Path) -> None:
    text = (
        "sources:\n  - name: l\n    kind: listing\n    start_urls: ['https://x.cn/']\n"
        "    links: a::attr(href)\n    article: {title: h1::text}\n"
    )
    root = conf(tmp_path, {"sources.yaml": text})
    assert problem(root) == (
        f"{root / 'sources.yaml'}: sources[0].article: unknown key for a listing source: "
        "listings read detail pages with `fields:`"
    )


LISTING = "sources:\n  - name: l\n    kind: listing\n    start_urls: ['https://bbs.x.cn/f']\n"


def test_list_only_source_defaults(tmp_path: Path) -> None:
    root = conf(
        tmp_path,
        {"sources.yaml": LISTING + "    item: li\n    list_fields: {url: a::attr(href)}\n"},
    )
    src = load(root, env={}).sources.get("l")
    assert src.kind == "listing" and not src.follows  # type: ignore[union-attr]
    assert src.required == ["title", "published"]


@pytest.mark.parametrize(
    ("extra", "reason"),
    [
        (
            "    list_fields: {url: a::attr(href)}\n",
            "a list-only source (no links) needs item (the selector of each list entry)",
        ),
        (
            "    item: li\n    follow: false\n    list_fields: {title: a::text}\n",
            "a list-only source (follow: false) needs list_fields.url or links (each entry's URL)",
        ),
        (
            "    item: li\n    follow: true\n",
            "follow: true needs links (the selector of each entry's page URL)",
        ),
        (
            "    item: li\n    links: a::attr(href)\n    follow: false\n"
            "    fields: {title: h1::text}\n",
            "fields: a list-only source (follow: false) reads no detail pages; "
            "put the selectors in list_fields",
        ),
    ],
)
def test_list_only_source_errors(tmp_path: Path, extra: str, reason: str) -> None:
    root = conf(tmp_path, {"sources.yaml": LISTING + extra})
    assert problem(root) == f"{root / 'sources.yaml'}: sources[0]: {reason}"


def test_allowed_domains_default_to_the_start_urls_hosts(tmp_path: Path) -> None:
    root = conf(
        tmp_path,
        {
            "sources.yaml": "sources:\n"
            + feed("a")
            + feed("b", "    allowed_domains: [b.example.cn, cdn.example.com]\n")
        },
    )
    cfg = load(root, env={})
    assert cfg.sources.get("a").domains() == ["a.example.cn"]
    assert cfg.sources.get("qqhr-mayor-mailbox").domains() == ["qqhr.gov.cn"]  # www. dropped
    assert cfg.sources.get("b").domains() == ["b.example.cn", "cdn.example.com"]
    # the demo site: {demo} is the demo site's address
    assert cfg.sources.get("demo-board").domains("http://127.0.0.1:8765") == ["127.0.0.1"]


def test_allowed_domains_must_be_host_names(tmp_path: Path) -> None:
    root = conf(
        tmp_path,
        {"sources.yaml": "sources:\n" + feed("a", "    allowed_domains: ['https://a.cn/x']\n")},
    )
    assert problem(root) == (
        f"{root / 'sources.yaml'}: sources[0].allowed_domains: [0]: 'https://a.cn/x' is not a "
        "host name (write the host only, e.g. 'news.example.cn': no scheme, port or path)"
    )
