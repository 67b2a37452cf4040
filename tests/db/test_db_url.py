"""parse_db_url for CrateDB URLs: credentials, schema, several hosts, TLS and timeouts, and the
errors a bad SWINGVISION_DB gives."""

from __future__ import annotations

import pytest

from swingvision.db.gateway import parse_db_url


def test_everything_at_once():
    c = parse_db_url(
        "crate://svc%2Bapp:p%40ss%3Aw0rd@db1:4200,db2:4201,db3"
        "?schema=coach&ssl=true&verify_ssl=false&ca_cert=/etc/ssl/crate-ca.pem"
        "&timeout=5&connect_timeout=0.5"
    )
    assert c.dialect == "crate"
    assert c.servers == ("https://db1:4200", "https://db2:4201", "https://db3:4200")
    assert c.username == "svc+app" and c.password == "p@ss:w0rd"
    assert c.schema == "coach"
    assert c.verify_ssl is False and c.ca_cert == "/etc/ssl/crate-ca.pem"
    assert c.timeout == 5.0 and c.connect_timeout == 0.5
    assert c.label == "https://db1:4200,https://db2:4201,https://db3:4200"


def test_defaults_for_a_bare_host():
    c = parse_db_url("crate://localhost")
    assert c.servers == ("http://localhost:4200",)
    assert c.username is None and c.password is None and c.schema is None
    assert c.verify_ssl is True and c.ca_cert is None
    assert c.timeout == 10.0 and c.connect_timeout == 2.0


def test_user_without_password():
    c = parse_db_url("crate://crate@db:4200")
    assert c.username == "crate" and c.password is None
    assert c.servers == ("http://db:4200",)


def test_credentials_in_the_query():
    c = parse_db_url("crate://db:4200?user=alice&password=s3cret&schema=doc")
    assert (c.username, c.password, c.schema) == ("alice", "s3cret", "doc")


def test_credentials_in_the_netloc_win_over_the_query():
    c = parse_db_url("crate://bob:pw1@db?user=alice&password=pw2")
    assert (c.username, c.password) == ("bob", "pw1")


@pytest.mark.parametrize(
    ("url", "scheme"),
    [
        ("crate://db", "http"),
        ("crate://db?ssl=true", "https"),
        ("crate://db?ssl=TRUE", "https"),
        ("crate://db?ssl=1", "https"),
        ("crate://db?ssl=false", "http"),
        ("crate://db?ssl=0", "http"),
        ("crate+https://db", "https"),
        (
            "crate+https://db?ssl=false",
            "https",
        ),  # the scheme asks for TLS; the query cannot undo it
    ],
)
def test_tls_from_the_scheme_or_ssl(url, scheme):
    assert parse_db_url(url).servers == (f"{scheme}://db:4200",)


@pytest.mark.parametrize(
    ("value", "verify"),
    [("true", True), ("1", True), ("false", False), ("FALSE", False), ("0", False)],
)
def test_verify_ssl(value, verify):
    assert parse_db_url(f"crate://db?ssl=true&verify_ssl={value}").verify_ssl is verify


def test_a_repeated_option_takes_the_last_value():
    assert parse_db_url("crate://db?schema=a&schema=b").schema == "b"


def test_sqlite_urls_still_parse(tmp_path):
    c = parse_db_url(f"sqlite:///{tmp_path / 'x.db'}")
    assert c.dialect == "sqlite" and c.path == str(tmp_path / "x.db")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("crate://", "no host"),
        ("crate://user:pw@", "no host"),
        ("crate://,,", "no host"),
        ("postgres://db:5432/app", "scheme must be sqlite:// or crate://"),
        ("cratedb://db", "scheme must be sqlite:// or crate://"),
        ("db:4200", "scheme must be sqlite:// or crate://"),
        ("", "scheme must be sqlite:// or crate://"),
        ("sqlite://relative.db", "use sqlite:///relative"),
        ("sqlite:///", "use sqlite:///relative"),
    ],
)
def test_bad_urls_name_the_setting_and_the_problem(url, message):
    with pytest.raises(ValueError, match="SWINGVISION_DB=") as e:
        parse_db_url(url)
    assert message in str(e.value)


@pytest.mark.parametrize("option", ["timeout", "connect_timeout"])
def test_a_bad_timeout_names_the_setting(option):
    with pytest.raises(ValueError, match=f"SWINGVISION_DB=.*{option}"):
        parse_db_url(f"crate://db?{option}=soon")
    with pytest.raises(ValueError, match=f"{option} must be a number of seconds above 0"):
        parse_db_url(f"crate://db?{option}=-1")


def test_a_rejected_url_does_not_echo_the_password():
    with pytest.raises(ValueError, match="no host") as e:
        parse_db_url("crate://admin:hunter2-secret@")
    assert "hunter2-secret" not in str(e.value) and "admin:***@" in str(e.value)
    with pytest.raises(ValueError, match="timeout") as e:
        parse_db_url("crate://db?user=u&password=hunter2-secret&timeout=x")
    assert "hunter2-secret" not in str(e.value) and "password=***" in str(e.value)
