"""build_sender's table: every channel type the config accepts has a sender class."""

from __future__ import annotations

import typing
from importlib import import_module

from yuqing.alerts.channels import SENDERS
from yuqing.config.departments import Channel


def _config_types() -> set[str]:
    union = typing.get_args(Channel)[0]
    return {typing.get_args(m.model_fields["type"].annotation)[0] for m in typing.get_args(union)}


def test_every_configurable_channel_type_has_a_sender() -> None:
    assert set(SENDERS) == _config_types()
    for module, name in SENDERS.values():
        cls = getattr(import_module(f"yuqing.alerts.channels.{module}"), name)
        assert callable(getattr(cls, "send", None)), name  # the Sender protocol
