"""The benchmark modules under bench/, in run order. A new benchmark adds its module name here."""

SUITES: list[str] = [
    "analysis",
    "ingest",
    "replay",
    "similarity",
    "pages",
    "load",
    "backup",
    "upload",
    "transcode",
    "lessons",
    "pose_memory",
    "crate_knn",
    "crate_pages",
]
