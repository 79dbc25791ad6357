"""Start-up checks that need more than the config package: expressions in rules compile, etc.

Each stage contributes a checker; all report :class:`ConfigError` in the ``file: path: reason``
form. Run by ``yuqing config check`` and before any long-running command starts.
"""

from __future__ import annotations

from collections.abc import Callable

from yuqing.alerts.checks import check_alerts
from yuqing.config import Config
from yuqing.config.errors import ConfigError, ConfigErrors
from yuqing.nlp.checks import check_nlp

Checker = Callable[[Config], list[ConfigError]]
CHECKERS: list[Checker] = []
CHECKERS.append(check_alerts)
CHECKERS.append(check_nlp)


def deep_check(cfg: Config) -> None:
    problems: list[ConfigError] = []
    for checker in CHECKERS:
        problems.extend(checker(cfg))
    if problems:
        raise ConfigErrors(problems)
