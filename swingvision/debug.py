"""What Django's error pages and error mails may print: settings and request variables with any
credentials masked.

Django hides settings whose *names* look secret (KEY, SECRET, PASS, TOKEN, ...). Connection URLs
carry their password in the *value* under a harmless name (SWINGVISION_DB=crate://user:pw@host,
and the same variable again in the development server's request environment), so the password in
any URL-shaped value is masked too.
"""

from __future__ import annotations

import re
from typing import Any

from django.views.debug import SafeExceptionReporterFilter

MASK = SafeExceptionReporterFilter.cleansed_substitute
# scheme://user:password@host and ...?password=... / &secret_key=... in a URL's query
_USERINFO = re.compile(r"(?P<head>[a-z][a-z0-9+.-]*://[^/@\s:]*:)(?P<secret>[^@\s/]*)(?=@)", re.I)
_QUERY = re.compile(
    r"(?P<head>[?&;](?:[a-z0-9_]*(?:pass|secret|token|key)[a-z0-9_]*)=)(?P<secret>[^&;#\s]*)", re.I
)


def mask_credentials(text: str) -> str:
    """The text with every URL password (and password-like query value) replaced by the mask."""
    text = _USERINFO.sub(lambda m: m["head"] + MASK, text)
    return _QUERY.sub(lambda m: m["head"] + MASK, text)


class CredentialsFilter(SafeExceptionReporterFilter):
    hidden_settings = re.compile(
        "API|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE|CREDENTIAL|AUTHORIZATION", flags=re.I
    )

    def cleanse_setting(self, key: Any, value: Any) -> Any:
        value = super().cleanse_setting(key, value)
        if isinstance(value, str) and value != MASK:
            return mask_credentials(value)
        return value
