"""The tagger on real messages (issue 11): ../shared/data/realdev/realdev.csv, 716 real citizen
messages labeled by the annotation guide, is the development set the shipped model must earn
its figures on (it is never trained on). These floors pin what was reached; raise them as the
tagger improves, never lower them without the lead's agreement. Skipped without the data.

The issue's targets: shutdown F1 ≥ 0.80, blanket F1 ≥ 0.65, complaint F1 ≥ 0.95, sector
macro-F1 ≥ 0.75 (see yuqing/nlp/README.md for where the tagger stands).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from yuqing.config import Config
from yuqing.nlp.batch import evaluate_file
from yuqing.nlp.tagger import Tagger

# ---- The floors on realdev (issue 11) ------------------------------------------------------
# Reached (m-6efe22e5af22, the 4,967-post corpus, README row 15): shutdown F1 0.361
# (P 0.35 / R 0.37), blanket 0.308 (threshold 0.25), complaint 0.934 (threshold 0.15), sector
# macro-F1 0.578 (weight of `other` 0.5). Before: shutdown 0.320 (P 0.300), blanket 0.308,
# complaint 0.906, sector 0.499; before issue 11: 0.246 (P 0.15), 0, 0.889, 0.541.
# Sector (README row 16, the guide's trades as cues, the title's sector cues, the sector model's
# cues ×2, w8-sector): macro 0.578 -> 0.599, weighted 0.710 -> 0.766 (the steadier figure:
# four sectors have 2 to 16 posts).
FLOORS = {
    "shutdown_f1": 0.35,
    "shutdown_precision": 0.33,
    "blanket_f1": 0.30,
    "complaint_f1": 0.93,
    "sector_macro_f1": 0.59,
    "sector_weighted_f1": 0.75,
}
# ---------------------------------------------------------------------------------------------


_SCORED: dict[str, dict[str, float]] = {}  # model version -> figures (scored once)


@pytest.fixture
def realdev(shared_data: Path, tagger: Tagger, nlp_config: Config) -> dict[str, float]:
    path = shared_data / "realdev" / "realdev.csv"
    if not path.is_file():
        pytest.skip(f"{path} is not present")
    if tagger.model_version not in _SCORED:
        ev = evaluate_file(tagger, path, set(nlp_config.gazetteer.district_names()), worst=0)
        _SCORED[tagger.model_version] = {
            **ev.headline(),
            "shutdown_precision": ev.flags["shutdown"].precision,
            "sector_weighted_f1": ev.sector_weighted_f1,
        }
    return _SCORED[tagger.model_version]


@pytest.mark.parametrize("metric", list(FLOORS))
def test_realdev_meets_the_floor(realdev: dict[str, float], metric: str) -> None:
    assert realdev[metric] >= FLOORS[metric], realdev
