"""``python -m yuqing.crawler.demo_site [--live] [--port N]``: serve the demo site until Ctrl-C."""

from __future__ import annotations

import argparse
import logging

from yuqing.crawler.demo_site import DemoSite


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve the yuqing demo site.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--live", action="store_true", help="release held posts over time")
    parser.add_argument("--release-interval", type=float, default=30.0)
    parser.add_argument("--scale", type=int, default=None, help="serve N varied posts")
    parser.add_argument("--verbose", action="store_true", help="log every request")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    DemoSite(
        host=args.host,
        port=args.port,
        live=args.live,
        release_interval=args.release_interval,
        scale=args.scale,
    ).serve_forever()


if __name__ == "__main__":
    main()
