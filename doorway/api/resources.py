"""What the API's resources share beyond `viewsets`: the problem answers an operation
documents, the refusal of what a caller's role may not do, the caller herself, and a
serializer of anything with an id and a name."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request

from doorway.api.viewsets import PROBLEM
from doorway.people.models import User


def problems(*codes: int) -> dict[int, OpenApiResponse]:
    """The problem answers an operation can give, for its schema."""
    return dict.fromkeys(codes, PROBLEM)


# Every operation can be refused for a caller who is not signed in (401 with a token
# scheme, 403 with a session) or whose role may not do it (403).
READ_PROBLEMS = problems(400, 401, 403, 404)
WRITE_PROBLEMS = problems(400, 401, 403, 404)
UPDATE_PROBLEMS = problems(400, 401, 403, 404, 412, 428)


class RoleRefusals:
    """A viewset mixin: `role_refusal(user)` names what the caller's role may not do
    (a plain sentence, answered 403), or returns "" when it may. Checked before any
    record is looked up, so that a role never allowed learns nothing about records."""

    def role_refusal(self, user: User) -> str:
        raise NotImplementedError

    def check_permissions(self, request: Request) -> None:
        super().check_permissions(request)  # type: ignore[misc]
        refusal = self.role_refusal(request.user)  # type: ignore[arg-type]
        if refusal:
            raise PermissionDenied(refusal)

    @property
    def writes(self) -> bool:
        request: Any = getattr(self, "request", None)
        return request is not None and request.method not in SAFE_METHODS


class NamedSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(read_only=True)
    name = serializers.CharField(read_only=True)


def user_of(request: Request | HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user
