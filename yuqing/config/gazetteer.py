"""The gazetteer (config/gazetteer/<city>.yaml): county-level units with aliases and places."""

from __future__ import annotations

from functools import cache
from importlib import resources

import yaml
from pydantic import Field, model_validator

from yuqing.config.sources import Strict


class District(Strict):
    name: str
    aliases: list[str] = Field(default_factory=list)
    places: list[str] = Field(default_factory=list)

    def names(self) -> list[str]:
        return [self.name, *self.aliases, *self.places]


class Gazetteer(Strict):
    city: str
    city_aliases: list[str] = Field(default_factory=list)
    districts: list[District] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_names(self) -> Gazetteer:
        seen: dict[str, str] = {}
        for i, d in enumerate(self.districts):
            for n in d.names():
                if n in seen and seen[n] != d.name:
                    raise ValueError(
                        f"districts[{i}]: name {n!r} is listed under both "
                        f"{seen[n]!r} and {d.name!r}"
                    )
                seen[n] = d.name
        return self

    def district_names(self) -> list[str]:
        return [d.name for d in self.districts]


@cache
def shipped(name: str = "qiqihar") -> Gazetteer:
    """A gazetteer as shipped (``yuqing/config/gazetteer/<name>.yaml``), without the config's
    layers: for what is written for that city (the demo site's content, benchmarks)."""
    text = resources.files("yuqing.config").joinpath("gazetteer", f"{name}.yaml").read_text("utf-8")
    return Gazetteer.model_validate(yaml.safe_load(text))
