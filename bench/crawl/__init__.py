"""Crawl benchmark: the full pipeline against a bare Scrapy spider fetching the same pages."""
