"""Where crawls run (settings.yaml ``crawl:``): ``local`` (a ``scrapy crawl`` subprocess of the
scheduler, the default) or ``scrapyd`` (a fleet of Scrapyd nodes, issue 15).

Node credentials never live in YAML: ``auth_env`` names an environment variable holding
``user:password`` for Scrapyd's HTTP basic auth (or a file named by ``<auth_env>_FILE``).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from yuqing.config.sources import Strict

NODE_NAME = r"^[a-z0-9][a-z0-9_-]{0,63}$"
ENV_NAME = r"^[A-Z_][A-Z0-9_]*$"


class ScrapydNode(Strict):
    name: str = Field(pattern=NODE_NAME)
    url: str  # http(s)://host:port of the node's Scrapyd
    max_jobs: int = Field(default=2, ge=1, le=256)  # crawls the scheduler gives it at once
    auth_env: str | None = Field(default=None, pattern=ENV_NAME)
    # JOBDIR root on the node (relative: to the Scrapyd process's working directory): a crawl
    # of source S keeps its Scrapy job state in <jobs_dir>/<S>, so a crawl re-dispatched to the
    # same node resumes it.
    jobs_dir: str = "crawl-jobs"

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")) or "@" in value:
            raise ValueError(
                f"{value!r} is not an http(s) URL without credentials (use auth_env for them)"
            )
        return value.rstrip("/")


class CrawlSettings(Strict):
    # nodes before backend: backend's validator reads them, so that "scrapyd without nodes" is
    # reported at crawl.backend, in the file that set it (issue 15)
    nodes: list[ScrapydNode] = Field(default_factory=list)
    backend: Literal["local", "scrapyd"] = "local"
    project: str = Field(default="yuqing", pattern=r"^[A-Za-z0-9_.-]+$")  # Scrapyd project name
    poll_seconds: float = Field(default=5.0, gt=0, le=300)  # how often running jobs are polled
    # A node unreachable this long is dead: its crawls are dispatched again elsewhere.
    node_dead_after_seconds: float = Field(default=30.0, gt=0, le=3600)
    # A job still pending on its node this long (no free slot there) is taken back and
    # dispatched elsewhere (issue 15).
    pending_timeout_seconds: float = Field(default=300.0, gt=0, le=86400)

    @model_validator(mode="after")
    def _nodes(self) -> CrawlSettings:
        names = [n.name for n in self.nodes]
        for name in names:
            if names.count(name) > 1:
                raise ValueError(f"nodes: duplicate node name {name!r}")
        return self

    @field_validator("backend")
    @classmethod
    def _backend(cls, value: str, info: ValidationInfo) -> str:
        if value == "scrapyd" and "nodes" in info.data and not info.data["nodes"]:
            raise ValueError("'scrapyd' needs at least one entry in crawl.nodes")
        return value
