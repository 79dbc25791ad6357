"""Departments (config/departments.yaml): the receivers of alerts, with their channels.

Channel secrets are never written here: a channel names the environment variable that holds
its token or signing secret (``secret_env``); ``NAME_FILE`` may point at a file instead.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from yuqing.config.sources import Strict
from yuqing.config.types import Slug, check_clock

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class ChannelBase(Strict):
    name: str | None = None
    enabled: bool = True
    # None: the channel type's default (DingTalk and WeCom robots: 20, Feishu: 100, else none)
    rate_limit_per_minute: int | None = Field(default=None, ge=1)
    timeout_seconds: float = Field(default=10, gt=0, le=60)
    max_attempts: int = Field(default=12, ge=1, le=100)


class RobotChannel(ChannelBase):
    """A chat robot addressed by a webhook URL, given inline or (as it holds a token) by env."""

    url: str | None = None
    url_env: str | None = None

    @model_validator(mode="after")
    def _one_url(self) -> RobotChannel:
        if (self.url is None) == (self.url_env is None):
            got = "neither" if self.url is None else f"both (url_env {self.url_env!r})"
            raise ValueError(f"give exactly one of 'url' and 'url_env', got {got}")
        return self


class EmailChannel(ChannelBase):
    type: Literal["email"]
    to: list[str] = Field(min_length=1)
    cc: list[str] = Field(default_factory=list)

    @field_validator("to", "cc")
    @classmethod
    def _addresses(cls, values: list[str]) -> list[str]:
        for v in values:
            if "@" not in v:
                raise ValueError(f"invalid e-mail address {v!r}")
        return values


class WebhookChannel(ChannelBase):
    type: Literal["webhook"]
    url: str
    secret_env: str | None = None


class DingTalkChannel(RobotChannel):
    type: Literal["dingtalk"]
    secret_env: str | None = None


class WeComChannel(RobotChannel):
    type: Literal["wecom"]


class FeishuChannel(RobotChannel):
    type: Literal["feishu"]
    secret_env: str | None = None


class SmsChannel(ChannelBase):
    type: Literal["sms"]
    gateway_url: str
    phones: list[str] = Field(min_length=1)
    token_env: str | None = None


class AppriseChannel(RobotChannel):
    """Any service Apprise supports (its URL, e.g. ``tgram://…``, usually holds a token)."""

    type: Literal["apprise"]


class FileChannel(ChannelBase):
    """Local delivery: writes each notification under the data dir (the demo's receivers)."""

    type: Literal["file"]
    format: Literal["json", "eml"] = "json"


Channel = Annotated[
    EmailChannel
    | WebhookChannel
    | DingTalkChannel
    | WeComChannel
    | FeishuChannel
    | SmsChannel
    | AppriseChannel
    | FileChannel,
    Field(discriminator="type"),
]


class Department(Strict):
    code: Slug
    name: str
    kind: Literal["bureau", "district", "office"]
    district: str | None = None
    escalate_to: str | None = None
    contacts: list[str] = Field(default_factory=list)
    channels: list[Channel] = Field(default_factory=list)
    active_hours: str | None = None
    active_days: list[Weekday] = Field(default_factory=lambda: list(WEEKDAYS))

    @field_validator("active_hours")
    @classmethod
    def _hours(cls, value: str | None) -> str | None:
        if value is None:
            return None
        start, sep, end = value.partition("-")
        if not sep:
            raise ValueError(f"invalid active_hours {value!r} (expected HH:MM-HH:MM)")
        check_clock(start.strip())
        check_clock(end.strip())
        if _minutes(start) == _minutes(end):
            raise ValueError(f"invalid active_hours {value!r} (start and end are the same time)")
        return value

    @field_validator("active_days")
    @classmethod
    def _days(cls, value: list[Weekday]) -> list[Weekday]:
        if not value:
            raise ValueError("active_days is empty (the department would never be notified)")
        return value

    def active_window(self) -> tuple[int, int] | None:
        """``active_hours`` as (start, end) minutes after midnight, or None for all day."""
        if self.active_hours is None:
            return None
        start, _, end = self.active_hours.partition("-")
        return _minutes(start), _minutes(end)


def _minutes(clock: str) -> int:
    hours, _, minutes = clock.strip().partition(":")
    return int(hours) * 60 + int(minutes)


class DepartmentsFile(Strict):
    departments: list[Department] = Field(default_factory=list)
