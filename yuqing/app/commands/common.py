"""What several command modules share: who acts, and local times for operators."""

from __future__ import annotations

import getpass
from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo

import typer

from yuqing.app.state import AppState

By = Annotated[str | None, typer.Option("--by", help="Who acts (default: cli:<user>).")]


def actor(by: str | None) -> str:
    """``--by`` or ``cli:<login of the operator>`` (what the audit log records)."""
    return by or f"cli:{getpass.getuser()}"


def local_time(state: AppState, value: datetime | None) -> str:
    """``value`` in the configured timezone, to the minute ("-" for none)."""
    if value is None:
        return "-"
    tz = ZoneInfo(state.config().settings.timezone)
    return value.astimezone(tz).strftime("%Y-%m-%d %H:%M")
