"""Tagging benchmarks (see __main__.py) and model selection (compare.py)."""
