"""sources.yaml: the per-kind source models, their error messages, and what ships."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from yuqing.config import Config, load
from yuqing.config.errors import ConfigError
from yuqing.config.sources import SourcesFile

SHIPPED = Path(__file__).resolve().parents[2] / "yuqing" / "config" / "sources.yaml"


def validate(**source: Any) -> None:
    SourcesFile.model_validate({"sources": [source]})


def base(**extra: Any) -> dict[str, Any]:
    return {"name": "s", "start_urls": ["https://example.gov.cn/list"], **extra}


def test_bad_css_selector_names_field_and_value() -> None:
    with pytest.raises(ValidationError, match=r"fields\.title: invalid CSS selector 'h1\[\['"):
        validate(**base(kind="listing", links="a::attr(href)", fields={"title": "h1[["}))


def test_field_may_be_a_list_of_selectors_issue_12() -> None:
    title = ["h1.a::text", "meta[property='og:title']::attr(content)"]
    parsed = SourcesFile.model_validate(
        {"sources": [base(kind="listing", links="a::attr(href)", fields={"title": title})]}
    )
    spec = parsed.sources[0].fields.title  # type: ignore[union-attr]
    assert spec is not None and spec.selectors == title


def test_bad_selector_in_a_list_names_its_index() -> None:
    with pytest.raises(ValidationError, match=r"fields\.title\[1\]: invalid CSS selector 'h1\[\['"):
        validate(**base(kind="listing", links="a::attr(href)", fields={"title": ["h1", "h1[["]}))


def test_empty_list_of_selectors_is_refused() -> None:
    with pytest.raises(ValidationError, match="empty list of selectors"):
        validate(**base(kind="listing", links="a::attr(href)", fields={"title": []}))


def test_unknown_time_zone_names_the_value() -> None:
    with pytest.raises(ValidationError, match="unknown timezone 'Mars/Olympus'"):
        validate(**base(kind="feed", timezone="Mars/Olympus"))


def test_bad_xpath_names_field_and_value() -> None:
    with pytest.raises(ValidationError, match=r"links: invalid XPath 'xpath://a\[@'"):
        validate(**base(kind="listing", links="xpath://a[@"))


def test_bad_jmespath_names_field_and_value() -> None:
    with pytest.raises(ValidationError, match=r"items: invalid JMESPath 'data\.\[\['"):
        validate(**base(kind="jsonapi", items="data.[["))


def test_bad_regex_names_the_value() -> None:
    with pytest.raises(ValidationError, match=r"invalid regex '\('"):
        validate(**base(kind="feed", article={"title": {"select": "h1::text", "regex": "("}}))


def test_unknown_field_is_rejected() -> None:
    with pytest.raises(ValidationError, match="selectorz"):
        validate(**base(kind="feed", selectorz="x"))


def test_keyword_placeholder_needs_keywords() -> None:
    with pytest.raises(ValidationError, match=r"uses \{keyword\} but no keywords"):
        validate(name="s", kind="feed", start_urls=["https://s.example/?q={keyword}"])


def test_keywords_need_a_placeholder() -> None:
    with pytest.raises(ValidationError, match=r"no URL or body contains the \{keyword\}"):
        validate(**base(kind="feed", keywords=["一刀切"]))


def test_post_body_keyword_counts_as_placeholder() -> None:
    validate(
        **base(kind="jsonapi", items="list", method="POST", body={"q": "{keyword}"}),
        keywords="rules",
    )


def test_cursor_pagination_needs_a_cursor_path() -> None:
    with pytest.raises(ValidationError, match="cursor pagination needs cursor_path"):
        validate(**base(kind="jsonapi", items="list", pagination={"type": "cursor"}))


def test_proxy_with_credentials_is_refused() -> None:
    with pytest.raises(ValidationError, match="proxy credentials are secrets"):
        validate(**base(kind="feed", proxy="http://user:pw@proxy.example:3128"))


def test_unknown_encoding_names_the_value() -> None:
    with pytest.raises(ValidationError, match="unknown encoding 'gbk2'"):
        validate(**base(kind="feed", encoding="gbk2"))


def test_detail_needs_a_url_field() -> None:
    with pytest.raises(ValidationError, match=r"detail needs fields\.url"):
        validate(**base(kind="jsonapi", items="list", detail={"text": "div"}))


def test_bad_source_is_reported_with_file_and_path(tmp_path: Path) -> None:
    (tmp_path / "sources.yaml").write_text(
        "sources:\n  - {name: broken, kind: listing, start_urls: ['https://x.example/'], "
        "links: 'a[['}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as err:
        load(tmp_path, env={})
    assert "sources.yaml" in str(err.value) and "links: invalid CSS selector" in str(err.value)


def test_shipped_demo_sources_cover_every_kind_and_a_search(config: Config) -> None:
    demo = [s for s in config.sources.sources if s.enabled and s.uses_demo]
    assert {s.kind for s in demo} == {"feed", "listing", "jsonapi"}
    assert any(s.is_search for s in demo)
    assert any(getattr(s, "replies", None) for s in demo), "a forum source with reply pages"
    assert all(s.enabled for s in demo)


def test_shipped_real_site_examples_are_disabled_and_say_check(config: Config) -> None:
    real = [s for s in config.sources.sources if not s.uses_demo]
    assert len(real) >= 5
    assert not any(s.enabled for s in real)
    assert any(s.keywords == "rules" for s in real)
    text = SHIPPED.read_text(encoding="utf-8")
    for source in real:
        before = text[: text.index(f"name: {source.name}")]
        comment = before[before.rstrip().rfind("\n\n") :]
        assert "CHECK" in comment, f"{source.name} has no 'check against the live site' comment"


def test_shipped_file_is_plain_yaml_with_unique_names() -> None:
    data = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))
    names = [s["name"] for s in data["sources"]]
    assert len(names) == len(set(names))
