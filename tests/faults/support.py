"""Helpers for the fault suite: a home (config dir, data dir, migrated SQLite database) and
`yuqing run` as a real subprocess that can be SIGKILLed and restarted."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from yuqing.store.db import upgrade
from yuqing.store.models import DeliveryAttempt, ProcessLock
from yuqing.store.session import Database

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Home:
    root: Path
    config_dir: Path
    data_dir: Path
    db: Database
    env: dict[str, str]

    @classmethod
    def make(cls, root: Path, departments: str = "", sources: str = "sources: []\n") -> Home:
        config_dir = root / "cfg"
        config_dir.mkdir(parents=True)
        if departments:
            (config_dir / "departments.yaml").write_text(departments, encoding="utf-8")
        (config_dir / "sources.yaml").write_text(sources, encoding="utf-8")
        data_dir = root / "var"
        db = Database(f"sqlite:///{data_dir / 'yuqing.db'}")
        upgrade(db.engine)
        env = {k: v for k, v in os.environ.items() if not k.startswith("YUQING_")}
        return cls(root, config_dir, data_dir, db, env)

    def argv(self, *args: str) -> list[str]:
        return [
            sys.executable,
            "-m",
            "yuqing",
            "--config",
            str(self.config_dir),
            "--data-dir",
            str(self.data_dir),
            *args,
        ]

    def start(self, *args: str, log: str = "run.log") -> subprocess.Popen[bytes]:
        with (self.root / log).open("ab") as out:
            return subprocess.Popen(
                self.argv(*args), cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT
            )

    def run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self.argv(*args), cwd=ROOT, env=self.env, capture_output=True, text=True,
            timeout=timeout,
        )  # fmt: skip

    def log(self, name: str = "run.log") -> str:
        path = self.root / name
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""

    def lock_holder(self) -> str | None:
        with self.db.session() as s:
            return s.scalars(select(ProcessLock.holder)).first()

    def attempts(self) -> int:
        with self.db.session() as s:
            return int(s.scalar(select(func.count()).select_from(DeliveryAttempt)) or 0)


def wait_for(
    predicate: Callable[[], object],
    what: str,
    proc: subprocess.Popen[bytes] | None = None,
    seconds: float = 90,
    log: Callable[[], str] = lambda: "",
) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"exited ({proc.returncode}) before {what}:\n{log()[-3000:]}")
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}:\n{log()[-3000:]}")
        time.sleep(0.05)


def sigkill(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.kill()
        proc.wait(timeout=30)
