"""SwingVision Coach: a coach analytics dashboard for golf swings."""

import os

# One BLAS thread per process, set before numpy loads OpenBLAS. The engine's work is many small
# matrix operations (a per-swing least squares over 41 candidate tops, 5x5 systems): spread over
# OpenBLAS's threads they ran 9x slower on this 2-core machine (25 -> 217 us a solve) and far
# slower again while the cores served pages, which put the analysis of a 900-frame swing above
# one MediaPipe frame. Web and worker processes get their parallelism from processes. An
# operator's own setting wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")
