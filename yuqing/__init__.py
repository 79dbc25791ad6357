"""yuqing (舆情): public-opinion monitoring for city governments."""

import warnings

# jieba 0.42.1 (its last release) imports pkg_resources, which setuptools deprecates with a
# UserWarning on every process that segments text (crawl children, the store worker, the CLI).
# The warning is about jieba's packaging, not about anything an operator can act on.
warnings.filterwarnings("ignore", message="pkg_resources is deprecated", category=UserWarning)

__version__ = "0.1.0"
