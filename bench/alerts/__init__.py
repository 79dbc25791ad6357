"""Benchmark: evaluating newly tagged posts into incidents and outbox rows."""
