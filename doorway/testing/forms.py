"""Posting a page's form from a test as a browser would: with the hidden `version` the
form was opened on (`doorway.web.forms.VersionedForm`), read from the page first."""

from __future__ import annotations

import re
from typing import Any

VERSION = re.compile(r'name="version" value="([^"]*)"')


def shown_version(client: Any, url: str) -> str | None:
    """The version the form at `url` shows this client (after any redirect: a form that
    lives on another page), or None if it shows none (or the page is refused)."""
    response = client.get(url, follow=True)
    if response.status_code != 200:
        return None
    found = VERSION.findall(response.content.decode())
    return found[0] if len(found) == 1 else None


def post_form(
    client: Any, url: str, data: dict[str, Any] | None = None, *, page: str = "", **extra: Any
) -> Any:
    """Open the form at `page` (`url` unless given), then post `data` to `url` with the
    version it showed."""
    data = dict(data or {})
    if "version" not in data and (version := shown_version(client, page or url)) is not None:
        data["version"] = version
    return client.post(url, data, **extra)
