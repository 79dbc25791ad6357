"""Exports round-trip: what is written to CSV, Excel and Parquet reads back equal."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from yuqing.store.export import export_rows, export_to_file, local_text
from yuqing.store.posts import PostRecord, TagRecord, upsert_posts, upsert_tags
from yuqing.store.session import Database

TZ = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
HOSTILE = '=HYPERLINK("http://evil.example","点我")'


@pytest.fixture
def seeded(database: Database) -> Database:
    texts = ["龙沙区烧烤店被一刀切关停", HOSTILE, "换行\n和\t制表符，还有\x01控制字符", "普通投诉"]
    with database.session() as s:
        ids = upsert_posts(
            s,
            [
                PostRecord(
                    "论坛",
                    f"https://x.test/{i}",
                    f"标题{i}",
                    body,
                    T0 + timedelta(hours=i),
                    f"h{i}",
                    external_id=str(i),
                )
                for i, body in enumerate(texts)
            ],
        ).ids
        tag = TagRecord("m1", True, 0.9, True, True, 0.75, "life_services", 0.5, "龙沙区", False)
        upsert_tags(s, [(ids[0], tag), (ids[1], tag)])
    return database


def _expected(db: Database, **kw: object) -> tuple[list[str], list[tuple[object, ...]]]:
    with db.session() as s:
        columns, rows = export_rows(s, "posts", **kw)  # type: ignore[arg-type]
        return columns, list(rows)


def test_csv_round_trip_with_bom(seeded: Database, tmp_path: Path) -> None:
    out = tmp_path / "posts.csv"
    with seeded.session() as s:
        assert export_to_file(s, "posts", "csv", out, TZ) == 4
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 only with the BOM
    columns, rows = _expected(seeded)
    back = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert back[0] == columns
    want = [["" if v is None else str(local_text(v, TZ)) for v in r] for r in rows]
    text_col = columns.index("text")
    want[1][text_col] = "'" + HOSTILE  # a formula in crawled text is neutralized
    assert back[1:] == want
    assert back[1][columns.index("published_at")] == "2026-11-27 10:00:00"  # local time


def test_xlsx_round_trip(seeded: Database, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "posts.xlsx"
    with seeded.session() as s:
        export_to_file(s, "posts", "xlsx", out, TZ)
    columns, rows = _expected(seeded)
    ws = load_workbook(out)["posts"]
    back = [list(r) for r in ws.iter_rows(values_only=True)]
    assert back[0] == columns
    want = [
        [
            v.astimezone(TZ).replace(tzinfo=None, microsecond=0)
            if isinstance(v, datetime)
            else (v.replace("\x01", "") if isinstance(v, str) else v)
            for v in r
        ]
        for r in rows
    ]
    assert back[1:] == want
    cell = ws.cell(row=3, column=columns.index("text") + 1)
    assert cell.value == HOSTILE and cell.data_type == "s"  # text, not a formula


def test_parquet_round_trip_with_filters(seeded: Database, tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    out = tmp_path / "posts.parquet"
    since, until = T0 + timedelta(minutes=30), T0 + timedelta(hours=3)
    with seeded.session() as s:
        n = export_to_file(s, "posts", "parquet", out, TZ, since=since, until=until)
    assert n == 2
    columns, rows = _expected(seeded, since=since, until=until)
    table = pq.read_table(out)
    assert table.column_names == columns
    assert [tuple(r.values()) for r in table.to_pylist()] == rows
    assert str(table.schema.field("published_at").type) == "timestamp[us, tz=UTC]"
    with seeded.session() as s:
        assert export_to_file(s, "posts", "parquet", out, TZ, sector="life_services") == 2
        assert export_to_file(s, "posts", "parquet", out, TZ, district="建华区") == 0


def test_incidents_export_and_bad_format(seeded: Database, tmp_path: Path) -> None:
    from yuqing.store.export import ExportError

    with seeded.session() as s:
        assert export_to_file(s, "incidents", "csv", tmp_path / "i.csv", TZ) == 0
        with pytest.raises(ExportError, match="unknown format 'xls'"):
            export_to_file(s, "incidents", "xls", tmp_path / "i.xls", TZ)
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith((".", "i.xls"))]


def test_a_failed_export_keeps_the_previous_file(seeded: Database, tmp_path: Path) -> None:
    """Issue 14: the export is written to a temporary file and renamed at the end."""
    out = tmp_path / "posts.csv"
    out.write_text("previous export\n", encoding="utf-8")

    def broken(*args: object, **kwargs: object) -> int:
        raise RuntimeError("disk trouble halfway")

    with seeded.session() as s, pytest.MonkeyPatch.context() as mp:
        mp.setattr("yuqing.store.export.write_table", broken)
        with pytest.raises(RuntimeError):
            export_to_file(s, "posts", "csv", out, TZ)
    assert out.read_text(encoding="utf-8") == "previous export\n"
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]
