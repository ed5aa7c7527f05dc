"""What every Doorway ModelAdmin shares.

- Only administrators use the admin, whatever flags an account carries.
- Nothing is deleted from it: accounts are deactivated, phases and focus areas retired,
  partner agencies deactivated — records elsewhere point at them.
- Every addition and change made in it goes on the audit log (field names only).

Participant content is not in the admin at all: the participant pages, which go
through `visible_to(user)`, are the only way to it.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from doorway.audit.log import record
from doorway.audit.models import Action
from doorway.people.capabilities import Action as Can
from doorway.people.capabilities import may


def is_administrator(request: HttpRequest) -> bool:
    return may(request.user, Can.USE_ADMIN_SITE) and request.user.is_staff


def changed_fields(message: Any) -> list[str]:
    """The field names in an admin change message (a list of dicts, or text)."""
    fields: list[str] = []
    if isinstance(message, list):
        for part in message:
            for verb in ("added", "changed"):
                fields += [str(f) for f in part.get(verb, {}).get("fields", [])]
    return fields


class DoorwayAdmin(admin.ModelAdmin[Any]):
    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_administrator(request) and super().has_module_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return is_administrator(request) and super().has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return is_administrator(request) and super().has_add_permission(request, *args)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return is_administrator(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def log_addition(self, request: HttpRequest, obj: Model, message: Any) -> Any:
        record(
            Action.CREATE,
            request=request,
            subject=obj,
            detail={"fields": changed_fields(message), "via": "admin"},
        )
        return super().log_addition(request, obj, message)

    def log_change(self, request: HttpRequest, obj: Model, message: Any) -> Any:
        record(
            Action.CHANGE,
            request=request,
            subject=obj,
            detail={"fields": changed_fields(message), "via": "admin"},
        )
        return super().log_change(request, obj, message)
