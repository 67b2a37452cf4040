"""The phone tests run on a database and store of their own (tests/phone/flow.private_app), and
reuse the videos tests' S3 fixtures (moto's server on loopback)."""

import pytest

from tests.videos.conftest import moto_endpoint, s3_store  # noqa: F401 - fixtures

from .flow import private_app


@pytest.fixture(scope="module")
def phone_app(gateway, tmp_path_factory):
    with private_app(tmp_path_factory.mktemp("phone-app")) as m:
        yield m


@pytest.fixture
def mgr(phone_app):
    """The managers on this module's own database (make_user and the views use it too)."""
    return phone_app
