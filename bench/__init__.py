"""Benchmarks: each figure is measured beside its floor in the same run (see bench/__main__.py)."""

import os

# The product's processes run one BLAS thread (swingvision/__init__.py); measure them that way.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")
