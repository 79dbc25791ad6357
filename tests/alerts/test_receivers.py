"""The local webhook receiver: logging, failing on demand, and `yuqing receiver serve`."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx

from yuqing.alerts.receivers import WebhookReceiver, read_log

ROOT = Path(__file__).resolve().parents[2]


def test_receiver_fails_on_demand_and_logs_only_what_it_accepted(tmp_path: Path) -> None:
    with WebhookReceiver(tmp_path / "r.jsonl", fail_first=2) as r:
        codes = [httpx.post(r.url, json={"idempotency_key": "k1"}).status_code for _ in range(3)]
        assert codes == [500, 500, 200]
        httpx.post(r.url + "_control", json={"fail_next": 1})
        assert httpx.post(r.url, json={"idempotency_key": "k1"}).status_code == 500
        assert httpx.post(r.url, json={"idempotency_key": "k1"}).status_code == 200
        assert r.requests == 5
    records = read_log(tmp_path / "r.jsonl")
    assert [rec["idempotency_key"] for rec in records] == ["k1", "k1"]
    assert [rec["duplicate"] for rec in records] == [False, True]


def test_receiver_serve_command(tmp_path: Path) -> None:
    log = tmp_path / "hook.jsonl"
    env = {k: v for k, v in os.environ.items() if not k.startswith("YUQING_")}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "yuqing",
            "--data-dir",
            str(tmp_path / "var"),
            "receiver",
            "serve",
            "--fail-first",
            "1",
            "--log",
            str(log),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("receiver listening on http://127.0.0.1:"), line
        url = line.split()[3]
        headers = {"X-Yuqing-Idempotency-Key": "inc-1/lsq/firing/1/webhook#0"}
        assert httpx.post(url, json={"a": 1}, headers=headers).status_code == 500
        assert httpx.post(url, json={"a": 1}, headers=headers).status_code == 200
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "stopped after 2 request(s)" in out
    [record] = read_log(log)
    assert record["idempotency_key"] == "inc-1/lsq/firing/1/webhook#0"
    assert record["body"] == {"a": 1}
