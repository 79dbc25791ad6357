"""The digest archive: where each digest's files live and the data the web app renders from.

``run_daily`` archives every digest under ``<data_dir>/digests/<day>/`` as three files with the
same stem (``lsq``, ``lsq-weekly``, ``city``): ``.html`` (the e-mail, charts as data: URIs),
``.txt`` (its plain-text alternative) and ``.json`` — the digest's view (the Chinese phrases and
numbers the templates print, still unescaped) and its chart data. The web app renders the JSON
with its own templates and SVG charts (its CSP forbids the e-mail's inline styles) and falls
back to the plain text for digests archived before the JSON existed.

This module imports nothing heavy (no matplotlib, no templates): the web app reads through it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from yuqing.alerts.digest_data import CITY
from yuqing.config import Config

log = logging.getLogger(__name__)
FORMAT = 1  # bump when the JSON's shape changes incompatibly
DROPPED = ("images", "chart_note")  # e-mail only: data: URIs, the missing-font note


def archive_dir(config: Config, day: date) -> Path:
    return config.settings.data_dir / "digests" / day.isoformat()


def file_stem(code: str, period: str) -> str:
    return code + ("-weekly" if period == "weekly" else "")


def data_path(html_path: Path) -> Path:
    """The JSON beside an archived digest's HTML file."""
    return html_path.with_suffix(".json")


def receiver_of(config: Config, code: str) -> str | None:
    """Who receives a digest: the department itself; the city's goes to the leaders' office
    (``routing.escalation_receiver``, None when unset)."""
    return config.routing.escalation_receiver if code == CITY else code


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def snapshot(
    code: str,
    name: str,
    period: str,
    day: date,
    view: Mapping[str, Any],
    chart_data: Mapping[str, Any],
) -> dict[str, Any]:
    """The archived data of one digest (JSON types only: dates as ISO strings, tuples as
    lists). Taken before the e-mail's images are put into ``view``."""
    return {
        "format": FORMAT,
        "department_code": code,
        "department_name": name,
        "period": period,
        "day": day.isoformat(),
        "view": _jsonable({k: v for k, v in view.items() if k not in DROPPED}),
        "charts": _jsonable(chart_data),
    }


def dumps(data: Mapping[str, Any]) -> str:
    """Deterministic JSON (same digest, same bytes), Chinese kept readable."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, indent=1) + "\n"


def read_data(path: Path) -> dict[str, Any] | None:
    """The archived data at ``path`` (a ``.json``), or None when it is absent, unreadable or
    of another format (logged: the caller shows the plain text instead)."""
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        log.warning("digest data %s unreadable: %s", path, exc)
        return None
    try:
        data = json.loads(raw)
    except ValueError as exc:
        log.warning("digest data %s is not JSON: %s", path, exc)
        return None
    if (
        not isinstance(data, dict)
        or data.get("format") != FORMAT
        or not isinstance(data.get("view"), dict)
        or not isinstance(data.get("charts"), dict)
    ):
        log.warning("digest data %s: not format %d, ignored", path, FORMAT)
        return None
    return data
