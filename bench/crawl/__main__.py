"""``python -m bench.crawl``: see :mod:`bench.crawl.run`."""

from bench.crawl.run import main

raise SystemExit(main())
