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
# Reached (README row 17, m-cde030dde777: the per-trigger event view of row 16, the petition
# cues of row 16 (complaint) and the sector cues of row 16 (sector) together): shutdown F1
# 0.583 (P 0.568 / R 0.60), blanket 0.667 (P 0.75 / R 0.60), complaint 0.969 (P 0.991 /
# R 0.948), sector macro 0.600, weighted 0.769. Row 16 alone reached shutdown precision 0.58;
# with the sector retrain one more false positive: the floor is 0.56, not 0.57. Before: row 15
# (m-6efe22e5af22) shutdown 0.361 (P 0.35 / R 0.37), blanket 0.308, complaint 0.934, sector
# macro-F1 0.578; shutdown 0.320 (P 0.300), blanket 0.308, complaint 0.906, sector 0.499;
# before issue 11: 0.246 (P 0.15), 0, 0.889, 0.541.
# licensed (README row 18L, nlp/permits.py's lawfulness statements on row 17's model): F1 0.483
# (P 0.583 / R 0.412, 7 of 17 positives, 5 false positives); before 0.000 (P 0 / R 0).
# Licensed 2nd pass (README row 21l, issue 11): no statement read when the post says the permits
# were got by fraud, in a quoted law article or of a household's own home: F1 0.500 -> 0.560
# (P 0.636 -> 0.875 / R 0.412: 7 TP, 4 -> 1 FP).
# Shutdown 2nd pass (README row 18, m-722a55444063): shutdown 0.629 (P 0.629 / R 0.629),
# blanket 0.706 (P 0.857 / R 0.60); complaint and sector unchanged.
# Complaint with a grievance stated in the title (README row 19p, nlp/grievance.py): 0.981
# (P 0.991 / R 0.971); before 0.969 (P 0.991 / R 0.948).
# Sector 3rd pass (README row 19, m-79a5ac74f209): factory, backyard-workshop and market cue
# terms, sector terms inside a village or town name dropped, the trade the title names ×5, the
# weight of `other` 0.7: sector macro 0.600 -> 0.749, weighted 0.769 -> 0.808; other tags
# unchanged.
# Corpus w9-shutdown (README row 19k, m-2d52b8cf7ae6: 215 handwritten posts, no code change):
# shutdown 0.657 (P 0.688 / R 0.629: 22 TP, 10 FP), blanket 0.706, complaint 0.970, licensed
# 0.500, sector macro 0.595, weighted 0.760 (on row 18's code, before the sector merge).
# Shutdown 3rd pass (README row 19x, on row 18's code and corpus): shutdown 0.698 (P 0.786 /
# R 0.629), blanket 0.706, complaint 0.969, sector macro 0.599 (weighted 0.769), licensed 0.483.
# All four merged (m-d2a8c08f39d8): shutdown 0.710 (P 0.815 / R 0.629), blanket 0.706, complaint
# 0.981, sector macro 0.744 (weighted 0.807), licensed 0.500 (P 0.636 / R 0.412).
# Shutdown recall (README row 19r, nlp/event/cueless.py, no retrain: same model as main's build):
# stops told without a stop word (回收五证, 征收…药店, 强制…解除合同, 拆除拦网): shutdown 0.710
# (P 0.815 / R 0.629: 22 TP, 5 FP) -> 0.788 (P 0.839 / R 0.743: 26 TP, 5 FP).
# Shutdown false alerts, 4th pass (README row 20f, no retrain): a private doer, premises pulled
# down after a closure of its own, a part that says its order came to nothing: shutdown 0.788
# (P 0.839) -> 0.825 (P 0.929 / R 0.743: 26 TP, 2 FP). The precision floor is 0.90, below
# what was reached, so that a merge adding true stops with one false one keeps it.
# Shutdown 4th pass (README row 20n, nlp/event/background.py, no retrain): stops told in passing
# (政策性关停, 后经举报，该会所停业, 从…拆除过来的, 因拆迁造成的停产停业损失, 只关了此一家):
# shutdown 0.788 (26 TP, 5 FP) -> 0.873 (P 0.861 / R 0.886: 31 TP, 5 FP); other tags unchanged.
# Both merged (rows 20f + 20n): shutdown 0.912 (P 0.939 / R 0.886: 31 TP, 2 FP, 4 FN). Each of the
# five background readings fires on one realdev post and on no other real post we hold: expect
# less on posts kept aside (0.825 without them).
# Sector 4th pass (README row 20s, FEATURE_VERSION 8): the longest cue term names the sector,
# no_trade words (五矿, 矿泉水), 洗沙 / 批发市场 / 占路 as cues, farms named in full
# (养鸭场, not 鸭), 特色农业 / 特色产业 (not 特色): sector macro 0.744 -> 0.762, weighted
# 0.807 -> 0.814; other tags unchanged.
# Blanket 2nd pass (README row 21b, no retrain): a sweeping word after the stop counts in its
# clause only, a sudden raid on a business (event.sudden) and the licensed stopped with the rest
# (scope.licensed_swept) lift blanket, a post no reading tells as blanket keeps 0.7 of the
# model's probability: blanket 0.706 (P 0.857 / R 0.60: 6 TP, 1 FP, 4 FN) -> 0.947 (P 1.0 /
# R 0.90: 9 TP, 0 FP, 1 FN); other tags unchanged. The raid reading fires on 3 realdev posts
# (2 stories) and the licensed one on 1, on no other real post we hold: expect less aside.
FLOORS = {
    "shutdown_f1": 0.90,
    "shutdown_precision": 0.90,
    "blanket_f1": 0.94,
    "complaint_f1": 0.975,
    "sector_macro_f1": 0.76,
    "sector_weighted_f1": 0.81,
    "licensed_f1": 0.56,
    "licensed_precision": 0.87,
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
            "licensed_precision": ev.flags["licensed"].precision,
        }
    return _SCORED[tagger.model_version]


@pytest.mark.parametrize("metric", list(FLOORS))
def test_realdev_meets_the_floor(realdev: dict[str, float], metric: str) -> None:
    assert realdev[metric] >= FLOORS[metric], realdev
