"""/api/v1/: every app's resources, gathered from its `api.py` (`register(router)`),
the OpenAPI schema and its documentation page."""

from __future__ import annotations

from importlib import import_module

from django.apps import apps
from django.urls import include, path
from django.utils.module_loading import module_has_submodule
from rest_framework.routers import DefaultRouter

from doorway.api.views import SchemaView, docs

# No `.json` format suffixes: the API speaks only JSON, and the router's suffix passed
# a `format` argument that the custom actions (moves, search, attendance…) do not take,
# so each answered 500. A suffixed address is now simply not found (404).
router = DefaultRouter(trailing_slash=True)
router.include_format_suffixes = False

for config in apps.get_app_configs():
    if config.name.startswith("doorway.") and module_has_submodule(config.module, "api"):
        import_module(f"{config.name}.api").register(router)

urlpatterns = [
    path("schema/", SchemaView.as_view(), name="api_schema"),
    path("docs/", docs, name="api_docs"),
    path("", include(router.urls)),
]
