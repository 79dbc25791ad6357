"""Departments (config/departments.yaml): the receivers of alerts, with their channels.

Channel secrets are never written here: a channel names the environment variable that holds
its token or signing secret (``secret_env``); ``NAME_FILE`` may point at a file instead.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator

from yuqing.config.sources import Strict
from yuqing.config.types import Slug, check_clock

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class ChannelBase(Strict):
    name: str | None = None
    enabled: bool = True
    rate_limit_per_minute: int | None = Field(default=None, ge=1)


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


class DingTalkChannel(ChannelBase):
    type: Literal["dingtalk"]
    url: str | None = None
    url_env: str | None = None
    secret_env: str | None = None


class WeComChannel(ChannelBase):
    type: Literal["wecom"]
    url: str | None = None
    url_env: str | None = None


class FeishuChannel(ChannelBase):
    type: Literal["feishu"]
    url: str | None = None
    url_env: str | None = None
    secret_env: str | None = None


class SmsChannel(ChannelBase):
    type: Literal["sms"]
    gateway_url: str
    phones: list[str] = Field(min_length=1)
    token_env: str | None = None


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
    active_days: list[Weekday] = Field(
        default_factory=lambda: list(WEEKDAYS)
    )

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
        return value


class DepartmentsFile(Strict):
    departments: list[Department] = Field(default_factory=list)
