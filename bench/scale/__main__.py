"""``python -m bench.scale load|measure|report`` — see bench/scale/README.md."""

from bench.scale.cli import main

main()
