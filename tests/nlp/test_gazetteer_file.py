"""The shipped Qiqihar gazetteer parses and is internally consistent."""

from pathlib import Path

import yaml

GAZETTEER = Path(__file__).resolve().parents[2] / "yuqing/config/gazetteer/qiqihar.yaml"

EXPECTED_DISTRICTS = {
    "龙沙区", "建华区", "铁锋区", "昂昂溪区", "富拉尔基区", "碾子山区", "梅里斯达斡尔族区",
    "讷河市", "龙江县", "依安县", "泰来县", "甘南县", "富裕县", "克山县", "克东县", "拜泉县",
}  # fmt: skip


def _load():
    with GAZETTEER.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def test_sixteen_districts_with_expected_names():
    data = _load()
    assert data["city"] == "齐齐哈尔"
    names = [d["name"] for d in data["districts"]]
    assert len(names) == 16
    assert set(names) == EXPECTED_DISTRICTS


def test_every_district_has_aliases_and_enough_places():
    for d in _load()["districts"]:
        assert isinstance(d["aliases"], list), d["name"]
        assert 8 <= len(d["places"]) <= 25, d["name"]
        assert all(isinstance(p, str) and p and p.strip() == p for p in d["places"] + d["aliases"])


def test_no_name_alias_or_place_appears_twice():
    data = _load()
    seen: dict[str, str] = {}
    for alias in [*data.get("city_aliases", []), data["city"]]:
        seen[alias] = "<city>"
    for d in data["districts"]:
        for term in [d["name"], *d["aliases"], *d["places"]]:
            assert term not in seen, f"{term} listed under {seen[term]} and {d['name']}"
            seen[term] = d["name"]
