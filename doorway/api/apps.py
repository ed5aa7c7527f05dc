from __future__ import annotations

from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The JSON API at /api/v1/: personal access tokens, errors, paging, versions. Each
    app describes its own resources in its `api.py`; this app gathers them."""

    name = "doorway.api"
    label = "api"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers the token scheme with drf-spectacular.
        from doorway.api import schema  # noqa: F401
        from doorway.api.strict import refuse_unknown_fields

        # A body field no operation takes is refused, not silently ignored.
        refuse_unknown_fields()
