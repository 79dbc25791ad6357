"""``python -m yuqing`` is the ``yuqing`` command (used for subprocesses)."""

from yuqing.app.cli import main

raise SystemExit(main())
