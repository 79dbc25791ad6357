"""The bundled demo site: a local HTTP server with content we wrote, for the demo and tests.

from yuqing.crawler.demo_site import DemoSite
with DemoSite() as site:
    crawl(site.base_url + "/forum/")
"""

from yuqing.crawler.demo_site.server import DemoSite

__all__ = ["DemoSite"]
