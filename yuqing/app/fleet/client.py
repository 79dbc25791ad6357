"""Scrapyd's JSON API for one node (Scrapyd 1.6: https://scrapyd.readthedocs.io/en/stable/api.html).

Every call answers a dict with ``status: ok`` or raises :class:`NodeError` (unreachable, an
HTTP error, or ``status: error`` with Scrapyd's message). Credentials (HTTP basic auth) come
from the environment variable the node's ``auth_env`` names, as ``user:password``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import httpx

from yuqing.app.errors import AppError
from yuqing.config.crawl import ScrapydNode
from yuqing.config.settings import read_secret

log = logging.getLogger(__name__)
TIMEOUT_SECONDS = 10.0
SCHEDULE_TIMEOUT_SECONDS = 120.0


class NodeError(AppError):
    """A Scrapyd node did not answer, or answered an error."""

    def __init__(self, node: str, message: str) -> None:
        self.node = node
        super().__init__(f"scrapyd node {node}: {message}")


@dataclass
class Jobs:
    """``listjobs.json`` of one project: job id → its entry, per state."""

    pending: dict[str, dict[str, Any]] = field(default_factory=dict)
    running: dict[str, dict[str, Any]] = field(default_factory=dict)
    finished: dict[str, dict[str, Any]] = field(default_factory=dict)

    def state(self, job_id: str) -> str | None:
        for name in ("running", "pending", "finished"):
            if job_id in getattr(self, name):
                return name
        return None


def auth_of(node: ScrapydNode) -> tuple[str, str] | None:
    if not node.auth_env:
        return None
    value = read_secret(node.auth_env)
    if not value:
        raise NodeError(node.name, f"{node.auth_env} is not set (expected user:password)")
    user, sep, password = value.partition(":")
    if not sep:
        raise NodeError(node.name, f"{node.auth_env} is not of the form user:password")
    return user, password


class ScrapydClient:
    def __init__(self, node: ScrapydNode, timeout: float = TIMEOUT_SECONDS) -> None:
        self.node = node
        self.timeout = timeout

    @property
    def name(self) -> str:
        return self.node.name

    def _call(
        self,
        method: str,
        endpoint: str,
        params: list[tuple[str, str]] | None = None,
        files: dict[str, Any] | None = None,
        timeout: float | None = None,
    ) -> dict[str, Any]:
        url = f"{self.node.url}/{endpoint}"
        try:
            auth = auth_of(self.node)
            with httpx.Client(auth=auth, timeout=timeout or self.timeout) as http:
                if method == "GET":
                    resp = http.get(url, params=_form(params))
                else:
                    resp = http.post(url, data=_form(params), files=files)
        except httpx.HTTPError as exc:
            raise NodeError(self.name, f"{endpoint}: {type(exc).__name__}: {exc}") from exc
        if resp.status_code != 200:
            raise NodeError(self.name, f"{endpoint}: HTTP {resp.status_code}")
        try:
            body = resp.json()
        except ValueError as exc:
            raise NodeError(self.name, f"{endpoint}: not JSON") from exc
        if not isinstance(body, dict) or body.get("status") != "ok":
            message = body.get("message") if isinstance(body, dict) else body
            raise NodeError(self.name, f"{endpoint}: {message}")
        return body

    def daemonstatus(self) -> dict[str, Any]:
        return self._call("GET", "daemonstatus.json")

    def schedule(
        self,
        project: str,
        spider: str,
        job_id: str,
        settings: dict[str, str],
    ) -> str:
        params = [("project", project), ("spider", spider), ("jobid", job_id)]
        params += [("setting", f"{k}={v}") for k, v in settings.items()]
        # Scrapyd runs `scrapy list` for a project's first schedule: seconds, not milliseconds
        body = self._call("POST", "schedule.json", params, timeout=SCHEDULE_TIMEOUT_SECONDS)
        return str(body["jobid"])

    def listjobs(self, project: str) -> Jobs:
        body = self._call("GET", "listjobs.json", [("project", project)])
        jobs = Jobs()
        for state in ("pending", "running", "finished"):
            for entry in body.get(state, []):
                getattr(jobs, state)[str(entry.get("id"))] = entry
        return jobs

    def cancel(self, project: str, job_id: str, signal: str = "TERM") -> str | None:
        """Cancel a job: a pending one is removed, a running one gets ``signal`` (TERM: Scrapy
        closes the spider cleanly and saves its JOBDIR)."""
        body = self._call(
            "POST", "cancel.json", [("project", project), ("job", job_id), ("signal", signal)]
        )
        prev = body.get("prevstate")
        return str(prev) if prev is not None else None

    def listversions(self, project: str) -> list[str]:
        """The project's uploaded versions, oldest first (the last one runs by default)."""
        body = self._call("GET", "listversions.json", [("project", project)])
        return [str(v) for v in body.get("versions", [])]

    def addversion(self, project: str, version: str, egg: bytes) -> int:
        body = self._call(
            "POST",
            "addversion.json",
            [("project", project), ("version", version)],
            files={"egg": ("project.egg", egg, "application/octet-stream")},
            timeout=120.0,
        )
        return int(body.get("spiders", 0))


def _form(params: list[tuple[str, str]] | None) -> dict[str, list[str]]:
    """Form fields; a name given more than once (``setting``) is sent once per value."""
    form: dict[str, list[str]] = {}
    for key, value in params or []:
        form.setdefault(key, []).append(value)
    return form
