from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def doorway(request: HttpRequest) -> dict[str, Any]:
    # The first part of the path names the part of Doorway she is in, for the menu.
    return {"DEMO": settings.DEMO, "nav_section": request.path.strip("/").split("/")[0]}
