"""Child processes that die with their parent.

Crawls run in sessions of their own (a terminal's Ctrl-C must reach only the runner, which
stops them gracefully), so when their parent is killed outright (SIGKILL, the OOM killer) no
signal reaches them: they would keep running, and keep their source locked, until they finish
(issue 14). A parent that starts such a child puts its process id into the child's environment
(:func:`child_env`); the child calls :func:`die_with_parent` first thing. On Linux the kernel
then sends the child SIGTERM when the parent dies (``PR_SET_PDEATHSIG``); elsewhere a watchdog
thread does when the parent process id changes. SIGTERM, not SIGKILL: a crawl closes cleanly
on it and saves its job for the next run.
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import sys
import threading
from collections.abc import MutableMapping

log = logging.getLogger(__name__)
PARENT_ENV = "YUQING_PARENT_PID"
PR_SET_PDEATHSIG = 1
WATCHDOG_SECONDS = 1.0


def child_env(env: MutableMapping[str, str]) -> MutableMapping[str, str]:
    """``env`` for a child that should die with this process."""
    env[PARENT_ENV] = str(os.getpid())
    return env


def die_with_parent(sig: int = signal.SIGTERM) -> bool:
    """In a child started with :func:`child_env`: get ``sig`` when the parent dies (at once if it
    is gone already). The variable is removed, so this process's own children get their own.
    True when armed (False: not started that way)."""
    value = os.environ.pop(PARENT_ENV, None)
    if not value or not value.isdigit():
        return False
    parent = int(value)
    if not (sys.platform.startswith("linux") and _prctl_pdeathsig(sig)):
        _watchdog(parent, sig)
    if os.getppid() != parent:  # the parent died before we asked
        log.warning("parent process %d is gone; stopping", parent)
        os.kill(os.getpid(), sig)
    return True


def _prctl_pdeathsig(sig: int) -> bool:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


def _watchdog(parent: int, sig: int) -> None:
    def watch() -> None:
        stop = threading.Event()
        while not stop.wait(WATCHDOG_SECONDS):
            if os.getppid() != parent:
                os.kill(os.getpid(), sig)
                return

    threading.Thread(target=watch, name="lifeline", daemon=True).start()
