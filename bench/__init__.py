"""Benchmarks: each figure is measured beside its floor in the same run (see bench/__main__.py)."""
