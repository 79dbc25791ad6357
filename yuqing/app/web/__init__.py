"""The web inbox, dashboard and admin pages (FastAPI + Jinja2): ``create_app(config, db)``."""

from __future__ import annotations

from yuqing.app.web.app import create_app

__all__ = ["create_app"]
