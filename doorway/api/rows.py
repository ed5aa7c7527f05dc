"""A list's rows written with plain code, as the serializers' declared fields write them.

DRF writes a row field by field: for each field it follows the source (asking, with
`inspect.signature`, whether the value is a method to call), and a date and time looks
up the current time zone each time. For a page of 50 rows with nested records (her
enrolments, each with its program, cycle, phase and two members of staff) that was most
of a list's time in the process. A list's serializer keeps its declared fields (they
are what the OpenAPI schema describes and what a single record and a change use) and
writes a list's rows with these helpers instead: the same values, in the same order.
`doorway/api/tests/test_list_rows.py` compares the two writers."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.utils import timezone
from rest_framework import serializers


def datetime_writer() -> Callable[[datetime.datetime | None], str | None]:
    """DRF's `DateTimeField().to_representation`, the current time zone read once (a
    writer serves one request, in one time zone)."""
    zone = timezone.get_current_timezone() if settings.USE_TZ else None
    field = serializers.DateTimeField(default_timezone=zone)

    def write(value: datetime.datetime | None) -> str | None:
        return None if value is None else field.to_representation(value)

    return write


def date_text(value: datetime.date | None) -> str | None:
    """DRF's `DateField().to_representation` with the default (ISO 8601) format."""
    return value.isoformat() if value else None


def named(record: Any) -> dict[str, Any]:
    """`NamedSerializer`: its id and name."""
    return {"id": str(record.pk), "name": str(record.name)}


def staff(user: Any) -> dict[str, Any] | None:
    """`StaffSerializer`: her id and name (`str(user)`), or None."""
    if user is None:
        return None
    return {"id": str(user.pk), "name": str(user)}
