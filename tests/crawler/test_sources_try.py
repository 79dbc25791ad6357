"""``yuqing sources try`` (issue 12): one source's extraction on saved pages written by us and
on a loopback server, nothing stored; what it prints, and its exit code."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

from tests.crawler.conftest import FIXTURES
from yuqing.app.cli import main

BBS = """
sources:
  - name: bbs-list
    kind: listing
    start_urls: ["http://bbs.test/forum/forum-1.html"]
    item: tbody.thread
    follow: false
    list_fields:
      url: a.xst::attr(href)
      title: a.xst::text
      published: td.by em::text
      replies: td.num a::text
      text: td.abstract::text
    next_page: a.nxt::attr(href)
"""


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for var in ("YUQING_CONFIG_DIR", "YUQING_DATABASE_URL", "YUQING_DEMO_URL"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("YUQING_DATA_DIR", str(tmp_path / "var"))


@pytest.fixture
def bbs_yaml(tmp_path: Path) -> Path:
    path = tmp_path / "bbs.yaml"
    path.write_text(BBS, encoding="utf-8")
    return path


def test_try_list_only_page_prints_fields_dates_drops_and_stores_nothing(
    capsys: pytest.CaptureFixture[str], bbs_yaml: Path, tmp_path: Path
) -> None:
    """issue 12: a list page whose entries carry every field, tried from a saved copy."""
    page = FIXTURES / "list_only.html"
    args = ["sources", "try", "--source-yaml", str(bbs_yaml), "--file", str(page)]
    code, out, err = run(capsys, *args)
    assert code == 0, err
    assert "source bbs-list (listing)" in out
    assert "encoding       utf-8" in out
    # URLs are joined against <base href>, as followed links are
    assert "url          raw: http://bbs.test/forum/thread-101-1-1.html" in out
    assert "title        raw: 龙沙区烧烤一条街全部关停，商户一夜之间没了生计" in out
    assert "parsed: 2026-11-27 09:15:00+08:00" in out
    assert "counts       replies 12" in out
    assert "clean: 街道通知所有烧烤摊今晚起一律停业，办了证的也不行。 (25 chars)" in out
    # the empty entry: dropped with its reason and the selector that found nothing
    assert "item 3: DROPPED: missing_title" in out
    assert "title        raw: —  (list_fields.title: a.xst::text)" in out
    assert "→ http://bbs.test/forum/forum-2.html  (parse)" in out
    assert out.rstrip().endswith(
        "summary: 3 of 4 item(s) would be stored; 1 page(s) read; dropped: missing_title=1; "
        "1 more page(s) not fetched (--limit)"
    )
    # nothing stored: no database, no key file
    assert not (tmp_path / "var").exists()


def test_try_exits_1_when_nothing_would_be_stored(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(BBS.replace("a.xst::text", "a.nothing::text"), encoding="utf-8")
    page = FIXTURES / "list_only.html"
    code, out, _ = run(capsys, "sources", "try", "--source-yaml", str(path), "--file", str(page))
    assert code == 1
    assert "summary: 0 of 4 item(s) would be stored" in out
    assert "dropped: missing_title=4" in out
    assert "nothing would be stored: check the selectors above (sources try exits 1)" in out


def test_try_detail_page_of_a_shipped_source_with_a_declared_gbk_page(
    capsys: pytest.CaptureFixture[str],
) -> None:
    page = FIXTURES / "county_article.html"
    code, out, err = run(
        capsys,
        "sources", "try", "demo-county", "--detail", "--file", str(page),
        "--url", "http://demo.test/county/article/38.html",
    )  # fmt: skip
    assert code == 0, err
    assert "read with      parse_detail" in out
    assert "encoding       gb18030" in out
    assert "title        raw: 讷河市依法查封一家违规排放企业" in out
    assert "parsed: 2026-11-25 21:00:00+08:00" in out
    assert "summary: 1 of 1 item(s) would be stored" in out


def test_try_a_list_page_of_a_following_source_lists_its_links_and_exits_0(
    capsys: pytest.CaptureFixture[str],
) -> None:
    page = FIXTURES / "county_list.html"
    code, out, _ = run(
        capsys, "sources", "try", "demo-county", "--file", str(page), "--url",
        "http://demo.test/county/",
    )  # fmt: skip
    assert code == 0
    assert "would follow   21 link(s)" in out
    assert "→ http://demo.test/county/article/38.html  (parse_detail)" in out
    assert "no post on the page(s) read: the posts are on the pages it would follow" in out


def test_try_stray_html_end_tag_does_not_hide_the_article(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """issue 12: a CSS selector lxml could not see past a stray </html> dropped the post as
    missing_text while the XPath form worked; both now read the article."""
    for text in ("div.article-content", "xpath://div[@class='article-content']"):
        path = tmp_path / "news.yaml"
        path.write_text(
            f"""
sources:
  - name: heat-news
    kind: feed
    start_urls: ["http://news.test/rss.xml"]
    follow_links: true
    article:
      title: h1.article-title::text
      text: "{text}"
      published: {{select: "div.info::text", regex: "发布时间：(\\\\S+ \\\\S+)"}}
""",
            encoding="utf-8",
        )
        page = FIXTURES / "stray_html.html"
        code, out, err = run(
            capsys, "sources", "try", "--source-yaml", str(path), "--detail", "--file", str(page),
            "--url", "http://news.test/a/1.html",
        )  # fmt: skip
        assert code == 0, (text, out, err)
        assert "clean: 近日，富拉尔基区住建部门对辖区供热企业开展专项检查" in out
        assert "parsed: 2026-11-25 10:30:00+08:00" in out


def test_try_unknown_source_names_the_way_out(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "sources", "try", "no-such-site", "--file", __file__)
    assert code != 0
    assert err.strip() == (
        "error: no source named 'no-such-site' in the config (try --source-yaml FILE)"
    )


# -- over HTTP: a loopback server ------------------------------------------------------------
class _Site(http.server.BaseHTTPRequestHandler):
    pages: ClassVar[dict[str, tuple[int, bytes]]] = {}

    def do_GET(self) -> None:
        status, body = self.pages.get(self.path, (404, b"not found"))
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def site() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Site)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


LIST = """<html><body><ul>
<li><a href="/a/1.html">一</a></li><li><a href="/a/2.html">二</a></li>
<li><a href="http://elsewhere.example/a/3.html">外站</a></li>
</ul></body></html>"""
ARTICLE = """<html><body><h1>供暖不热</h1><div class="c">室温只有十四度，盼解决。</div>
<span class="t">2026-11-26 08:00</span></body></html>"""


def _source(tmp_path: Path, base: str) -> Path:
    path = tmp_path / "site.yaml"
    path.write_text(
        f"""
sources:
  - name: loop
    kind: listing
    start_urls: ["{base}/list.html"]
    item: li
    links: a::attr(href)
    fields: {{title: h1::text, text: div.c, published: span.t::text}}
""",
        encoding="utf-8",
    )
    return path


def test_try_over_http_follows_links_on_the_site_only_and_obeys_robots(
    capsys: pytest.CaptureFixture[str], site: str, tmp_path: Path
) -> None:
    _Site.pages = {
        "/robots.txt": (200, b"User-agent: *\nDisallow: /a/2.html\n"),
        "/list.html": (200, LIST.encode()),
        "/a/1.html": (200, ARTICLE.encode()),
        "/a/2.html": (200, ARTICLE.encode()),
    }
    path = _source(tmp_path, site)
    code, out, err = run(capsys, "sources", "try", "--source-yaml", str(path), "--limit", "5")
    assert code == 0, err
    assert "off-site       1 link(s) not followed (allowed_domains)" in out
    assert "✗ http://elsewhere.example/a/3.html" in out
    assert f"DROPPED PAGE   page:robots: {site}/a/2.html — forbidden by robots.txt" in out
    assert "clean: 室温只有十四度，盼解决。" in out
    assert "summary: 1 of 1 item(s) would be stored; 3 page(s) read" in out
    assert "page:offsite=1" in out and "page:robots=1" in out


def test_try_over_http_reports_404s_and_exits_1(
    capsys: pytest.CaptureFixture[str], site: str, tmp_path: Path
) -> None:
    _Site.pages = {"/list.html": (200, LIST.encode())}
    path = _source(tmp_path, site)
    code, out, _ = run(capsys, "sources", "try", "--source-yaml", str(path), "--limit", "5")
    assert code == 1
    assert f"DROPPED PAGE   page:http_404: {site}/a/1.html" in out
    assert "dropped: page:http_404=2, page:offsite=1" in out
    assert "nothing would be stored" in out
