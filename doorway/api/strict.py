"""The API refuses what it does not understand, instead of silently ignoring it.

- A body (POST, PUT, PATCH) naming a field the operation does not take is a 400 problem
  naming that field, and nothing is changed: a PATCH with `{"phne": …}` would otherwise
  answer 200 and change nothing, and a misspelt field reads as saved.
- A query parameter an operation does not take is a 400 problem naming it: `?cycle=`
  where the list takes `?cycles=` would otherwise answer with the whole program.

Fields: every serializer of ours checks its input's keys against its fields (read-only
fields are known, and ignored on input as before), at every level of nesting. This is
installed once, when the API app is ready, on DRF's `Serializer.to_internal_value`, for
the serializers defined in Doorway's own modules.

Query parameters: `RecordViewSet` (doorway/api/viewsets.py) accepts its filters, its
paging (lists only), `format`, and whatever a view or action declares in
`query_parameters`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, serializers

UNKNOWN_FIELD = _("Unknown field: this operation does not take it, so nothing was saved.")
UNKNOWN_PARAMETER = _("Unknown query parameter: this operation does not take it.")


class UnknownParameters(exceptions.APIException):
    """400: the request named query parameters the operation does not take."""

    status_code = 400
    default_code = "unknown_parameter"

    def __init__(self, unknown: Iterable[str], accepted: Iterable[str]) -> None:
        self.unknown = sorted(unknown)
        taken = ", ".join(sorted(accepted))
        super().__init__(
            _("Unknown query parameter(s): %(unknown)s. This operation takes: %(taken)s.")
            % {"unknown": ", ".join(self.unknown), "taken": taken}
        )
        self.errors = {name: [str(UNKNOWN_PARAMETER)] for name in self.unknown}


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

    to_internal_value.refuses_unknown_fields = True  # type: ignore[attr-defined]  # a marker of ours, so the patch is applied once
    setattr(serializers.Serializer, "to_internal_value", to_internal_value)  # noqa: B010
