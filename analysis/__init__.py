import os

# One BLAS thread per process, before numpy loads OpenBLAS (why: swingvision/__init__.py); here
# too for the engine's own commands (`python -m analysis.engine.train_events`).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")
