"""Errors of the alerts package: one-line messages for the CLI and the web inbox."""

from __future__ import annotations

from yuqing.errors import YuqingError


class AlertsError(YuqingError):
    """Base class of the alerts package's errors."""


class ExpressionError(AlertsError):
    """A ``when:`` expression that does not compile; str() is ``column N: reason``."""

    exit_code = 2

    def __init__(self, column: int | None, reason: str) -> None:
        self.column = column
        self.reason = reason
        super().__init__(f"column {column}: {reason}" if column is not None else reason)


class IncidentNotFound(AlertsError):
    exit_code = 4

    def __init__(self, incident_id: int) -> None:
        self.incident_id = incident_id
        super().__init__(f"no incident #{incident_id}")


class InvalidTransition(AlertsError):
    """An action that the incident's state does not allow (e.g. acknowledging a resolved one)."""

    exit_code = 5


class SilenceError(AlertsError):
    """A silence that cannot be created or expired as asked."""

    exit_code = 2


class LabelError(AlertsError):
    """Bad labels given on the command line (``yuqing routes test``)."""

    exit_code = 2


class ResolutionError(AlertsError):
    """A structured resolution field with a value it does not take. ``str()`` is the English
    message (CLI); ``zh`` the officer's Chinese one (web); both name the field and the value."""

    exit_code = 2

    def __init__(self, field: str, value: str, message: str, zh: str) -> None:
        self.field = field
        self.value = value
        self.zh = zh
        super().__init__(message)


class NotLead(InvalidTransition):
    """Resolving an incident from a co-handling department (issue 13: only the lead
    department's officers, or an admin, resolve)."""

    def __init__(self, incident_id: int, department: str, lead: str | None) -> None:
        self.incident_id, self.department, self.lead = incident_id, department, lead
        super().__init__(
            f"only the lead department ({lead or 'none'}) or an admin can resolve incident "
            f"#{incident_id}; {department} co-handles it: mark its part done instead"
        )
