"""The label vocabulary of ../shared/spec/labels.md that code relies on: the sector codes, in
the spec's order, with their Chinese names (alerts, digests and the web show the names).

One list for the tagger's corpus, the demo content, alerts and the web."""

from __future__ import annotations

SECTOR_NAMES: dict[str, str] = {
    "construction": "建筑施工",
    "life_services": "生活服务业",
    "aquaculture": "养殖业",
    "characteristic_industry": "特色产业",
    "industrial_park": "工业园区企业",
    "quarrying_mining": "采石采矿",
    "urban_management": "城市管理",
    "scattered_pollution": "散乱污",
    "other": "其他",
}
SECTORS: tuple[str, ...] = tuple(SECTOR_NAMES)
