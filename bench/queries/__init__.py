"""Analyst queries at scale: ingest, daily counts by sector × district, full-text search."""
