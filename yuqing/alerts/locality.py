"""The locality gate: a post opens an incident only when it is about the configured city.

A post is the city's own when the tagger found a district of the gazetteer in it (a district,
town, street or landmark: ``post_tags.district``), or the city's own name (齐齐哈尔, 齐市, 鹤城:
``post_tags.city_match``), or when its source is declared local (``local: true`` in
sources.yaml: the city's own message boards and media). Other posts are stored, tagged and
searchable, but raise no alert, are not queued for triage and do not count in surges; digests
count them apart (其他地区). ``settings.locality.enabled: false`` turns the gate off.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select, true

from yuqing.alerts.glossary import source_title
from yuqing.config import Config
from yuqing.store.models import Post, PostTag, Source

OTHER_REGION = "其他地区"


@dataclass(frozen=True)
class Locality:
    local: bool
    why: str  # English, for the CLI and logs
    why_zh: str  # Chinese, for the web pages


def local_sources(config: Config) -> frozenset[str]:
    return frozenset(s.name for s in config.sources.sources if s.local)


def gate_on(config: Config) -> bool:
    return config.settings.locality.enabled


def decide(
    config: Config, district: str | None, city_match: str | None, source: str | None
) -> Locality:
    """Whether a post with these tags, from ``source``, is the city's own, and why."""
    if district:
        return Locality(True, f"names a place of {district}", f"本地：提及{district}的地名")
    if city_match:
        return Locality(True, f"names the city ({city_match})", f"本地：提及本市（“{city_match}”）")
    if source and source in local_sources(config):
        title = source_title(source, config.sources.sources)
        return Locality(True, f"source {source} is local", f"本地：来自本地信源（{title}）")
    if not gate_on(config):
        return Locality(
            True,
            "names no place of the city, but the locality gate is off",
            "未提及本市地名（属地过滤已关闭）",
        )
    return Locality(
        False,
        "names no district, town or street of the city nor the city itself, and its source "
        "is not local: stored and searchable, never alerted",
        f"{OTHER_REGION}：未提及本市区县、乡镇、街道或市名，信源也非本地，不预警",
    )


def local_source_ids(session: Any, config: Config) -> set[int]:
    names = sorted(local_sources(config))
    if not names:
        return set()
    return set(session.execute(select(Source.id).where(Source.name.in_(names))).scalars())


def local_condition(config: Config) -> ColumnElement[bool]:
    """A SQL condition on ``PostTag`` joined with ``Post``: the post is the city's own (always
    true while the gate is off)."""
    if not gate_on(config):
        return true()
    named = or_(
        and_(PostTag.district.is_not(None), PostTag.district != ""),
        PostTag.city_match.is_not(None),
    )
    names = sorted(local_sources(config))
    if not names:
        return named
    return or_(named, Post.source_id.in_(select(Source.id).where(Source.name.in_(names))))
