"""Errors raised by the tagger, the keyword language, model files and corpora."""

from __future__ import annotations

from yuqing.errors import YuqingError

REBUILD_HINT = "rebuild it with `yuqing nlp train`"


class NlpError(YuqingError):
    """Base class of the nlp package's errors."""


class KeywordSyntaxError(NlpError):
    """A keyword expression that does not parse, e.g.
    ``rules[3].keywords: column 12: expected ')' after '(餐饮 OR 烧烤'``."""

    exit_code = 2

    def __init__(self, name: str, column: int | None, reason: str) -> None:
        self.name = name
        self.column = column
        self.reason = reason
        parts = [p for p in (name, f"column {column}" if column is not None else "") if p]
        super().__init__(": ".join([*parts, reason]))


class ModelError(NlpError):
    """A model file that is missing, unreadable or built by incompatible software."""

    exit_code = 3


class ModelMissingError(ModelError):
    pass


class ModelCorruptError(ModelError):
    pass


class ModelVersionError(ModelError):
    pass


class CorpusError(NlpError):
    """A labeled CSV (the corpus, an evaluation set, a custom training set) that cannot be used."""

    exit_code = 2


class CustomModelError(NlpError):
    """An unknown or unusable custom classifier."""

    exit_code = 2


class BelowBaselineError(CustomModelError):
    """A custom classifier that lost to the plain baseline in cross-validation (not registered);
    ``cv`` holds the figures so the CLI can still show the table."""

    def __init__(self, message: str, cv: dict[str, object]) -> None:
        super().__init__(message)
        self.cv = cv
