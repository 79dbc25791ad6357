"""Collection: a Scrapy project whose spiders are made from config/sources.yaml.

``scrapy list`` / ``scrapy crawl <source>`` (scrapy.cfg at the repository root) and
``yuqing crawl`` run them. Layout: ``loader`` (one spider per source), ``spiders/`` (one class
per kind: feed, listing, jsonapi), ``pipelines`` (validate → normalize → dedupe → tag →
store), ``middlewares``, ``dates`` (Chinese time formats), ``health`` (crawl_runs rows),
``runner`` / ``together`` (crawls in subprocesses), ``demo_site/`` (the bundled local site).
"""
