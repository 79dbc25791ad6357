"""Process settings (config/settings.yaml, overridden by ``YUQING_*`` variables and CLI flags)
and secrets (only ever from the environment or from ``*_FILE`` paths it names)."""

from __future__ import annotations

import logging
import os
import secrets as _secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from yuqing.config.errors import ConfigError
from yuqing.config.sources import Strict
from yuqing.config.types import TimeZoneName

log = logging.getLogger(__name__)

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR"]


class SmtpSettings(Strict):
    """Outgoing mail. With an empty host, e-mail is written as .eml files under the data dir."""

    host: str = ""
    port: int = Field(default=25, ge=1, le=65535)
    starttls: bool = False
    ssl: bool = False
    username: str | None = None
    sender: str = "yuqing@localhost"
    timeout_seconds: float = Field(default=20, gt=0)


class NlpSettings(Strict):
    """The tagger. Models live under ``<data_dir>/models`` (``yuqing nlp train`` builds them);
    thresholds apply to the models' calibrated scores in [0, 1]."""

    user_dict: Path | None = None  # extra jieba words: one per line, "word [freq] [tag]"
    corpus: Path | None = None  # labeled CSV for `yuqing nlp train`; default: the shipped corpus
    shutdown_threshold: float = Field(default=0.3, ge=0, le=1)
    blanket_threshold: float = Field(default=0.5, ge=0, le=1)
    complaint_threshold: float = Field(default=0.35, ge=0, le=1)
    licensed_threshold: float = Field(default=0.5, ge=0, le=1)
    jobs: int = Field(default=2, ge=1, le=64)  # worker processes for batch tagging (retag)


class Settings(Strict):
    database_url: str | None = None
    data_dir: Path = Path("var")
    timezone: TimeZoneName = "Asia/Shanghai"
    log_level: LogLevel = "INFO"
    base_url: str = "http://127.0.0.1:8000"
    gazetteer: str = "qiqihar"
    retention_days: int = Field(default=365, ge=1)
    user_agent: str = "yuqing/0.1 (public-opinion monitoring; obeys robots.txt)"
    smtp: SmtpSettings = Field(default_factory=SmtpSettings)
    nlp: NlpSettings = Field(default_factory=NlpSettings)

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'yuqing.db').as_posix()}"


# Environment variables that are not settings: never treated as overrides.
NON_SETTING_ENV = {"CONFIG_DIR", "AUTHOR_HASH_KEY", "SMTP_PASSWORD"}


class Secrets(BaseSettings):
    """Secrets read from ``YUQING_<NAME>`` or from the file named by ``YUQING_<NAME>_FILE``."""

    model_config = SettingsConfigDict(env_prefix="YUQING_", extra="ignore")

    author_hash_key: SecretStr | None = None
    smtp_password: SecretStr | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Secrets:
        values: dict[str, str] = {}
        for name in cls.model_fields:
            value = read_secret(f"YUQING_{name.upper()}", env)
            if value is not None:
                values[name] = value
        return cls(**values)  # type: ignore[arg-type]


def read_secret(var: str, env: Mapping[str, str] | None = None) -> str | None:
    """The value of ``var`` from the environment, or the contents of the file ``var_FILE`` names."""
    env = os.environ if env is None else env
    if env.get(var):
        return env[var]
    path = env.get(f"{var}_FILE")
    if path:
        try:
            return Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(
                f"environment {var}_FILE", "", f"cannot read {path!r}: {exc}"
            ) from exc
    return None


def author_hash_key(secrets: Secrets, data_dir: Path) -> bytes:
    """The key for pseudonymizing authors: from the environment, else a random one kept in
    ``<data_dir>/secrets/author_hash_key`` (created with mode 0600 on first use)."""
    if secrets.author_hash_key is not None:
        return secrets.author_hash_key.get_secret_value().encode()
    path = data_dir / "secrets" / "author_hash_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(_secrets.token_hex(32))
        log.warning("YUQING_AUTHOR_HASH_KEY is not set; generated a key in %s", path)
    return path.read_text(encoding="utf-8").strip().encode()
