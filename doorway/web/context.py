from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def doorway(request: HttpRequest) -> dict[str, Any]:
    return {"DEMO": settings.DEMO}
