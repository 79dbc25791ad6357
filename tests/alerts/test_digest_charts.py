"""Charts render Chinese with a font that has the glyphs (not boxes), as non-empty PNGs."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from yuqing.alerts import charts
from yuqing.alerts.digest import STATES
from yuqing.alerts.labels import SECTOR_NAMES

PNG = b"\x89PNG\r\n\x1a\n"


def test_font_has_every_label_the_digest_draws(config: object) -> None:
    from yuqing.config import load

    gazetteer = load(env={}).gazetteer
    labels = [
        *SECTOR_NAMES.values(),
        *gazetteer.district_names(),
        *(s[1] for s in STATES),
        "近14日各行业帖文数",
        "各地区帖文数",
        "事件处置情况",
        "帖文数",
        "暂无帖文",
        "暂无数据",
        "未识别",
        "11月27日",
    ]
    assert charts.missing_glyphs("".join(labels)) == []


def test_a_character_the_font_lacks_is_refused() -> None:
    lacking = "\U0002a6d6"  # CJK Extension B, outside WenQuanYi Micro Hei
    assert charts.missing_glyphs(lacking) == [lacking]
    with pytest.raises(charts.ChartError, match="cannot draw"):
        charts.bar_chart([(lacking, 1)], "标题")


def test_trend_chart_png_and_deterministic() -> None:
    days = [date(2026, 11, 14) + timedelta(days=i) for i in range(14)]
    series = {"生活服务业": list(range(14)), "建筑施工": [1] * 14, "养殖业": [0] * 14}
    a = charts.trend_chart(days, series, "近14日各行业帖文数")
    b = charts.trend_chart(days, series, "近14日各行业帖文数")
    assert a.startswith(PNG) and len(a) > 5000
    assert a == b


def test_empty_charts_still_render() -> None:
    days = [date(2026, 11, 14) + timedelta(days=i) for i in range(14)]
    assert charts.trend_chart(days, {}, "近14日各行业帖文数").startswith(PNG)
    assert charts.bar_chart([], "各地区帖文数").startswith(PNG)
