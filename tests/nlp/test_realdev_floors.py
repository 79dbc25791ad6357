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
# Reached (model of the 4,895-post corpus): shutdown F1 0.359 (P 0.326 / R 0.400), blanket 0.0,
# complaint 0.879, sector macro-F1 0.503. Blanket has no floor yet: at 0 it could not fail.
FLOORS = {
    "shutdown_f1": 0.33,
    "shutdown_precision": 0.30,
    "complaint_f1": 0.86,
    "sector_macro_f1": 0.48,
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
        }
    return _SCORED[tagger.model_version]


@pytest.mark.parametrize("metric", list(FLOORS))
def test_realdev_meets_the_floor(realdev: dict[str, float], metric: str) -> None:
    assert realdev[metric] >= FLOORS[metric], realdev
