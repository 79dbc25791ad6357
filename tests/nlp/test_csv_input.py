"""Issue 14: a bad input CSV is an error naming the row (the header is row 1) and the column,
never rows merged silently; `yuqing tag` leaves an existing output file as it was."""

from __future__ import annotations

from pathlib import Path

import pytest

from yuqing.nlp.corpus import read_rows
from yuqing.nlp.errors import CorpusError

from .test_cli import data_dir, run  # noqa: F401  (fixture)

REQUIRED = ("id", "title", "text")


def rows_of(path: Path, content: str | bytes) -> list[dict[str, str]]:
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return list(read_rows(path, REQUIRED))


def error_of(path: Path, content: str | bytes) -> str:
    with pytest.raises(CorpusError) as err:
        rows_of(path, content)
    return str(err.value)


def big_csv(n: int) -> bytes:
    return ("id,title,text\n" + "".join(f"{i},标题{i},正文{i}\n" for i in range(1, n + 1))).encode()


def test_good_input_with_a_bom_crlf_and_a_value_over_two_lines(tmp_path: Path) -> None:
    got = rows_of(tmp_path / "p.csv", '\ufeffid,title,text\r\n1,a,"第一行\r\n第二行"\r\n2,b,c\r\n')
    assert got == [
        {"id": "1", "title": "a", "text": "第一行\r\n第二行"},
        {"id": "2", "title": "b", "text": "c"},
    ]


def test_a_bad_byte_names_its_row_and_column(tmp_path: Path) -> None:
    data = big_csv(3000).replace("正文2500\n".encode(), b"\xff\xfe2500\n")
    assert error_of(tmp_path / "posts.csv", data) == (
        f"{tmp_path / 'posts.csv'}: row 2501: column text: byte 0xff is not UTF-8 "
        "(save the file as UTF-8)"
    )


def test_an_unterminated_quote_at_the_end_is_an_error_not_one_merged_row(tmp_path: Path) -> None:
    msg = error_of(tmp_path / "p.csv", 'id,title,text\n1,"标题一,正文一\n2,标题二,正文二\n')
    assert msg == (
        f"{tmp_path / 'p.csv'}: row 2 (lines 2-3): a quoted value is still open at the end of "
        "the file (is a closing quote missing?)"
    )


def test_a_quoted_value_running_over_the_next_record_is_an_error(tmp_path: Path) -> None:
    # The quote opened on row 2 closes on the next line: csv alone reads ONE row of 3 fields.
    msg = error_of(tmp_path / "p.csv", 'id,title,text\n1,"标题一,正文一\n2,标题二,正文二",x\n')
    assert msg == (
        f"{tmp_path / 'p.csv'}: row 2 (lines 2-3): column title: a quoted value runs over a "
        "line that looks like the next record ('2,标题二,正文二\",x'); is a closing quote "
        "missing?"
    )


def test_a_text_with_a_line_starting_like_a_number_is_not_taken_for_a_record(
    tmp_path: Path,
) -> None:
    got = rows_of(tmp_path / "p.csv", 'id,title,text\n7,t,"第一点\n2,000 家店关停"\n')
    assert got[0]["text"] == "第一点\n2,000 家店关停"  # one comma: not a record of 3 fields


def test_wrong_field_counts_and_stray_quotes(tmp_path: Path) -> None:
    p = tmp_path / "p.csv"
    assert error_of(p, "id,title,text\n1,a,b\n2,a,b,c\n") == (
        f"{p}: row 3: 4 fields, the header has 3 (a missing quote, or an unquoted comma?)"
    )
    assert error_of(p, 'id,title,text\n1,"a"b,c\n') == (
        f"{p}: row 2: ',' expected after '\"' (a quote inside a quoted value is written twice: "
        '"")'
    )
    assert error_of(p, "id,title\n1,a\n").endswith("missing column(s) text (header: id,title)")


def test_tag_keeps_the_existing_output_when_the_input_is_bad(
    capsys: pytest.CaptureFixture[str],
    data_dir: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    out = tmp_path / "tags.csv"
    (tmp_path / "good.csv").write_bytes(big_csv(5))
    code, _out, err = run(
        capsys, "--data-dir", str(data_dir), "tag", "--in", "good.csv", "--out", str(out)
    )
    assert code == 0, err
    good = out.read_bytes()
    assert good.count(b"\n") == 6
    bad = big_csv(3000).replace("正文2500\n".encode(), b"\xff2500\n")
    (tmp_path / "bad.csv").write_bytes(bad)
    code, _out, err = run(
        capsys, "--data-dir", str(data_dir), "tag", "--in", "bad.csv", "--out", str(out)
    )
    assert code == 2
    assert err.splitlines() == [
        "error: bad.csv: row 2501: column text: byte 0xff is not UTF-8 (save the file as UTF-8)"
    ]
    assert out.read_bytes() == good
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_tag_to_an_unwritable_place_says_which_and_why(
    capsys: pytest.CaptureFixture[str],
    data_dir: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    (tmp_path / "good.csv").write_bytes(big_csv(2))
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    code, _out, err = run(
        capsys, "--data-dir", str(data_dir), "tag", "--in", "good.csv", "--out", "afile/t.csv"
    )
    assert code == 73
    assert err.splitlines() == ["error: cannot write afile/t.csv: afile is a file, not a directory"]
