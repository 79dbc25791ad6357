"""Scores computed by hand on small cases."""

from __future__ import annotations

import pytest

from yuqing.nlp.metrics import evaluate
from yuqing.nlp.report import markdown, text_summary


def test_binary_and_sector_and_district_scores() -> None:
    truths = [
        {"shutdown": True, "sector": "construction", "district": "讷河市"},
        {"shutdown": True, "sector": "construction", "district": None},
        {"shutdown": False, "sector": "other", "district": None},
        {"shutdown": False, "sector": "other", "district": "龙沙区"},
    ]
    preds = [
        {"shutdown": True, "sector": "construction", "district": "讷河市"},
        {"shutdown": False, "sector": "other", "district": None},
        {"shutdown": True, "sector": "other", "district": None},
        {"shutdown": False, "sector": "other", "district": "建华区"},
    ]
    ev = evaluate(truths, preds, ["a", "b", "c", "d"])
    s = ev.flags["shutdown"]
    assert (s.tp, s.fp, s.fn, s.tn) == (1, 1, 1, 1)
    assert s.precision == s.recall == s.f1 == 0.5
    # construction: P=1, R=.5, F1=2/3; other: P=2/3, R=1, F1=.8; unused sectors are not averaged
    assert ev.sector_macro_f1 == pytest.approx((2 / 3 + 0.8) / 2)
    assert ev.sector_accuracy == 0.75
    # weighted by support (2 and 2): the same here; issue 11 reports it next to the macro
    assert ev.sector_weighted_f1 == pytest.approx((2 / 3 * 2 + 0.8 * 2) / 4)
    assert ev.district_accuracy == 0.75  # b and c: both empty, which is right
    assert ev.headline() == {
        "shutdown_f1": 0.5,
        "sector_macro_f1": 0.7333,
        "district_accuracy": 0.75,
    }
    assert [e["id"] for e in ev.errors] == ["b", "c", "d"]
    assert ev.errors[0] == {"id": "b", "shutdown": (1, 0), "sector": ("construction", "other")}
    assert "| shutdown | 0.500 | 0.500 | 0.500 | 2 |" in markdown(ev, "t", {})
    assert "Sector confusion matrix:" in text_summary(ev)
    assert "| sector (weighted) |  |  | 0.733 | 4 |" in markdown(ev, "t", {})


def test_weighted_sector_f1_follows_the_supports() -> None:
    # issue 11: a sector with one post moves the macro figure as much as one with 335
    truths = [{"sector": "other"}] * 3 + [{"sector": "aquaculture"}]
    preds = [{"sector": "other"}] * 4
    ev = evaluate(truths, preds)
    assert ev.sector_macro_f1 == pytest.approx((2 * 0.75 / 1.75) / 2)
    assert ev.sector_weighted_f1 == pytest.approx(3 * (2 * 0.75 / 1.75) / 4)


def test_missing_label_columns_are_not_scored() -> None:
    ev = evaluate([{"complaint": True}], [{"complaint": True, "shutdown": True, "sector": "other"}])
    assert ev.headline() == {"complaint_f1": 1.0}
    assert ev.confusion == []
