"""Start-up check of the nlp settings (registered in yuqing.app.checks.CHECKERS)."""

from __future__ import annotations

from pathlib import Path

from yuqing.config import Config
from yuqing.config.errors import ConfigError


def _readable(path: Path | None, where: str, what: str) -> list[ConfigError]:
    if path is None:
        return []
    if not path.is_file():
        return [ConfigError("settings", where, f"{what} {str(path)!r} does not exist")]
    try:
        with path.open("rb") as fh:
            fh.read(1)
    except OSError as exc:
        return [ConfigError("settings", where, f"cannot read {str(path)!r}: {exc.strerror}")]
    return []


def check_nlp(cfg: Config) -> list[ConfigError]:
    """The user dictionary and the corpus, when configured, must be readable files."""
    nlp = cfg.settings.nlp
    return [
        *_readable(nlp.user_dict, "nlp.user_dict", "user dictionary"),
        *_readable(nlp.corpus, "nlp.corpus", "corpus"),
    ]
