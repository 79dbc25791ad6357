"""The fault suite (issue 14): the probes of a fault and attack session, kept as tests that run
with the others (`make test`) at a size that takes well under two minutes in all."""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/faults/" in str(item.path).replace("\\", "/"):
            item.add_marker(pytest.mark.faults)
