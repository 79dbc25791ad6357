"""Where a post is: how it names its district, and which districts a text names."""

from __future__ import annotations

from tools.corpus.context import Ctx

# Farms, kilns, mills and workshops sit in towns and villages; shops, stalls and sites in
# sub-districts and near landmarks.
RURAL_SECTORS = frozenset(
    {"aquaculture", "quarrying_mining", "characteristic_industry", "scattered_pollution"}
)
STREET_SECTORS = frozenset({"life_services", "urban_management", "construction"})


def town_like(p: str) -> bool:
    return p.endswith(("镇", "乡"))


def admin_like(p: str) -> bool:
    return p.endswith(("镇", "乡", "街道", "村"))


def mention(c: Ctx, district: str | None, sector: str | None = None) -> str:
    """How a post names the place it is about. No district: city-level wording or nothing.

    Rural sectors prefer towns and villages, urban ones sub-districts and landmarks; landmarks get
    a locative (附近, 一带) so that nobody 'lives in' a park.
    """
    pl = c.f.places
    if district is None:
        return c.pick(pl.city_wording)
    d = c.districts[district]
    places = d.places
    if sector in RURAL_SECTORS:
        pref = [p for p in places if town_like(p)]
        if not pref:  # an urban district: farms and kilns sit on its outskirts
            return district + c.pick(pl.outskirts) + c.opt(0.5, c.pick(pl.villages))
    elif sector in STREET_SECTORS:
        pref = [p for p in places if p.endswith("街道") or not admin_like(p)] or places
    else:
        pref = places
    p = c.pick(pref) if c.chance(0.8) else c.pick(places)
    if town_like(p) and c.chance(0.35):
        p = p + c.pick(pl.villages)
    elif p.endswith("街道") and c.chance(0.35):
        p = p + c.pick(pl.communities)
    elif not admin_like(p):
        p = p + c.pick(pl.near_landmark)
    roll = c.dice.roll()
    if roll < 0.30:
        return district
    if roll < 0.42 and d.aliases:
        return c.pick(d.aliases)
    if roll < 0.64:
        return district + p
    if roll < 0.69:
        return pl.city_prefix + district + c.opt(0.5, p)
    return p


def area_of(c: Ctx, place: str, sector: str | None = None) -> str:
    """The area a collective event covers."""
    areas = c.f.places.areas
    if sector in RURAL_SECTORS:
        pool = areas.rural
    elif sector == "industrial_park":
        pool = areas.park
    elif sector in ("life_services", "urban_management"):
        pool = areas.street
    else:
        pool = areas.general
    return c.pick(pool).format(place=place)


def choose_district(c: Ctx, p_empty: float = 0.12) -> str | None:
    if c.chance(p_empty):
        return None
    return c.pick(list(c.districts))


class Gazetteer:
    """Districts a text names (longest match first, as the tagger matches)."""

    def __init__(self, c: Ctx) -> None:
        terms = [(t, d.name) for d in c.f.places.districts for t in [d.name, *d.aliases, *d.places]]
        self._terms = sorted(terms, key=lambda x: -len(x[0]))

    def districts_named(self, text: str) -> set[str]:
        found = set()
        for term, name in self._terms:
            if term in text:
                found.add(name)
                text = text.replace(term, "＊")
        return found
