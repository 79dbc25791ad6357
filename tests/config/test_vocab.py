"""The sector vocabulary and the shipped gazetteer: the one list each that the corpus, the demo
content, alerts and the web use."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from yuqing.config import load
from yuqing.config.gazetteer import shipped
from yuqing.config.vocab import SECTOR_NAMES, SECTORS

SPEC = Path(__file__).resolve().parents[3] / "shared" / "spec" / "labels.md"


def test_sectors_are_the_specs_in_its_order() -> None:
    if not SPEC.exists():
        pytest.skip(f"{SPEC} is absent")
    listed = re.findall(r"^- ([a-z_]+): ", SPEC.read_text("utf-8"), flags=re.M)
    assert [s for s in listed if s in SECTOR_NAMES] == list(SECTORS)
    assert len(SECTORS) == 9 and all(SECTOR_NAMES[s] for s in SECTORS)


def test_the_shipped_gazetteer_is_the_default_configs() -> None:
    assert shipped().district_names() == load(env={}).gazetteer.district_names()
    assert len(shipped().district_names()) == 16


def test_demo_content_and_alerts_use_these_lists() -> None:
    from yuqing.alerts.labels import SECTORS as ALERT_SECTORS
    from yuqing.crawler.demo_site.content import DISTRICTS
    from yuqing.crawler.demo_site.content import SECTORS as DEMO_SECTORS

    assert ALERT_SECTORS is SECTORS and DEMO_SECTORS is SECTORS
    assert list(DISTRICTS) == shipped().district_names()
