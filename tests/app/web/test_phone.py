"""Phone-first officer pages (issue 13 item 6), in headless Chromium at a phone width (390 px)
and a desktop width (1280 px): no horizontal overflow, the nav reachable, list rows as cards
whose cells are not one character wide, 44 px tap targets on phones; and the inbox's bulk
签收, search, countdown and page count working in the browser.

The digest detail page, the dashboard and the admin pages are checked at both widths too.
``YUQING_SCREENSHOTS=DIR`` keeps a screenshot of every page checked.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.app.web.test_browser import Watch, browser, live_server, login, shot  # noqa: F401

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
WIDTHS = {"phone": PHONE, "desktop": DESKTOP}

OFFICER = [
    "/inbox",
    "/inbox?status=all",
    "/incidents/{lsq}",
    "/triage",
    "/digests",
    "{digest}",  # a digest's detail page (issue 13: opened from the digest mail on a phone)
    "/dashboard",
]
# issue 13: the admin pages at phone width too (an admin on duty opens them from a phone)
ADMIN = [
    "/admin/users",
    "/admin/silences",
    "/admin/sources",
    "/admin/sources/{source_ok}",
    "/admin/departments",
    "/admin/audit",
    "/dashboard",
]
ANALYST = [
    "/inbox",
    "/posts?from=2026-11-20&to=2026-11-27",
    "/search?q=关停",
    "/dashboard?from=2026-11-20&to=2026-11-27",
]

LAYOUT = """() => {
  const vw = document.documentElement.clientWidth;
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    const st = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && st.visibility !== "hidden" && st.display !== "none";
  };
  const box = (el) => { const r = el.getBoundingClientRect();
    return {text: (el.innerText || el.value || "").trim().slice(0, 30), left: r.left,
            right: r.right, width: r.width, height: r.height}; };
  const cells = [...document.querySelectorAll("table.cards td")].filter(visible)
    .filter((td) => (td.innerText || "").trim().length >= 4).map(box);
  const targets = [...document.querySelectorAll(
      "main button, main a.button, main select, main input[type=search], nav.nav a, .tabs a")]
    .filter(visible).map(box);
  return {
    vw: vw,
    scrollWidth: document.documentElement.scrollWidth,
    nav: [...document.querySelectorAll("nav.nav a")].map((a) => ({...box(a), shown: visible(a)})),
    cells: cells,
    targets: targets,
  };
}"""


def _check_layout(page: Any, width: str, url: str) -> None:
    got = page.evaluate(LAYOUT)
    assert got["scrollWidth"] <= got["vw"], f"{url} at {width}: page scrolls sideways"
    for a in got["nav"]:
        assert a["shown"] and a["left"] >= 0 and a["right"] <= got["vw"] + 0.5, (url, a)
    for cell in got["cells"]:  # at 390 px the old table broke to one character per line
        assert cell["width"] >= 56, (url, width, cell)
    if width == "phone":
        small = [t for t in got["targets"] if t["height"] < 44]
        assert small == [], (url, small)


@pytest.mark.parametrize("width", sorted(WIDTHS))
@pytest.mark.parametrize(
    ("username", "pages"), [("lsq1", OFFICER), ("ana", ANALYST), ("admin", ADMIN)]
)
def test_pages_fit_phone_and_desktop(
    browser: Any,  # noqa: F811
    live_server: tuple[str, Any],  # noqa: F811
    width: str,
    username: str,
    pages: list[str],
) -> None:
    """issue 13: usable at 390 px (cards, 44 px targets, nav wraps) and still at 1280 px."""
    base, seed = live_server
    context = browser.new_context(viewport=WIDTHS[width], locale="zh-CN")
    page = context.new_page()
    watch = Watch(page)
    login(page, base, username)
    for template in pages:
        url = template.format(**vars(seed))
        page.goto(base + url)
        _check_layout(page, width, url)
        name = url.split("?")[0].strip("/").replace("/", "-")
        shot(page, f"{width}-{username}-{name}")
    watch.check()
    context.close()


def test_inbox_on_a_phone_cards_countdown_bulk_acknowledge(
    browser: Any,  # noqa: F811
    live_server: tuple[str, Any],  # noqa: F811
) -> None:
    """issue 13: the inbox on a phone: each incident a card with its snippet and countdown;
    search; tick and 签收 in one POST; the result said in Chinese."""
    base, seed = live_server
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    watch = Watch(page)
    login(page, base, "lsq1")
    card = page.locator(f'tr[data-incident="{seed.lsq}"]')
    assert page.locator("#inbox thead").is_hidden()  # cards, not a table
    box = card.bounding_box()
    assert box is not None and box["width"] > 300
    assert "已超时 1 小时 0 分" in card.inner_text()
    assert page.locator(f'[data-snippet="{seed.lsq}"]').inner_text() != ""
    assert "剩余 2 小时 0 分" in page.locator(f'tr[data-incident="{seed.escalated}"]').inner_text()
    assert page.locator(".page-no").inner_text() == "第 1 / 1 页"
    shot(page, "phone-inbox")

    page.fill("#inbox-q", "烧烤")
    page.click("#inbox-filters button[type=submit]")
    page.wait_for_load_state()
    rows = page.locator("#inbox tr[data-incident]").evaluate_all(
        "rs => rs.map(r => r.dataset.incident)"
    )
    assert rows == [str(seed.lsq)]

    page.goto(f"{base}/inbox")
    page.check("#select-all")
    assert page.locator("input[name=incident]:checked").count() == 1  # lsq: the one 待签收
    ack = page.locator("#bulk-ack").bounding_box()
    assert ack is not None and ack["height"] >= 44
    page.click("#bulk-ack")
    page.wait_for_url(f"{base}/inbox?status=active&acked=1")
    assert page.locator("#bulk-result").inner_text() == "已签收 1 件。"
    assert "已签收" in page.locator(f'tr[data-incident="{seed.lsq}"]').inner_text()
    shot(page, "phone-inbox-acknowledged")
    watch.check()
    context.close()
