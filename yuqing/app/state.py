"""What every command shares: global flags, the configuration, the database (all lazy)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from yuqing.config import Config, load

if TYPE_CHECKING:  # SQLAlchemy and Alembic load only when a command opens the database
    from yuqing.store.session import Database


@dataclass
class AppState:
    config_dir: Path | None = None
    overrides: dict[str, Any] = field(default_factory=dict)
    debug: bool = False
    _config: Config | None = None
    _database: Database | None = None

    def config(self) -> Config:
        if self._config is None:
            self._config = load(self.config_dir, overrides=self.overrides)
        return self._config

    def database(self, check_schema: bool = True) -> Database:
        """The configured database; by default refuses a schema that is not current."""
        if self._database is None:
            from yuqing.store.session import Database

            self._database = Database.from_settings(self.config().settings)
        if check_schema:
            self._database.check_schema()
        return self._database

    def close(self) -> None:
        if self._database is not None:
            self._database.dispose()
            self._database = None
