"""The digest pages: the link every digest carries resolves (regression: it 404'd); the list
and one digest, scoped as incidents are; rendered from the archived data with the site's own
templates (never the e-mail HTML and its inline styles); hostile post text stays inert."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import lxml.html
import pytest
from sqlalchemy import select

from tests.app.web.conftest import Clients, Seed, text_of
from tests.app.web.test_escaping import assert_inert
from yuqing.alerts import digest
from yuqing.alerts.digest_archive import data_path
from yuqing.alerts.labels import SEVERITY_NAMES
from yuqing.alerts.messages import Rendered
from yuqing.app.web import labels as web_labels
from yuqing.config import Config
from yuqing.store.models import Digest, Notification, User
from yuqing.store.session import Database

SATURDAY = datetime(2026, 11, 28, 0, 0, tzinfo=UTC)  # 08:00 in China: the 27th's digests
MONDAY = datetime(2026, 11, 30, 0, 0, tzinfo=UTC)  # the 29th's, and the week's (weekly day)
KEEP = ("lsq", "jhq", "dcs")  # dcs is routing.escalation_receiver: it gets the city's
HOSTILE_ESCAPED = "&lt;script&gt;alert(&#39;t&#39;)&lt;/script&gt;{{ 7*7 }}标题"
LSQ_27 = "/digests/daily/2026-11-27/lsq"


def run_digests(config: Config, db: Database, now: datetime) -> None:
    """The scheduler's digest job, for three departments and the city (all 28 are slow)."""
    small = config.model_copy(deep=True)
    small.departments.departments = [d for d in small.departments.departments if d.code in KEEP]
    result = digest.run_daily(small, db, now=now)
    assert result.errors == [] and result.rendered > 0


@pytest.fixture
def digests(
    seed: Seed, config: Config, sqlite_database: Database, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """The 27th's daily digests, the 29th's daily and weekly ones; without the e-mail's PNG
    charts (matplotlib is slow, and the pages draw their own)."""
    monkeypatch.setattr(digest, "_charts", lambda view, data: {})
    run_digests(config, sqlite_database, SATURDAY)
    run_digests(config, sqlite_database, MONDAY)
    yield


def listed(html: str) -> list[str]:
    return re.findall(r'<tr data-digest="([^"]+)"', html)


def links_in(row: Notification, html: str, text: str) -> set[str]:
    """Every link to the web app in what a digest sends: the e-mail HTML's 在舆情工作台中查看,
    the plain text's 详情, the payload, the chat and SMS renderings."""
    doc = lxml.html.document_fromstring(html)
    anchors = [
        a.get("href") for a in doc.cssselect("a") if a.text_content() == "在舆情工作台中查看"
    ]
    assert len(anchors) == 1
    details = [line.split("：", 1)[1] for line in text.splitlines() if line.startswith("详情：")]
    rendered = Rendered(row.payload, "Asia/Shanghai", {})
    url = row.payload["digest"]["url"]
    assert url in rendered.text and url in rendered.markdown() and url in rendered.sms
    return {*anchors, *details, url}


# -- the link in the digest -----------------------------------------------------------------


def test_the_link_in_every_digest_resolves(
    clients: Clients, seed: Seed, config: Config, sqlite_database: Database
) -> None:
    """Regression: 在舆情工作台中查看 pointed at /digests/… which the web app did not serve."""
    run_digests(config, sqlite_database, SATURDAY)  # with the e-mail's real PNG charts
    with sqlite_database.session() as s:
        sent = s.execute(
            select(Notification, Digest).join(Digest, Notification.digest_id == Digest.id)
        ).all()
        s.expunge_all()
    readers = {"city": "dcs1", "dcs": "dcs1", "lsq": "lsq1", "jhq": "jhq1"}
    others = {"city": "lsq1", "dcs": "jhq1", "lsq": "jhq1", "jhq": "lsq1"}
    base = config.settings.base_url.rstrip("/")
    anonymous, admin = clients.new(), clients.login("admin")
    seen = set()
    for row, d in sent:
        (url,) = links_in(row, d.html, d.text)
        assert url == f"{base}/digests/daily/2026-11-27/{d.department_code}"
        path = url.removeprefix(base)
        r = anonymous.get(path)
        assert r.status_code == 303 and r.headers["location"] == "/login?next=" + quote(path, "")
        for client in (clients.login(readers[d.department_code]), admin):
            page = client.get(path)
            assert page.status_code == 200, (path, page.status_code)
            assert d.text.splitlines()[0] in page.text  # the digest's title
            assert "data:image" not in page.text and "style=" not in page.text
            assert "<style" not in page.text
        assert clients.login(others[d.department_code]).get(path).status_code == 404
        seen.add(d.department_code)
    assert seen == set(readers)


@pytest.mark.parametrize(
    "path",
    [
        "/digests/daily/2026-11-26/lsq",  # no digest that day
        "/digests/daily/2026-11-27/nope",
        "/digests/weekly/2026-11-27/lsq",
        "/digests/monthly/2026-11-27/lsq",
        "/digests/daily/2026-13-01/lsq",
        "/digests/daily/20261127/lsq",
        "/digests/daily/2026-11-27",
    ],
)
def test_unknown_digest_is_404(clients: Clients, seed: Seed, path: str) -> None:
    r = clients.login("admin").get(path)
    assert r.status_code == 404 and "未找到" in r.text


def test_officer_without_department_is_refused(
    clients: Clients, seed: Seed, sqlite_database: Database
) -> None:
    with sqlite_database.session() as s:
        s.scalar(select(User).where(User.username == "ana")).role = "officer"  # type: ignore[union-attr]
    assert clients.login("ana").get(seed.digest).status_code == 403


# -- the list -------------------------------------------------------------------------------


def test_list_is_newest_first_and_filters(clients: Clients, digests: None) -> None:
    admin = clients.login("admin")
    rows = listed(admin.get("/digests").text)
    expected = [
        *(
            f"/digests/{p}/2026-11-29/{c}"
            for p in ("weekly", "daily")
            for c in ("city", "dcs", "jhq", "lsq")
        ),
        *(f"/digests/daily/2026-11-27/{c}" for c in ("city", "dcs", "jhq", "lsq")),
    ]
    assert rows == expected
    assert listed(admin.get("/digests?department=lsq").text) == [
        "/digests/weekly/2026-11-29/lsq",
        "/digests/daily/2026-11-29/lsq",
        LSQ_27,
    ]
    assert listed(admin.get("/digests?period=weekly&department=city").text) == [
        "/digests/weekly/2026-11-29/city"
    ]
    assert len(listed(admin.get("/digests?period=weekly").text)) == 4
    # unknown values are ignored, not echoed
    page = admin.get("/digests?period=<b>x</b>&department=nope")
    assert listed(page.text) == expected and "<b>x" not in page.text
    bad = admin.get("/digests?page=abc")  # issue 14: a bad page number is a 400 that says so
    assert bad.status_code == 400 and "参数 page 的值 'abc' 无效" in text_of(bad.text)


def test_officer_lists_only_what_their_department_receives(clients: Clients, digests: None) -> None:
    lsq = clients.login("lsq1")
    mine = ["/digests/weekly/2026-11-29/lsq", "/digests/daily/2026-11-29/lsq", LSQ_27]
    assert listed(lsq.get("/digests").text) == mine
    # a department filter in the URL does not widen an officer's view
    assert listed(lsq.get("/digests?department=jhq").text) == mine
    assert listed(lsq.get("/digests?department=city").text) == mine
    # the escalation receiver's officers get the city-wide digests (as they are sent them)
    dcs = listed(clients.login("dcs1").get("/digests").text)
    assert {p.rsplit("/", 1)[1] for p in dcs} == {"city", "dcs"} and len(dcs) == 6
    assert 'name="department"' not in lsq.get("/digests").text  # nothing to choose from
    assert 'value="city"' in clients.login("dcs1").get("/digests").text
    # analysts read every digest, as they read every incident
    assert len(listed(clients.login("ana").get("/digests").text)) == 12


def test_list_pages(
    clients: Clients, seed: Seed, monkeypatch: pytest.MonkeyPatch, digests: None
) -> None:
    from yuqing.app.web import digests as web_digests

    monkeypatch.setattr(web_digests, "PAGE_SIZE", 5)
    admin = clients.login("admin")
    first = admin.get("/digests").text
    second = admin.get("/digests?page=2").text
    third = admin.get("/digests?page=3").text
    assert len(listed(first)) == 5 and len(listed(second)) == 5 and len(listed(third)) == 2
    assert "下一页" in first and "下一页" not in third
    assert not set(listed(first)) & set(listed(second))


# -- one digest -----------------------------------------------------------------------------


def test_digest_page_shows_the_archived_digest(
    clients: Clients, config: Config, sqlite_database: Database, digests: None
) -> None:
    html = clients.login("lsq1").get(LSQ_27).text
    page = lxml.html.document_fromstring(html)
    with sqlite_database.session() as s:
        row = s.scalar(
            select(Digest).where(Digest.department_code == "lsq", Digest.day == "2026-11-27")
        )
        assert row is not None
        mail = lxml.html.document_fromstring(row.html)

    def metrics(doc: lxml.html.HtmlElement) -> dict[str, list[str]]:
        return {
            tr.get("data-metric"): [td.text_content() for td in tr.cssselect("td")]
            for tr in doc.cssselect("#counts tr[data-metric]")
        }

    def incidents(doc: lxml.html.HtmlElement) -> dict[str, list[str]]:
        return {
            t.get("data-section"): [
                tr.get("data-incident") for tr in t.cssselect("tr[data-incident]")
            ]
            for t in doc.cssselect("table.incidents")
        }

    assert metrics(page) == metrics(mail) and metrics(page)["posts"][1] == "2"
    assert incidents(page) == incidents(mail) and incidents(page)
    assert page.cssselect("#digest-title")[0].text_content() == "龙沙区人民政府舆情日报（11月27日）"
    # the web's own SVG charts from the archived chart data, no images; a one-bar district
    # chart is a sentence instead (issue 13), as in the e-mail
    assert len(page.cssselect("svg.chart")) == 2 and not page.cssselect("img")
    assert "识别出区县的帖文均在龙沙区" in page.cssselect("#chart-notes")[0].text_content()
    judgement = page.cssselect("#judgement p")[0].text_content()
    assert judgement.startswith("本期监测到本地帖文") and judgement in row.text
    assert "<title>2026-11-27 生活服务业：2</title>" in html
    # severities in the web's words (regression: digests said 高/中), as badges
    assert '<span class="badge sev-high">紧急</span>' in html
    assert web_labels.SEVERITY_ZH == SEVERITY_NAMES
    # incidents link inside the site
    hrefs = [a.get("href") for a in page.cssselect("table.incidents a")]
    assert hrefs and all(h.startswith("/incidents/") for h in hrefs)


def test_hostile_post_title_is_escaped(clients: Clients, digests: None) -> None:
    for user, path in (("lsq1", LSQ_27), ("dcs1", "/digests/daily/2026-11-27/city")):
        html = clients.login(user).get(path).text
        assert_inert(html)
        assert HOSTILE_ESCAPED in html
        assert "&lt;img src=x onerror=alert(2)&gt;" in html
        assert "（链接不可用）" in html  # its javascript: URL is no link


def test_digest_without_archived_data_shows_its_text(
    clients: Clients, seed: Seed, config: Config, sqlite_database: Database
) -> None:
    """Digests archived before the JSON existed: their plain text, escaped."""
    with sqlite_database.session() as s:
        row = s.scalar(select(Digest).where(Digest.department_code == "lsq"))
        assert row is not None and row.path
        data_path(Path(row.path)).unlink()
        row.text = "龙沙区人民政府舆情日报（11月27日）\n重点帖文：<script>alert('t')</script>"
    html = clients.login("lsq1").get(seed.digest).text
    assert 'id="digest-text"' in html and 'id="counts"' not in html
    assert "重点帖文：&lt;script&gt;alert(&#39;t&#39;)&lt;/script&gt;" in html
    assert_inert(html)


def test_archived_data_of_another_digest_is_not_shown(
    clients: Clients, seed: Seed, sqlite_database: Database
) -> None:
    """A JSON file that names another digest (copied by hand, say) falls back to the text."""
    with sqlite_database.session() as s:
        row = s.scalar(select(Digest).where(Digest.department_code == "lsq"))
        assert row is not None and row.path
        path = data_path(Path(row.path))
        path.write_text(path.read_text("utf-8").replace('"lsq"', '"jhq"'), encoding="utf-8")
    html = clients.login("lsq1").get(seed.digest).text
    assert 'id="digest-text"' in html and 'id="counts"' not in html


# -- layout ---------------------------------------------------------------------------------


@pytest.mark.parametrize("user", ["lsq1", "ana", "admin"])
def test_nav_has_the_digests(clients: Clients, seed: Seed, user: str) -> None:
    client = clients.login(user)
    assert '<a href="/digests">日报</a>' in client.get("/inbox").text
    for path in ("/digests", seed.digest):
        assert (
            '<a href="/digests" class="active" aria-current="page">日报</a>'
            in client.get(path).text
        )


def test_digest_pages_change_nothing(clients: Clients, seed: Seed) -> None:
    """Read-only pages: no POST routes (so no CSRF surface), no forms that post."""
    admin = clients.login("admin")
    for path in ("/digests", seed.digest):
        assert admin.post(path, data={}).status_code == 405
        page = admin.get(path).text.split("<main", 1)[1]
        assert 'method="post"' not in page


# -- `yuqing digest` ------------------------------------------------------------------------


def test_cli_digest_link_resolves(
    clients: Clients,
    seed: Seed,
    config: Config,
    sqlite_database: Database,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Issue 13: `yuqing digest` wrote the files but recorded nothing, so the 详情 link it
    printed (and put in the digest) was 404 in the web app."""
    from yuqing.app.cli import main

    lsq1 = clients.login("lsq1")
    assert lsq1.get("/digests/daily/2026-11-25/lsq").status_code == 404
    args = ["--data-dir", str(config.settings.data_dir), "--database-url"]
    args += [f"sqlite:///{tmp_path / 'test.db'}", "--log-level", "WARNING"]
    code = main([*args, "digest", "--date", "2026-11-25", "--department", "lsq"])
    out, err = capsys.readouterr()
    assert code == 0, err
    url = out.strip().rsplit("web: ", 1)[1]
    path = url.removeprefix(config.settings.base_url.rstrip("/"))
    assert path == "/digests/daily/2026-11-25/lsq"
    page = lsq1.get(path)
    assert page.status_code == 200
    assert "龙沙区人民政府舆情日报（11月25日）" in page.text
    assert path in lsq1.get("/digests").text  # listed too
    with sqlite_database.session() as s:
        row = s.scalars(select(Digest).where(Digest.day == "2026-11-25")).one()
        assert row.sent_at is None  # recorded, not sent: the scheduler still sends its own
