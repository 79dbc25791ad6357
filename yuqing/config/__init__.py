"""Configuration: one validated model, defaults shipped as YAML beside this file.

Use :func:`load` (defaults < user dir < environment < CLI flags). Everything city-specific
lives in the YAML files here, never in code.
"""

from yuqing.config.errors import ConfigError, ConfigErrors
from yuqing.config.loader import load
from yuqing.config.models import Config

__all__ = ["Config", "ConfigError", "ConfigErrors", "load"]
