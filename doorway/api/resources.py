"""What the API's resources share beyond `viewsets`: the problem answers an operation
documents, the caller as a `User`, and a serializer of anything with an id and a
name. (What a caller's role may not do is `RecordViewSet.role_refusal`.)"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
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


class NamedSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(read_only=True)
    name = serializers.CharField(read_only=True)


def user_of(request: Request | HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user
