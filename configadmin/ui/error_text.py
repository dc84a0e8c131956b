"""The one place the window words an error: one line, never a password (masked as typed and as
URL-decoded), prefixed with what was being done. Banners, message boxes and panels all use it."""
from __future__ import annotations

import re
from typing import Any

from configadmin.domain.errors import one_line, url_secrets


def error_text(error: BaseException, service: Any = None, doing: str = "", url: str | None = None) -> str:
    """`service` (a ConfigurationService) or `url` name the database whose password is masked."""
    secrets = url_secrets(url)
    database = getattr(service, "url", None)
    if database is not None and getattr(database, "password", None):
        secrets += url_secrets(database.render_as_string(hide_password=False))
    text = one_line(error, secrets)
    return f"{doing}: {text}" if doing else text


_UNREACHABLE = re.compile(r"^(?:.*?: )?cannot reach the database at (?P<where>.+?): (?P<detail>.+)$", re.S)


def plain_sentence(text: str) -> tuple[str, str | None]:
    """(one plain sentence, the driver's detail or None) for a banner: "The database at db:5432
    does not answer." first, "connection to server … failed: Connection refused" behind Details…."""
    found = _UNREACHABLE.match(text)
    if found is None:
        return text, None
    return f"The database at {found['where']} does not answer", found["detail"]
