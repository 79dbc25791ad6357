"""Sources over several files (``<config dir>/sources.d/*.yaml``) and hints for source keys
that belong to another spider kind (issue 12)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from yuqing.config.errors import ConfigError
from yuqing.config.models import SECTION_FILES


def _read(path: Path) -> dict[str, Any]:
    from yuqing.config.loader import read_yaml

    return read_yaml(path)


def _name(path: Path) -> str:
    from yuqing.config.loader import display_name

    return display_name(path)


SOURCES_DIR = "sources.d"


def sources_d(user_dir: Path, errors: list[ConfigError]) -> list[tuple[Path, dict[str, Any]]]:
    """``<config dir>/sources.d/*.yaml`` in name order, each holding only ``sources:``. They
    merge after sources.yaml (so they may change a shipped source, like sources.yaml); a
    source name defined by two of the user's files is an error naming both."""
    directory = user_dir / SOURCES_DIR
    if not directory.is_dir():
        return []
    defined: dict[str, str] = {}
    own = user_dir / SECTION_FILES["sources"]
    out: list[tuple[Path, dict[str, Any]]] = []
    paths = sorted(directory.glob("*.y*ml"))
    for path in [own, *paths] if own.exists() else paths:
        try:
            content = _read(path)
        except ConfigError as exc:
            if path != own:
                errors.append(exc)
            continue
        name = _name(path)
        if path != own and set(content) - {"sources"}:
            extra = sorted(str(k) for k in set(content) - {"sources"})
            errors.append(
                ConfigError(name, extra[0], "unknown key (a sources.d file holds only sources:)")
            )
            continue
        entries = content.get("sources") or []
        if not isinstance(entries, list):
            errors.append(ConfigError(name, "sources", "expected a list of sources"))
            continue
        clash = False
        for i, entry in enumerate(entries):
            source = entry.get("name") if isinstance(entry, dict) else None
            if not isinstance(source, str):
                continue
            first = defined.setdefault(source, name)
            if first != name:
                clash = True
                errors.append(
                    ConfigError(
                        name,
                        f"sources[{i}]",
                        f"duplicate source name {source!r} (also defined in {first})",
                    )
                )
        if path != own and not clash:
            out.append((path, content))
    return out


# Keys that belong to another spider kind: (kind, key) -> what to write instead.
_KIND_HINTS = {
    ("feed", "fields"): "feeds read each entry's page with `article:` (and follow_links: true)",
    ("feed", "links"): "feeds take each entry's link from the feed itself",
    ("feed", "item"): "feeds find their entries themselves (<item>/<entry>)",
    ("listing", "article"): "listings read detail pages with `fields:`",
    ("listing", "items"): "listings select each list entry with `item:` (a CSS/XPath selector)",
    ("jsonapi", "article"): "JSON APIs read posts with `fields:` (JMESPaths), pages with `detail:`",
    ("jsonapi", "item"): "JSON APIs select the list of posts with `items:` (a JMESPath)",
    ("jsonapi", "links"): "JSON APIs take each post's URL from `fields.url`",
}


def key_hint(loc: list[Any], data: dict[str, Any]) -> str:
    """Why a source key is unknown when it belongs to another spider kind."""
    if len(loc) != 4 or loc[:2] != ["sources", "sources"] or not isinstance(loc[2], int):
        return ""
    try:
        kind = data["sources"]["sources"][loc[2]]["kind"]
    except (KeyError, IndexError, TypeError):
        return ""
    hint = _KIND_HINTS.get((kind, loc[3]))
    return f" for a {kind} source: {hint}" if hint else ""
