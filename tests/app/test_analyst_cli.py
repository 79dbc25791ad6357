"""`yuqing digest|sql|export|search|datasette` end to end on a small SQLite database."""

from __future__ import annotations

import importlib.util
import json
import logging
from datetime import timedelta
from pathlib import Path

import pytest

from yuqing.app.cli import main
from yuqing.store.db import upgrade
from yuqing.store.posts import PostRecord, TagRecord, upsert_posts, upsert_tags
from yuqing.store.session import Database
from yuqing.store.types import utcnow


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for var in ("YUQING_CONFIG_DIR", "YUQING_DATABASE_URL", "YUQING_DATA_DIR"):
        monkeypatch.delenv(var, raising=False)
    # yuqing.app.logs binds its handler to the stderr of the first test that ran main():
    # keep INFO logs (migrations) away from that closed capture
    logging.getLogger().setLevel(logging.WARNING)
    var = tmp_path / "var"
    db = Database(f"sqlite:///{var / 'yuqing.db'}")
    upgrade(db.engine)
    now = utcnow()
    posts = [
        ("a", "烧烤店被一刀切关停", now - timedelta(days=1), "life_services"),
        ("b", "餐饮一条街一刀切停业", now - timedelta(days=2), "life_services"),
        ("c", "工地一刀切停工", now - timedelta(days=3), "construction"),
        ("d", "半年前的烧烤一刀切", now - timedelta(days=180), "life_services"),
    ]
    with db.session() as s:
        ids = upsert_posts(
            s,
            [
                PostRecord("board", f"https://x.test/{k}", t, t, when, k, external_id=k)
                for k, t, when, _ in posts
            ],
        ).ids
        upsert_tags(
            s,
            [
                (pid, TagRecord("m", True, 0.9, True, True, 0.9, sector, 0.9, "龙沙区", False))
                for pid, (*_, sector) in zip(ids, posts, strict=True)
            ],
        )
    db.dispose()
    return var


def run(capsys: pytest.CaptureFixture[str], data_dir: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--data-dir", str(data_dir), "--log-level", "WARNING", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_search(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    code, out, err = run(capsys, data_dir, "search", "一刀切 AND (餐饮 OR 烧烤)", "--since", "7d")
    assert code == 0, err
    assert "https://x.test/a" in out and "https://x.test/b" in out
    assert "https://x.test/c" not in out and "https://x.test/d" not in out
    assert "(2 posts; 2 checked by index)" in err
    code, out, _ = run(capsys, data_dir, "search", "一刀切", "--format", "json")
    assert code == 0
    assert [h["url"].rsplit("/", 1)[1] for h in json.loads(out)] == ["a", "b", "c", "d"]


def test_search_syntax_error(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    code, _out, err = run(capsys, data_dir, "search", "一刀切 AND (餐饮")
    assert code == 2
    assert err.startswith("error: search: column ") and len(err.splitlines()) == 1


def test_sql_formats_and_refusal(
    capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path
) -> None:
    query = "SELECT title, sector FROM v_posts ORDER BY published_at DESC"
    code, out, _ = run(capsys, data_dir, "sql", query, "--limit", "2")
    assert code == 0
    assert out.splitlines()[0].split() == ["title", "sector"]
    assert "烧烤店被一刀切关停" in out and "工地" not in out
    code, out, _ = run(capsys, data_dir, "sql", query, "--format", "json", "--limit", "1")
    assert json.loads(out) == [{"title": "烧烤店被一刀切关停", "sector": "life_services"}]
    target = tmp_path / "q.csv"
    code, _, _ = run(capsys, data_dir, "sql", query, "--format", "csv", "--out", str(target))
    assert code == 0 and target.read_bytes().startswith("\ufefftitle,sector".encode())
    code, out, err = run(capsys, data_dir, "sql", "DELETE FROM posts")
    assert code == 2 and out == ""
    assert err.splitlines() == [
        "error: refused: DELETE is a write or administrative statement; `yuqing sql` runs "
        "read-only queries only (SELECT, WITH … SELECT, VALUES, EXPLAIN)"
    ]


def test_export_parquet(capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    target = tmp_path / "out" / "posts.parquet"
    code, out, err = run(
        capsys,
        data_dir,
        "export",
        "posts",
        "--since",
        "30d",
        "--sector",
        "life_services",
        "--format",
        "parquet",
        "--out",
        str(target),
    )
    assert code == 0, err
    assert out.strip() == f"exported 2 posts to {target}"
    assert sorted(pq.read_table(target).column("title").to_pylist()) == [
        "烧烤店被一刀切关停",
        "餐饮一条街一刀切停业",
    ]
    code, _, err = run(capsys, data_dir, "export", "users", "--format", "csv")
    assert code == 2 and "unknown export 'users'" in err


def test_digest_files(capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path) -> None:
    out_dir = tmp_path / "digests"
    day = (utcnow() + timedelta(hours=8) - timedelta(days=1)).date().isoformat()
    code, out, err = run(
        capsys, data_dir, "digest", "--date", day, "--department", "lsq", "--out", str(out_dir)
    )
    assert code == 0, err
    assert (out_dir / "lsq.html").is_file() and (out_dir / "lsq.txt").is_file()
    assert "龙沙区人民政府舆情日报" in out
    code, out, err = run(
        capsys,
        data_dir,
        "digest",
        "--date",
        day,
        "--department",
        "lsq",
        "--out",
        str(out_dir),
        "--weekly",
    )
    assert code == 0, err
    assert "龙沙区人民政府舆情周报" in out and "日报" not in out
    assert "周报" in (out_dir / "lsq-weekly.txt").read_text(encoding="utf-8").splitlines()[0]
    code, _, err = run(capsys, data_dir, "digest", "--date", day, "--department", "nope")
    assert code == 2 and "unknown department 'nope'" in err
    code, _, err = run(capsys, data_dir, "digest", "--date", "27/11/2026")
    assert code == 2 and "--date: invalid date '27/11/2026'" in err


@pytest.mark.skipif(
    importlib.util.find_spec("datasette") is not None, reason="the datasette extra is installed"
)
def test_datasette_without_the_extra(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    code, out, err = run(capsys, data_dir, "datasette")
    assert code == 2 and out == ""
    assert err.strip() == (
        "error: Datasette is not installed: install the optional extra with "
        "`pip install 'yuqing[datasette]'`"
    )


def test_datasette_metadata_describes_the_views() -> None:
    from yuqing.app.commands.analyst_cmd import datasette_metadata
    from yuqing.store.views import VIEWS

    meta = datasette_metadata("yuqing")
    tables = meta["databases"]["yuqing"]["tables"]
    described = {k: v["description"] for k, v in tables.items() if "description" in v}
    assert {k: described[k] for k in VIEWS} == VIEWS
    assert tables["posts_fts"] == {"hidden": True}


# -- issue 14: bounded results -------------------------------------------------------------

SLOW = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"


def test_sql_stops_at_the_byte_limit_and_says_so(
    capsys: pytest.CaptureFixture[str], data_dir: Path
) -> None:
    query = "SELECT randomblob(4000) AS b FROM (VALUES (1), (2), (3), (4), (5))"
    code, out, err = run(capsys, data_dir, "sql", query, "--max-bytes", "10000")
    assert code == 0, err
    assert len(out.splitlines()) == 2 + 2  # header, rule, two rows
    assert "note: stopped after 2 rows: the result would pass 10000 bytes" in err
    code, out, err = run(capsys, data_dir, "sql", query, "--format", "json", "--max-bytes", "9000")
    assert code == 0 and len(json.loads(out)) == 2


def test_sql_stops_a_value_too_big_before_it_is_built(
    capsys: pytest.CaptureFixture[str], data_dir: Path
) -> None:
    """`SELECT randomblob(200000000) --timeout 5` ran 14 s past its timeout and took 3.6 GB."""
    query = "SELECT randomblob(200000000) AS b"
    code, out, err = run(capsys, data_dir, "sql", query, "--timeout", "5", "--max-bytes", "100000")
    assert code == 0, err
    assert out.strip() == ""  # stopped before any row (or column) came back
    assert "note: stopped after 0 rows: the result would pass 100000 bytes" in err
    assert "note: raise the byte limit with --max-bytes" in err


def test_sql_timeout_interrupts_the_query(
    capsys: pytest.CaptureFixture[str], data_dir: Path
) -> None:
    code, out, err = run(capsys, data_dir, "sql", SLOW, "--timeout", "0.5")
    assert (code, out) == (2, "")
    assert err.splitlines() == ["error: query cancelled after 0.5 s (raise it with --timeout)"]


def test_sql_out_is_atomic(
    capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path
) -> None:
    target = tmp_path / "q.csv"
    target.write_text("old\n", encoding="utf-8")
    code, _, err = run(capsys, data_dir, "sql", SLOW, "--timeout", "0.2", "--out", str(target))
    assert code == 2, err
    assert target.read_text(encoding="utf-8") == "old\n"


def test_issue_13_export_csv_is_chinese_unless_codes(
    capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path
) -> None:
    import csv

    zh, codes = tmp_path / "zh.csv", tmp_path / "codes.csv"
    assert run(capsys, data_dir, "export", "posts", "--since", "30d", "--out", str(zh))[0] == 0
    args = ["export", "posts", "--since", "30d", "--codes", "--out", str(codes)]
    assert run(capsys, data_dir, *args)[0] == 0
    zh_rows = list(csv.DictReader(zh.read_text(encoding="utf-8-sig").splitlines()))
    code_rows = list(csv.DictReader(codes.read_text(encoding="utf-8-sig").splitlines()))
    assert len(zh_rows) == len(code_rows) > 0
    assert "post_id" in code_rows[0] and "post_id" not in zh_rows[0]
    assert "生活服务业" in {r["行业"] for r in zh_rows}
    assert "life_services" in {r["sector"] for r in code_rows}
