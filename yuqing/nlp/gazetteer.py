"""District matching: leftmost-longest search for the gazetteer's names, aliases and places.

The city's own names (齐齐哈尔, 齐市, …) and known false friends (黑龙江 contains 龙江, 克山病
contains 克山, 否极泰来 contains 泰来, 发展乡村 contains 发展乡, …) are part of the same
search but resolve to no district, so a longer harmless word hides the name inside it.
When several districts are named, the one named most often wins (a mention in the title counts
double); ties go to the earliest mention.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from yuqing.config.gazetteer import Gazetteer
from yuqing.nlp.normalize import normalize_for_matching
from yuqing.nlp.rules import map_back
from yuqing.nlp.trie import compile_terms

# Words that contain a gazetteer name but do not mean the place. Only entries whose inner name
# is in the gazetteer are used, so this list can serve every city.
FALSE_FRIENDS: tuple[str, ...] = (
    "黑龙江",
    "克山病",
    "否极泰来",
    "依安全生产",  # 依《安全生产法》…
    "依安全规",
    "依安全法",
    "共同富裕",
)
# A township name ending in 乡 followed by 村 or 镇 is mostly 乡村/乡镇 ("发展乡村振兴").
_XIANG_CUN = re.compile(r"[村镇]")


@dataclass(frozen=True)
class PlaceMatch:
    district: str
    name: str  # as it reads in the text
    start: int
    end: int
    in_title: bool = False


class GazetteerMatcher:
    """Finds the district a post is about. Build once per gazetteer; matching is thread-safe."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.lookup: dict[str, str | None] = {}
        for d in gazetteer.districts:
            for name in d.names():
                self.lookup[normalize_for_matching(name)] = d.name
        names = list(self.lookup)
        self.city_names: frozenset[str] = frozenset(
            normalize_for_matching(w) for w in (gazetteer.city, *gazetteer.city_aliases)
        )
        for word in self.city_names:
            self.lookup.setdefault(word, None)
        for word in FALSE_FRIENDS:
            if any(n in word for n in names):
                self.lookup.setdefault(word, None)
        self.names = sorted(n for n, d in self.lookup.items() if d is not None)
        self._pattern = compile_terms(self.lookup)

    def find_all(self, text: str, *, normalized: str | None = None) -> list[PlaceMatch]:
        """Every place name in ``text`` (leftmost-longest, non-overlapping)."""
        return self._scan(text, normalized)[0]

    def _scan(self, text: str, normalized: str | None) -> tuple[list[PlaceMatch], str | None]:
        """The place names in ``text`` and the first of the city's own names (as spelled)."""
        if self._pattern is None or not text:
            return [], None
        norm = normalized if normalized is not None else normalize_for_matching(text)
        out = []
        city = None
        for m in self._pattern.finditer(norm):
            district = self.lookup.get(m.group())
            if district is None:
                if city is None and m.group() in self.city_names:
                    city = map_back(text, norm, m.span())
                continue
            if m.group().endswith("乡") and _XIANG_CUN.match(norm, m.end()):
                continue
            out.append(PlaceMatch(district, map_back(text, norm, m.span()), m.start(), m.end()))
        return out, city

    def match(
        self,
        title: str,
        text: str,
        norm_title: str | None = None,
        norm_text: str | None = None,
    ) -> PlaceMatch | None:
        """The district the post is about, with the name that decided it; None if none named.
        ``norm_*`` are the texts already normalized, when the caller has them."""
        return self.locate(title, text, norm_title, norm_text)[0]

    def locate(
        self,
        title: str,
        text: str,
        norm_title: str | None = None,
        norm_text: str | None = None,
    ) -> tuple[PlaceMatch | None, str | None]:
        """:meth:`match`, and the first of the city's own names (齐齐哈尔 / 齐市 …) the post
        uses, as spelled (None if it uses none), whether or not a district resolves."""
        in_title, city = self._scan(title, norm_title)
        found = [PlaceMatch(m.district, m.name, m.start, m.end, True) for m in in_title]
        more, city_in_text = self._scan(text, norm_text)
        found += more
        city = city or city_in_text
        if not found:
            return None, city
        score: dict[str, float] = {}
        first: dict[str, int] = {}
        for i, m in enumerate(found):
            score[m.district] = score.get(m.district, 0.0) + (2.0 if m.in_title else 1.0)
            first.setdefault(m.district, i)
        best = max(score, key=lambda d: (score[d], -first[d]))
        return found[first[best]], city
