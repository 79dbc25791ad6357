"""Issue 14: a crawl child (own session) dies with its parent, even when the parent is
SIGKILLed (yuqing.lifeline)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from yuqing import lifeline

ROOT = Path(__file__).resolve().parents[1]
CHILD = (
    "import pathlib, sys, time\n"
    "from yuqing import lifeline\n"
    "armed = lifeline.die_with_parent()\n"
    "pathlib.Path(sys.argv[1]).write_text(f'{armed}')\n"
    "time.sleep(120)\n"
)
# The parent starts the child in a session of its own (as crawls run), then waits.
PARENT = (
    "import os, subprocess, sys, time\n"
    "from yuqing import lifeline\n"
    "env = lifeline.child_env(dict(os.environ))\n"
    "p = subprocess.Popen([sys.executable, '-c', sys.argv[1], sys.argv[2]], env=env,\n"
    "                     start_new_session=True)\n"
    "print(p.pid, flush=True)\n"
    "time.sleep(120)\n"
)


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[-1].split()[0]
    return state == "Z"


def _wait(predicate: object, what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to see processes")
def test_a_child_in_its_own_session_dies_when_its_parent_is_killed(tmp_path: Path) -> None:
    ready = tmp_path / "ready"
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT, CHILD, str(ready)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    child = 0
    try:
        assert parent.stdout is not None
        child = int(parent.stdout.readline())
        _wait(ready.exists, "the child to arm its lifeline")
        assert ready.read_text() == "True"
        assert not _gone(child)
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        _wait(lambda: _gone(child), "the child to die with its parent")
    finally:
        if parent.poll() is None:
            parent.kill()
        if child and not _gone(child):
            os.kill(child, signal.SIGKILL)


def test_without_a_parent_in_the_environment_nothing_is_armed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(lifeline.PARENT_ENV, raising=False)
    assert lifeline.die_with_parent() is False
    env = lifeline.child_env({})
    assert env == {lifeline.PARENT_ENV: str(os.getpid())}


def test_a_child_whose_parent_is_already_gone_stops_at_once(tmp_path: Path) -> None:
    env = {**os.environ, lifeline.PARENT_ENV: "1"}  # not our parent: it "died" before we armed
    code = (
        "import signal, sys\n"
        "signal.signal(signal.SIGTERM, lambda *a: sys.exit(7))\n"
        "from yuqing import lifeline\n"
        "lifeline.die_with_parent()\n"
        "import time; time.sleep(60)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, timeout=60)
    assert done.returncode == 7
