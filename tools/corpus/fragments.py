"""Loading the hand-written fragments (tools/corpus/fragments/*.yaml) into typed models.

One file per theme, and one per sector under sectors/. Every file is validated on load: a missing
or misspelt key, an empty list or an unknown sector is reported with the file and the key.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import ValidationError

from tools.corpus.schema_core import (
    SECTORS,
    CitizenEvents,
    CitizenVoice,
    Common,
    Model,
    Places,
    Sector,
    Voices,
)
from tools.corpus.schema_reports import NewsNegative, Policy, Reports
from tools.corpus.schema_scenes import Maintenance, Neutral, Ordinary, OtherBlanket, Stalled

FRAGMENTS = Path(__file__).resolve().parent / "fragments"

M = TypeVar("M", bound=Model)


class FragmentError(ValueError):
    """A fragment file that cannot be used; str() names the file and the key."""


@dataclass(frozen=True)
class Fragments:
    places: Places
    common: Common
    voices: Voices
    sectors: dict[str, Sector]  # in SECTORS order
    events: CitizenEvents
    voice: CitizenVoice
    reports: Reports
    policy: Policy
    news_negative: NewsNegative
    other_blanket: OtherBlanket
    stalled: Stalled
    maintenance: Maintenance
    ordinary: Ordinary
    neutral: Neutral


def _read(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise FragmentError(f"{path}: cannot read: {exc.strerror}") from exc
    except yaml.MarkedYAMLError as exc:
        line = f":{exc.problem_mark.line + 1}" if exc.problem_mark else ""
        raise FragmentError(f"{path}{line}: not valid YAML: {exc.problem}") from exc
    except yaml.YAMLError as exc:
        raise FragmentError(f"{path}: not valid YAML: {exc}") from exc


def _load(path: Path, model: type[M]) -> M:
    try:
        return model.model_validate(_read(path))
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err["loc"])
        where = f"{loc}: " if loc else ""
        msg = err["msg"].removeprefix("Value error, ")
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise FragmentError(f"{path}: {where}{msg}{more}") from exc


def load_fragments(root: Path = FRAGMENTS) -> Fragments:
    return Fragments(
        places=_load(root / "places.yaml", Places),
        common=_load(root / "common.yaml", Common),
        voices=_load(root / "voices.yaml", Voices),
        sectors={s: _load(root / "sectors" / f"{s}.yaml", Sector) for s in SECTORS},
        events=_load(root / "citizen_events.yaml", CitizenEvents),
        voice=_load(root / "citizen_voice.yaml", CitizenVoice),
        reports=_load(root / "reports.yaml", Reports),
        policy=_load(root / "policy.yaml", Policy),
        news_negative=_load(root / "news_negative.yaml", NewsNegative),
        other_blanket=_load(root / "other_blanket.yaml", OtherBlanket),
        stalled=_load(root / "stalled.yaml", Stalled),
        maintenance=_load(root / "maintenance.yaml", Maintenance),
        ordinary=_load(root / "ordinary.yaml", Ordinary),
        neutral=_load(root / "neutral.yaml", Neutral),
    )
