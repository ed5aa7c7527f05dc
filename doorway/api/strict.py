"""The API refuses what it does not understand, instead of silently ignoring it.

- A body (POST, PUT, PATCH) naming a field the operation does not take is a 400 problem
  naming that field, and nothing is changed: a PATCH with `{"phne": …}` would otherwise
  answer 200 and change nothing, and a misspelt field reads as saved.

Fields: every serializer of ours checks its input's keys against its fields (read-only
fields are known, and ignored on input as before), at every level of nesting. This is
installed once, when the API app is ready, on DRF's `Serializer.to_internal_value`, for
the serializers defined in Doorway's own modules.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

UNKNOWN_FIELD = _("Unknown field: this operation does not take it, so nothing was saved.")


def unknown_fields(serializer: serializers.Serializer[Any], data: Any) -> list[str]:
    if not isinstance(data, Mapping):
        return []
    return sorted(str(key) for key in data if key not in serializer.fields)


def refuse_unknown_fields() -> None:
    """Make every Doorway serializer refuse input keys it has no field for."""
    original: Callable[..., Any] = serializers.Serializer.to_internal_value
    if getattr(original, "refuses_unknown_fields", False):
        return

    def to_internal_value(self: serializers.Serializer[Any], data: Any) -> Any:
        if type(self).__module__.startswith("doorway."):
            unknown = unknown_fields(self, data)
            if unknown:
                raise serializers.ValidationError({name: [UNKNOWN_FIELD] for name in unknown})
        return original(self, data)

    to_internal_value.refuses_unknown_fields = True  # type: ignore[attr-defined]
    setattr(serializers.Serializer, "to_internal_value", to_internal_value)  # noqa: B010
