"""``yuqing incidents resolve`` with the structured resolution fields (issue 13)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.alerts.delivery_support import add_incident
from yuqing.app.cli import main
from yuqing.store.models import Incident
from yuqing.store.session import Database


def db(home: Path) -> Database:
    return Database(f"sqlite:///{home / 'var' / 'yuqing.db'}")


def test_resolve_stores_the_fields_given_as_codes_or_chinese(
    cli_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = db(cli_home)
    inc_id = add_incident(database, datetime(2026, 11, 27, 9, tzinfo=UTC))
    args = ["incidents", "resolve", str(inc_id), "--by", "ops", "--note", "已处理"]
    fields = ["--verification", "已核实", "--verified", "部分属实",
              "--production-restored", "na", "--public-response", "not_replied",
              "--response-note", "联系不上反映人"]  # fmt: skip
    assert main([*args, *fields]) == 0
    assert f"incident #{inc_id} resolved by ops" in capsys.readouterr().out
    with database.session() as s:
        inc = s.get(Incident, inc_id)
        assert inc is not None
        assert (inc.verified, inc.production_restored, inc.public_response) == (
            "partly",
            "na",
            "not_replied",
        )
        assert inc.public_response_note == "联系不上反映人"
    database.dispose()
    assert main(["incidents", "show", str(inc_id)]) == 0
    out = capsys.readouterr().out
    assert "resolution fields: verification=已核实; verified=partly; production_restored=na" in out
    # a blanket-shutdown incident without posts cites the notice's default clause
    assert "policy: qiqihar-no-blanket clause no-blanket, phrase - (post -)" in out


def test_a_bad_value_is_one_line_naming_the_option_and_the_value(
    cli_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = db(cli_home)
    inc_id = add_incident(database, datetime(2026, 11, 27, 9, tzinfo=UTC))
    code = main(["incidents", "resolve", str(inc_id), "--by", "ops", "--verified", "yes"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.strip().endswith(
        "verified: invalid value 'yes' (expected one of: true (属实), partly (部分属实), "
        "false (不属实))"
    )
    with database.session() as s:
        inc = s.get(Incident, inc_id)
        assert inc is not None and inc.status == "open"
    database.dispose()
