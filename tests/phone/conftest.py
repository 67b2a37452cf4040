"""The phone tests reuse the videos tests' S3 fixtures (moto's server on loopback)."""

from tests.videos.conftest import moto_endpoint, s3_store  # noqa: F401 - fixtures
