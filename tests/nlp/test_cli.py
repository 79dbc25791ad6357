"""`yuqing tag`, `yuqing retag` and `yuqing nlp train|eval|train-custom` end to end (in process).

The CSV interfaces are contracts other tools read: the header is checked exactly."""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from yuqing.app.cli import main
from yuqing.config import Config
from yuqing.nlp import persist
from yuqing.nlp.build import Trained, tagger_path
from yuqing.nlp.corpus import SECTORS, Corpus
from yuqing.nlp.loader import clear_cache
from yuqing.store.models import Feedback, PostTag
from yuqing.store.posts import PostRecord, upsert_posts
from yuqing.store.session import Database

from .test_custom import write_petitions
from .test_model_files import _write_corpus

HEADER = (
    "id,shutdown,shutdown_score,blanket,complaint,complaint_score,sector,sector_score,"
    "district,licensed,evidence"
)
POSTS = [
    ("a1", "烧烤店被一刀切", "我们龙沙区整条街的烧烤店全部被关停，证照齐全也不行，请领导给个说法"),
    ("a2", "", "齐齐哈尔市召开会议，严禁一刀切"),
    ("a3", "", ""),
    ("a4", "表情", "😡😡"),
]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, nlp_config: Config, trained: Trained
) -> Iterator[Path]:
    """A data dir holding a copy of the session's model; environment isolated."""
    monkeypatch.chdir(tmp_path)
    for var in ("YUQING_CONFIG_DIR", "YUQING_DATABASE_URL", "YUQING_DATA_DIR"):
        monkeypatch.delenv(var, raising=False)
    var = tmp_path / "var"
    (var / "models").mkdir(parents=True)
    src = tagger_path(nlp_config)
    shutil.copy(src, var / "models" / src.name)
    shutil.copy(persist.meta_path(src), var / "models" / persist.meta_path(src).name)
    clear_cache()
    yield var
    clear_cache()


def write_posts(path: Path, extra_columns: bool = True) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "source", "title", "text"] if extra_columns else ["id", "title", "text"])
        for pid, title, text in POSTS:
            w.writerow([pid, "board", title, text] if extra_columns else [pid, title, text])


def test_tag_writes_the_contract_csv(
    capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path
) -> None:
    write_posts(tmp_path / "posts.csv")
    code, _out, err = run(
        capsys, "--data-dir", str(data_dir), "tag", "--in", "posts.csv", "--out", "out/tags.csv"
    )
    assert code == 0, err
    assert "tagged 4 posts with model m-" in err
    text = (tmp_path / "out" / "tags.csv").read_text(encoding="utf-8")
    assert text.splitlines()[0] == HEADER
    rows = list(csv.DictReader(text.splitlines()))
    assert [r["id"] for r in rows] == ["a1", "a2", "a3", "a4"]
    for r in rows:
        for flag in ("shutdown", "blanket", "complaint", "licensed"):
            assert r[flag] in ("0", "1")
        for score in ("shutdown_score", "complaint_score", "sector_score"):
            assert 0.0 <= float(r[score]) <= 1.0
        assert r["sector"] in SECTORS
        ev = json.loads(r["evidence"])
        assert set(ev) >= {
            "shutdown",
            "blanket",
            "complaint",
            "licensed",
            "sector",
            "district",
            "features",
        }
    assert (rows[0]["shutdown"], rows[0]["blanket"], rows[0]["district"]) == ("1", "1", "龙沙区")
    assert rows[2]["district"] == ""


def test_tag_to_stdout_with_custom_column(
    capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path
) -> None:
    write_petitions(tmp_path / "petitions.csv")
    code, out, err = run(
        capsys,
        "--data-dir",
        str(data_dir),
        "nlp",
        "train-custom",
        "dept",
        "--in",
        "petitions.csv",
        "--label-column",
        "部门",
        "--text-columns",
        "主题,详情",
    )
    assert code == 0, err
    assert "5-fold cross-validated macro-F1 per feature set:" in out
    assert "baseline: TF-IDF character 1-3-grams" in out and "chosen: " in out
    assert "skipped 1 rows with an empty label" in out  # issue 14: dropped rows are reported
    assert "skipped 1 rows of labels with fewer than 2 rows" in out
    assert "route on label custom.dept" in out
    write_posts(tmp_path / "posts.csv", extra_columns=False)
    code, out, err = run(
        capsys,
        "--data-dir",
        str(data_dir),
        "tag",
        "--in",
        "posts.csv",
        "--out",
        "-",
        "--custom",
        "dept",
    )
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == HEADER + ",custom.dept"
    assert all(row[-1] in ("住建", "教育", "交通") for row in csv.reader(lines[1:]))


def test_tag_errors_are_one_line(
    capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path
) -> None:
    write_posts(tmp_path / "posts.csv")
    code, _out, err = run(
        capsys,
        "--data-dir",
        str(data_dir),
        "tag",
        "--in",
        "posts.csv",
        "--out",
        "x.csv",
        "--custom",
        "nope",
    )
    assert code == 2 and err.startswith("error: no custom classifier named 'nope'")
    (tmp_path / "bad.csv").write_text("id,body\n1,x\n", encoding="utf-8")
    code, _out, err = run(
        capsys, "--data-dir", str(data_dir), "tag", "--in", "bad.csv", "--out", "x.csv"
    )
    assert code == 2
    assert err.strip() == "error: bad.csv: missing column(s) title, text (header: id,body)"


def test_eval_prints_scores_and_writes_reports(
    capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path
) -> None:
    path = tmp_path / "labeled.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(
            [
                "id",
                "title",
                "text",
                "shutdown",
                "blanket",
                "complaint",
                "sector",
                "district",
                "licensed",
            ]
        )
        w.writerow(["1", POSTS[0][1], POSTS[0][2], 1, 1, 1, "life_services", "龙沙区", 1])
        w.writerow(["2", "", POSTS[1][2], 0, 0, 0, "other", "", 0])
    code, out, err = run(
        capsys, "--data-dir", str(data_dir), "nlp", "eval", "--in", str(path), "--report", "r.html"
    )
    assert code == 0, err
    assert "precision" in out and "recall" in out and "Sector confusion matrix" in out
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert html.startswith("<!doctype html>") and "Sector confusion matrix" in html
    code, out, err = run(capsys, "--data-dir", str(data_dir), "nlp", "eval", "--in", str(path))
    assert code == 0, err
    md = (data_dir / "reports" / "nlp-eval-labeled.md").read_text(encoding="utf-8")
    assert md.startswith("# Tagger evaluation: labeled.csv") and "| shutdown |" in md


def test_eval_rejects_bad_labels(
    capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path
) -> None:
    (tmp_path / "l.csv").write_text("id,title,text,sector\n1,,x,farming\n", encoding="utf-8")
    code, _out, err = run(capsys, "--data-dir", str(data_dir), "nlp", "eval", "--in", "l.csv")
    assert code == 2
    assert err.startswith("error: l.csv: line 2: sector: 'farming' is not one of construction")


def _db(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> Database:
    code, _out, err = run(capsys, "--data-dir", str(data_dir), "db", "upgrade")
    assert code == 0, err
    return Database(f"sqlite:///{data_dir / 'yuqing.db'}")


def test_retag_stored_posts_since_a_date(
    capsys: pytest.CaptureFixture[str], data_dir: Path
) -> None:
    db = _db(data_dir, capsys)
    with db.session() as s:
        ids = upsert_posts(
            s,
            [
                PostRecord(
                    source="board",
                    url=f"https://e.org/{pid}",
                    title=t,
                    text=x,
                    published_at=datetime(2026, 11, 1 + i, 12, tzinfo=UTC),
                    content_hash=pid,
                )
                for i, (pid, t, x) in enumerate(POSTS)
            ],
        ).ids
    code, out, err = run(capsys, "--data-dir", str(data_dir), "retag", "--since", "2026-11-03")
    assert code == 0, err
    assert out.startswith("re-tagged 2 posts with model m-")
    with db.session() as s:
        tagged = {t.post_id: t for t in s.execute(select(PostTag)).scalars()}
    assert sorted(tagged) == ids[2:]
    code, out, err = run(capsys, "--data-dir", str(data_dir), "retag")
    assert code == 0 and out.startswith("re-tagged 4 posts")
    with db.session() as s:
        first = s.execute(select(PostTag).where(PostTag.post_id == ids[0])).scalar_one()
    assert first.shutdown and first.district == "龙沙区"
    assert first.evidence["district"] == "龙沙区"
    db.dispose()


def test_retag_rejects_a_bad_date(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    code, _out, err = run(capsys, "--data-dir", str(data_dir), "retag", "--since", "yesterday")
    assert code == 2 and "expected a date like 2026-11-01" in err


def test_train_with_feedback(
    capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path, small_corpus: Corpus
) -> None:
    _write_corpus(small_corpus, tmp_path / "small.csv")
    conf = tmp_path / "conf"
    conf.mkdir()
    (conf / "settings.yaml").write_text(
        f"nlp:\n  corpus: {tmp_path / 'small.csv'}\n", encoding="utf-8"
    )
    db = _db(data_dir, capsys)
    with db.session() as s:
        (pid,) = upsert_posts(
            s,
            [
                PostRecord(
                    source="b",
                    url="https://e.org/1",
                    title="",
                    text="学校一刀切放假",
                    content_hash="x",
                    published_at=datetime(2026, 11, 1, tzinfo=UTC),
                )
            ],
        ).ids
    run(capsys, "--data-dir", str(data_dir), "retag")
    with db.session() as s:
        s.add(Feedback(post_id=pid, actor="li", field="shutdown", old_value="1", new_value="0"))
    code, out, err = run(
        capsys,
        "--config",
        str(conf),
        "--data-dir",
        str(data_dir),
        "nlp",
        "train",
        "--with-feedback",
    )
    assert code == 0, err
    assert "feedback: 1 corrected posts from 1 corrections" in out
    assert "(1 from feedback)" in out and "dev split: {" in out
    meta = json.loads((data_dir / "models" / "tagger.json").read_text(encoding="utf-8"))
    assert meta["feedback_examples"] == 1
    with db.session() as s:
        assert s.execute(select(Feedback.used_at)).scalar_one() is not None
    db.dispose()
