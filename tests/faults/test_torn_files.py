"""Issue 14: torn and truncated files. A writer killed midway never leaves a half-written file
in place of a good one; a truncated file that yuqing reads is refused or set aside with one
line naming it, never a traceback or a silently shortened result."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from yuqing.alerts.digest_archive import read_data
from yuqing.config import ConfigError, load
from yuqing.crawler import jobdir as jobs
from yuqing.nlp.corpus import read_rows
from yuqing.nlp.errors import CorpusError
from yuqing.store.session import Database

from .support import ROOT, wait_for

WRITER = (
    "import sys, time, pathlib\n"
    "from yuqing.atomic import atomic_output\n"
    "with atomic_output(sys.argv[1]) as fh:\n"
    "    fh.write('id,flag\\n' + '1,0\\n' * 100000)\n"
    "    fh.flush()\n"
    "    pathlib.Path(sys.argv[2]).touch()\n"
    "    time.sleep(60)\n"
)


def test_a_writer_killed_midway_leaves_the_old_file(tmp_path: Path) -> None:
    target, ready = tmp_path / "tags.csv", tmp_path / "ready"
    target.write_text("id,flag\n7,1\n", encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(target), str(ready)], cwd=ROOT)
    try:
        wait_for(ready.exists, "the writer to be halfway")
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    assert target.read_text(encoding="utf-8") == "id,flag\n7,1\n"


def test_a_truncated_csv_is_an_error_naming_the_row(tmp_path: Path) -> None:
    path = tmp_path / "posts.csv"
    full = 'id,title,text\n1,标题,"第一段\n第二段"\n2,标题,正文\n'.encode()
    path.write_bytes(full[: full.index("第二段".encode()) + 3])  # cut inside a quoted value
    with pytest.raises(CorpusError, match=r"posts\.csv: row 2 \(lines 2-3\): a quoted value is"):
        list(read_rows(path, ("id", "title", "text")))
    full = "id,title,text\n1,标题,正文\n".encode()
    path.write_bytes(full[: full.index("正".encode()) + 1])  # cut inside a character
    with pytest.raises(CorpusError, match=r"posts\.csv: row 2: column text: byte 0xe6 is not"):
        list(read_rows(path, ("id", "title", "text")))


def test_a_truncated_config_file_names_file_and_line(tmp_path: Path) -> None:
    conf = tmp_path / "conf"
    conf.mkdir()
    (conf / "settings.yaml").write_text('smtp:\n  host: "mail.exa', encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load(conf, env={})
    assert str(err.value).startswith(f"{conf / 'settings.yaml'}: line ")
    assert "invalid YAML" in str(err.value)


def test_a_torn_crawl_job_file_is_discarded_with_a_reason(
    tmp_path: Path, sqlite_database: Database
) -> None:
    source = load(env={}).sources.get("demo-board")
    jobdir = tmp_path / "crawl-jobs" / "demo-board"
    jobs.write_job(jobdir, jobs.Job("f", state="interrupted", pending=3, run_ids=[1]))
    text = (jobdir / jobs.JOB_FILE).read_text(encoding="utf-8")
    (jobdir / jobs.JOB_FILE).write_text(text[: len(text) // 2], encoding="utf-8")
    mode, why, job = jobs.prepare(sqlite_database, jobdir, source, "f")
    assert (mode, why, job.run_ids) == ("discarded", "no readable job file", [])
    assert not jobdir.exists()


def test_a_truncated_digest_archive_falls_back_quietly(tmp_path: Path) -> None:
    path = tmp_path / "lsq.json"
    path.write_text(json.dumps({"format": 1, "view": {"title": "日报"}})[:20], encoding="utf-8")
    assert read_data(path) is None  # the web app shows the plain text instead
