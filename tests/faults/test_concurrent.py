"""Issue 14 (held; kept): two schedulers at once never both deliver, and two writers of one
output file leave one whole file."""

from __future__ import annotations

import csv
import subprocess
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from tests.alerts.delivery_support import add_incident, add_notification, statuses
from yuqing.alerts.receivers import WebhookReceiver
from yuqing.store.posts import PostRecord, upsert_posts
from yuqing.store.types import utcnow

from .support import ROOT, Home


@pytest.fixture
def receiver(tmp_path: Path) -> Iterator[WebhookReceiver]:
    with WebhookReceiver(tmp_path / "hook.jsonl") as r:
        yield r


def test_two_schedulers_at_once_deliver_each_notification_once(
    tmp_path: Path, receiver: WebhookReceiver
) -> None:
    home = Home.make(
        tmp_path,
        departments=(
            "departments:\n  - code: tst\n    name: 测试单位\n    kind: office\n    channels:\n"
            f"      - type: webhook\n        url: {receiver.url}\n"
        ),
    )
    inc = add_incident(home.db, utcnow())
    keys = [
        add_notification(
            home.db, utcnow(), incident_id=inc, department="tst", channel="webhook#0", sequence=i
        )
        for i in range(1, 5)
    ]
    receiver.delay_seconds = 0.3
    procs = [
        subprocess.Popen(
            home.argv("run", "--once"), cwd=ROOT, env=home.env, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    results = [(p.wait(timeout=120), p.stderr.read() if p.stderr else "") for p in procs]
    codes = sorted(code for code, _ in results)
    assert codes in ([0, 0], [0, 4]), results  # both in turn, or one refused
    for code, err in results:
        if code == 4:
            assert "another `yuqing run` is using this database" in err
    assert Counter(receiver.keys()) == Counter(keys)
    assert set(statuses(home.db).values()) == {"sent"}


def test_two_exports_to_one_file_leave_one_whole_file(tmp_path: Path) -> None:
    home = Home.make(tmp_path)
    now = utcnow()
    with home.db.session() as s:
        upsert_posts(
            s,
            [
                PostRecord("board", f"https://x.test/{i}", f"标题{i}", "正文" * 200,
                           now - timedelta(hours=i), str(i), external_id=str(i))
                for i in range(300)
            ],
        )  # fmt: skip
    out = tmp_path / "posts.csv"
    procs = [
        subprocess.Popen(
            home.argv("export", "posts", "--out", str(out)),
            cwd=ROOT,
            env=home.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for _ in range(2)
    ]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    with out.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert len(rows) == 301 and rows[0][0] != rows[1][0]
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
