"""Scheduler timings (config/schedule.yaml), all in the configured timezone."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from pydantic import Field

from yuqing.config.sources import Strict
from yuqing.config.types import ClockTime, Duration


class ScheduleFile(Strict):
    evaluate_every: Duration = timedelta(minutes=1)
    deliver_every: Duration = timedelta(seconds=30)
    escalate_every: Duration = timedelta(minutes=5)
    digest_at: ClockTime = "08:00"
    weekly_digest_day: Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"] = "mon"
    purge_at: ClockTime = "03:30"
    misfire_grace: Duration = timedelta(minutes=5)
    crawl_jitter: Duration = Field(default=timedelta(seconds=30))
